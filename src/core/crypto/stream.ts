/**
 * Streaming AEAD for bulk data (backups, inventories): the nonce-based segmented construction
 * of Hoang, Reyhanitabar, Rogaway and Vizár (STREAM), laid out as in Tink's AES-GCM-HKDF
 * streaming AEAD, on the provider's AES-256-GCM. Memory stays bounded by one segment.
 *
 *   header  = 0x01 || salt (32) || noncePrefix (7) || segmentSize (u32 BE)
 *   key_seg = HKDF-SHA-256(key, salt, "custos/stream/v1" || 0x00 || info, 32)
 *   nonce_i = noncePrefix || u32 BE i || (0x01 for the last segment, else 0x00)
 *   seg_i   = AES-256-GCM(key_seg, nonce_i, plaintext_i, aad = header)
 *
 * Reordering, dropping, truncating or extending segments, or changing the header, fails
 * authentication.
 */
import { InputError, VerifyError } from '../errors';
import { assertBytes, assertInt, concat, copyBytes, utf8, wipe } from './bytes';
import type { CryptoProvider } from './provider';
import type { Rng } from './random';

export const STREAM_VERSION = 1;
export const STREAM_HEADER_LENGTH = 1 + 32 + 7 + 4;
export const DEFAULT_SEGMENT_SIZE = 1 << 20;
const TAG = 16;
const LABEL = utf8('custos/stream/v1\0');
const MAX_SEGMENTS = 0xffffffff;

function nonce(prefix: Uint8Array, i: number, last: boolean): Uint8Array {
  const n = new Uint8Array(12);
  n.set(prefix, 0);
  new DataView(n.buffer).setUint32(7, i);
  n[11] = last ? 1 : 0;
  return n;
}

/** The per-stream key, held until the last segment, then wiped; using it after that is refused. */
function segmentKey(provider: CryptoProvider, key: Uint8Array, salt: Uint8Array, info: Uint8Array): { get(): Uint8Array; close(): void } {
  let k: Uint8Array | undefined = provider.hkdfSha256(key, salt, concat(LABEL, info), 32);
  return {
    get() {
      if (!k) throw new InputError('stream.closed', 'stream', 'the stream is already finished');
      return k;
    },
    close() {
      wipe(k);
      k = undefined;
    },
  };
}

export interface StreamSealer {
  readonly header: Uint8Array;
  readonly segmentSize: number;
  /**
   * Seal the next segment: exactly segmentSize bytes, except the last (0..segmentSize).
   * Returns the ciphertext and the 16-byte tag apart; the sealed segment is the two written
   * one after the other (joining them would copy every byte once more).
   */
  seal(plaintext: Uint8Array, last: boolean): [ciphertext: Uint8Array, tag: Uint8Array];
  /** Wipe the segment key (also done after the last segment). */
  close(): void;
}

export function createStreamSealer(provider: CryptoProvider, rng: Rng, key: Uint8Array, opts: { segmentSize?: number; info?: Uint8Array } = {}): StreamSealer {
  assertBytes(key, 'key', 32);
  const segmentSize = opts.segmentSize ?? DEFAULT_SEGMENT_SIZE;
  assertInt(segmentSize, 'segmentSize', 16, 1 << 26);
  const salt = rng(32);
  const prefix = rng(7);
  const header = new Uint8Array(STREAM_HEADER_LENGTH);
  header[0] = STREAM_VERSION;
  header.set(salt, 1);
  header.set(prefix, 33);
  new DataView(header.buffer).setUint32(40, segmentSize);
  const aad = copyBytes(header); // private copy: the caller may wipe or reuse the header it is given
  const k = segmentKey(provider, key, salt, opts.info ?? new Uint8Array(0));
  let i = 0;
  return {
    header,
    segmentSize,
    seal(pt, last) {
      const sk = k.get();
      assertBytes(pt, 'plaintext');
      if (last ? pt.length > segmentSize : pt.length !== segmentSize)
        throw new InputError('stream.segment', 'plaintext', last ? `the last segment must be at most ${segmentSize} bytes` : `each segment but the last must be ${segmentSize} bytes`);
      if (i >= MAX_SEGMENTS) throw new InputError('stream.length', 'stream', 'too many segments');
      const { ciphertext, tag } = provider.aesGcmEncryptDetached(sk, nonce(prefix, i++, last), pt, aad);
      if (last) k.close();
      return [ciphertext, tag];
    },
    close: k.close,
  };
}

