/** Byte helpers shared by the core. Secrets live in Uint8Arrays and are wiped with `wipe`. */
import { InputError } from '../errors';

export type Bytes = Uint8Array;

/** Overwrite every given array with zeros. Accepts undefined so `finally` blocks stay short. */
export function wipe(...arrays: Array<Uint8Array | undefined | null>): void {
  for (const a of arrays) if (a) a.fill(0);
}

/**
 * Equality that does not stop at the first differing byte. JavaScript gives no constant-time
 * guarantee (see SECURITY.md); this at least removes the early exit.
 */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * A copy in a plain Uint8Array. (A Node Buffer's own `slice` returns a view of the same memory,
 * so `b.slice()` is no copy when `b` came from node:fs or node:crypto.)
 */
export function copyBytes(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return new Uint8Array(b);
}

export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const HEX = '0123456789abcdef';

export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += HEX[b[i]! >> 4]! + HEX[b[i]! & 15]!;
  return s;
}

/** Strict hex: even length, [0-9a-fA-F] only. `field` names the input in the error. */
export function fromHex(hex: string, field = 'hex'): Uint8Array<ArrayBuffer> {
  if (typeof hex !== 'string') throw new InputError('hex.type', field, 'must be a string of hex digits');
  if (hex.length % 2 !== 0) throw new InputError('hex.length', field, 'must have an even number of hex digits');
  if (!/^[0-9a-fA-F]*$/.test(hex)) throw new InputError('hex.char', field, 'must contain only hex digits 0-9 a-f');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function utf8(s: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(s);
}

/** Strict UTF-8 decoding: malformed sequences are an error naming `field`. */
export function fromUtf8(b: Uint8Array, field = 'text'): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(b);
  } catch (e) {
    throw new InputError('utf8.invalid', field, 'is not valid UTF-8', { cause: e });
  }
}

/** Argument check for byte inputs: a Uint8Array of exactly `len` bytes (if given). */
export function assertBytes(value: unknown, field: string, len?: number): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw new InputError('bytes.type', field, 'must be a Uint8Array');
  if (len !== undefined && value.length !== len)
    throw new InputError('bytes.length', field, `must be ${len} bytes, got ${value.length}`);
}

export function assertInt(value: unknown, field: string, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new InputError('int.type', field, 'must be an integer');
  if (value < min || value > max) throw new InputError('int.range', field, `must be between ${min} and ${max}, got ${value}`);
}
