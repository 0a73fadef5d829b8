/**
 * A share card's QR code read from a picture of it (PNG or JPEG: a scan, or a photograph taken
 * on the workstation's own camera): the image is decoded (pngjs, jpeg-js) and the code found
 * with jsQR, all offline. The payload is returned as text for the core to check like a typed
 * card (src/core/shares/qr.ts: prefix, alphabet, length, then the record's digest and
 * signature); nothing is corrected beyond what the QR code's own error correction does.
 */
import jpeg from 'jpeg-js';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { InputError } from '../core/errors';

/** A picture larger than this is refused before it is decoded (a phone's photo is a few MB). */
export const MAX_IMAGE_BYTES = 32 * 1024 * 1024;
const MAX_PIXELS = 40_000_000;
/** Pictures are searched at most this wide or high (a card's code stays many pixels per module). */
const SEARCH_SIDE = 2000;

export type ImageKind = 'png' | 'jpeg';

export function imageKind(bytes: Uint8Array): ImageKind | undefined {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return 'png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'jpeg';
  return undefined;
}

interface Rgba {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
}

/**
 * A PNG's size from its header, before anything is inflated: a small file can claim a huge
 * picture (a decompression bomb), and an interlaced one is inflated without a bound by the decoder.
 */
function checkPngHeader(bytes: Uint8Array, field: string): void {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 33 || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') throw new InputError('qr.image', field, 'is not a PNG image that can be read (no header)');
  const width = v.getUint32(16);
  const height = v.getUint32(20);
  if (width === 0 || height === 0 || width * height > MAX_PIXELS) throw new InputError('qr.image', field, `is ${width} by ${height} pixels: more than ${MAX_PIXELS / 1e6} megapixels (scale the picture down)`);
  if (bytes[28] !== 0) throw new InputError('qr.image', field, 'is an interlaced PNG: save it without interlacing, or as JPEG');
}

function decodeImage(bytes: Uint8Array, kind: ImageKind, field: string): Rgba {
  if (kind === 'png') checkPngHeader(bytes, field);
  try {
    if (kind === 'png') {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { data: png.data, width: png.width, height: png.height };
    }
    const j = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: 512 });
    return { data: j.data, width: j.width, height: j.height };
  } catch (e) {
    throw new InputError('qr.image', field, `is not a ${kind.toUpperCase()} image that can be read (${e instanceof Error ? e.message : 'damaged'})`);
  }
}

/** Shrink by whole-pixel averaging until the picture fits SEARCH_SIDE (a photo's code stays readable). */
function fit(img: Rgba): Rgba {
  const f = Math.ceil(Math.max(img.width, img.height) / SEARCH_SIDE);
  if (f <= 1) return img;
  const width = Math.floor(img.width / f);
  const height = Math.floor(img.height / f);
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      for (let c = 0; c < 4; c++) {
        let sum = 0;
        for (let dy = 0; dy < f; dy++) for (let dx = 0; dx < f; dx++) sum += img.data[((y * f + dy) * img.width + (x * f + dx)) * 4 + c]!;
        out[(y * width + x) * 4 + c] = sum / (f * f);
      }
  return { data: out, width, height };
}

/** The text of the QR code in a picture, or an error naming `field` when there is none. */
export function readQrImage(bytes: Uint8Array, field: string): string {
  const kind = imageKind(bytes);
  if (!kind) throw new InputError('qr.image', field, 'is not a PNG or JPEG image');
  if (bytes.length > MAX_IMAGE_BYTES) throw new InputError('qr.image', field, `is larger than ${MAX_IMAGE_BYTES / 1024 / 1024} MB`);
  const full = decodeImage(bytes, kind, field);
  const img = fit(full);
  const data = img.data instanceof Uint8ClampedArray ? img.data : new Uint8ClampedArray(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  let code: ReturnType<typeof jsQR>;
  try {
    code = jsQR(data, img.width, img.height, { inversionAttempts: 'attemptBoth' });
  } finally {
    // The pixels hold the share: the picture as decoded, and the copy searched.
    full.data.fill(0);
    data.fill(0);
  }
  if (!code || code.data === '') throw new InputError('qr.none', field, 'has no QR code that could be read: photograph the whole code, flat, in even light, or type the card');
  // The decoder's own copies of the payload (its bytes and segments) are cleared; the text goes on.
  code.binaryData.fill(0);
  code.chunks.length = 0;
  return code.data;
}

/**
 * A share as presented: a picture of a card becomes the text of its QR code; any other file
 * (an age share file, a typed card, a QR payload in a text file, a binary record) is left as is.
 */
export function presentedShareBytes(bytes: Uint8Array, field: string): { bytes: Uint8Array; image?: ImageKind } {
  const kind = imageKind(bytes);
  if (!kind) return { bytes };
  try {
    return { bytes: new TextEncoder().encode(readQrImage(bytes, field)), image: kind };
  } finally {
    bytes.fill(0); // the picture holds the share, read or not
  }
}
