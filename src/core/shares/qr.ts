/**
 * QR payload of a share record: "CUSTOS:SHARE:1:" followed by the 328 base32 characters of
 * the record. Every character is in the QR alphanumeric set, which keeps the code small.
 */
import { base32crockford } from '@scure/base';
import QRCode from 'qrcode';
import { InputError } from '../errors';
import type { CryptoProvider } from '../crypto/provider';
import { decodeShareRecord, type ShareRecord } from './record';
import { ALPHABET, TEXT_CHARS } from './text';

export const QR_PREFIX = 'CUSTOS:SHARE:1:';

export function shareToQrPayload(r: ShareRecord): string {
  return QR_PREFIX + base32crockford.encode(r.bytes);
}

export function qrPayloadToShare(provider: CryptoProvider, payload: string, field = 'qr'): ShareRecord {
  if (typeof payload !== 'string') throw new InputError('qr.type', field, 'must be text');
  if (!payload.startsWith(QR_PREFIX)) {
    const m = /^CUSTOS:SHARE:(\d+):/.exec(payload);
    if (m) throw new InputError('qr.version', `${field}.version`, `payload version ${m[1]} is not supported (this Custos reads 1)`);
    throw new InputError('qr.prefix', `${field}.prefix`, `does not start with ${QR_PREFIX}: not a Custos share code`);
  }
  const body = payload.slice(QR_PREFIX.length);
  if (body.length !== TEXT_CHARS) throw new InputError('qr.length', `${field}.length`, `must hold ${TEXT_CHARS} characters after the prefix, got ${body.length}`);
  for (let i = 0; i < body.length; i++)
    if (!ALPHABET.includes(body[i]!)) throw new InputError('qr.char', `${field}.char[${i + 1}]`, `"${body[i]}" is not in the share alphabet`);
  const bytes = base32crockford.decode(body);
  try {
    return decodeShareRecord(provider, bytes, field);
  } finally {
    bytes.fill(0);
  }
}

/** The QR code as SVG markup (error correction M), for the printed share sheet. */
export async function shareQrSvg(r: ShareRecord): Promise<string> {
  return QRCode.toString(shareToQrPayload(r), { type: 'svg', errorCorrectionLevel: 'M', margin: 4 });
}
