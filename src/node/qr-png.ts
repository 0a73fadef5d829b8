/** QR code of a share as a PNG image (for print and screen), from the same payload as the core. */
import QRCode from 'qrcode';
import type { ShareRecord } from '../core/shares/record';
import { shareToQrPayload } from '../core/shares/qr';

export async function shareQrPng(r: ShareRecord, scale = 6): Promise<Uint8Array> {
  const png = await QRCode.toBuffer(shareToQrPayload(r), { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale });
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