export interface StreamOpener {
  readonly segmentSize: number;
  /** Sealed size of a full segment (segmentSize + 16). */
  readonly sealedSegmentSize: number;
  open(sealed: Uint8Array, last: boolean): Uint8Array;
  close(): void;
}

export function parseStreamHeader(header: Uint8Array, field = 'stream.header'): { segmentSize: number } {
  assertBytes(header, field, STREAM_HEADER_LENGTH);
  if (header[0] !== STREAM_VERSION) throw new InputError('stream.version', `${field}.version`, `version ${header[0]} is not supported`);
  const segmentSize = new DataView(header.buffer, header.byteOffset).getUint32(40);
  if (segmentSize < 16 || segmentSize > 1 << 26) throw new InputError('stream.segmentSize', `${field}.segmentSize`, 'is out of range');
  return { segmentSize };
}

export function createStreamOpener(provider: CryptoProvider, key: Uint8Array, header: Uint8Array, opts: { info?: Uint8Array } = {}): StreamOpener {
  assertBytes(key, 'key', 32);
  const { segmentSize } = parseStreamHeader(header);
  const h = copyBytes(header);
  const prefix = h.slice(33, 40);
  const k = segmentKey(provider, key, h.subarray(1, 33), opts.info ?? new Uint8Array(0));
  let i = 0;
  return {
    segmentSize,
    sealedSegmentSize: segmentSize + TAG,
    open(sealed, last) {
      const sk = k.get();
      assertBytes(sealed, 'segment');
      if (last ? sealed.length < TAG || sealed.length > segmentSize + TAG : sealed.length !== segmentSize + TAG)
        throw new VerifyError('stream.segment', `segment[${i}]`, 'has the wrong length: the stream was truncated or extended');
      const pt = provider.aesGcmDecrypt(sk, nonce(prefix, i, last), sealed, h);
      i++;
      if (last) k.close();
      return pt;
    },
    close: k.close,
  };
}

/** Convenience for small inputs: the whole sealed stream as one array. */
export function sealAll(provider: CryptoProvider, rng: Rng, key: Uint8Array, data: Uint8Array, opts: { segmentSize?: number; info?: Uint8Array } = {}): Uint8Array {
  const s = createStreamSealer(provider, rng, key, opts);
  const parts: Uint8Array[] = [s.header];
  for (let o = 0, last = false; !last; o += s.segmentSize) {
    last = data.length - o <= s.segmentSize;
    parts.push(...s.seal(data.subarray(o, Math.min(o + s.segmentSize, data.length)), last));
  }
  return concat(...parts);
}

export function openAll(provider: CryptoProvider, key: Uint8Array, sealed: Uint8Array, opts: { info?: Uint8Array } = {}): Uint8Array {
  if (sealed.length < STREAM_HEADER_LENGTH + TAG) throw new VerifyError('stream.length', 'stream', 'is too short');
  const o = createStreamOpener(provider, key, sealed.subarray(0, STREAM_HEADER_LENGTH), opts);
  const parts: Uint8Array[] = [];
  for (let p = STREAM_HEADER_LENGTH, last = false; !last; p += o.sealedSegmentSize) {
    last = sealed.length - p <= o.sealedSegmentSize;
    parts.push(o.open(sealed.subarray(p, last ? sealed.length : p + o.sealedSegmentSize), last));
  }
  return concat(...parts);
}

