/**
 * KMIP TTLV (Tag, Type, Length, Value), KMIP 1.x specification §9.1, strictly:
 *  - a tag is 3 bytes, 0x42xxxx (KMIP) or 0x54xxxx (extensions); unknown tags are kept as they
 *    are (decode then encode gives the same bytes) and it is up to the reader to trust them;
 *  - fixed lengths per type (Integer 4, Long Integer 8, Enumeration 4, Boolean 8, Date-Time 8,
 *    Interval 4, Date-Time Extended 8); a Big Integer is a positive multiple of 8 bytes;
 *  - every value is padded with zeros to a multiple of 8; non-zero padding is refused;
 *  - a Boolean is 0 or 1; a Text String is valid UTF-8;
 *  - a Structure's length is exactly the sum of its items; nesting and total size are bounded.
 * Every refusal is an InputError naming the byte offset and the tag.
 */
import { InputError } from '../core/errors';
import { copyBytes } from '../core/crypto/bytes';

export type ItemType =
  | 'structure'
  | 'integer'
  | 'longInteger'
  | 'bigInteger'
  | 'enumeration'
  | 'boolean'
  | 'textString'
  | 'byteString'
  | 'dateTime'
  | 'interval'
  | 'dateTimeExtended';

export const TYPE_CODES: Record<ItemType, number> = {
  structure: 0x01,
  integer: 0x02,
  longInteger: 0x03,
  bigInteger: 0x04,
  enumeration: 0x05,
  boolean: 0x06,
  textString: 0x07,
  byteString: 0x08,
  dateTime: 0x09,
  interval: 0x0a,
  dateTimeExtended: 0x0b,
};
const TYPE_NAMES = new Map(Object.entries(TYPE_CODES).map(([k, v]) => [v, k as ItemType]));
const FIXED: Partial<Record<ItemType, number>> = { integer: 4, longInteger: 8, enumeration: 4, boolean: 8, dateTime: 8, interval: 4, dateTimeExtended: 8 };

export type Item =
  | { tag: number; type: 'structure'; value: Item[] }
  | { tag: number; type: 'integer' | 'enumeration' | 'interval'; value: number }
  | { tag: number; type: 'longInteger' | 'dateTime' | 'dateTimeExtended'; value: bigint }
  | { tag: number; type: 'bigInteger' | 'byteString'; value: Uint8Array }
  | { tag: number; type: 'boolean'; value: boolean }
  | { tag: number; type: 'textString'; value: string };

export interface DecodeLimits {
  /** Deepest structure nesting accepted (default 32). */
  maxDepth?: number;
  /** Largest message accepted, in bytes (default 16 MiB). */
  maxBytes?: number;
}

export const DEFAULT_MAX_BYTES = 16 << 20;
const hexTag = (t: number) => t.toString(16).padStart(6, '0');
const pad8 = (n: number) => (8 - (n % 8)) % 8;

function bad(code: string, offset: number, tag: number | undefined, why: string): InputError {
  return new InputError(`ttlv.${code}`, `ttlv@${offset}${tag === undefined ? '' : ` (tag ${hexTag(tag)})`}`, why);
}

/** Decode exactly one TTLV item that fills `bytes`. */
export function decodeTtlv(bytes: Uint8Array, limits: DecodeLimits = {}): Item {
  if (!(bytes instanceof Uint8Array)) throw new InputError('ttlv.type', 'ttlv', 'must be bytes');
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  if (bytes.length > maxBytes) throw bad('size', 0, undefined, `is ${bytes.length} bytes, more than the ${maxBytes} accepted`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8', { fatal: true });
  const maxDepth = limits.maxDepth ?? 32;

  const item = (off: number, end: number, depth: number): [Item, number] => {
    if (end - off < 8) throw bad('truncated', off, undefined, `needs an 8-byte header, only ${end - off} bytes remain`);
    const tag = (bytes[off]! << 16) | (bytes[off + 1]! << 8) | bytes[off + 2]!;
    if (bytes[off] !== 0x42 && bytes[off] !== 0x54) throw bad('tag', off, tag, 'is not a KMIP tag (0x42xxxx) or an extension tag (0x54xxxx)');
    const type = TYPE_NAMES.get(bytes[off + 3]!);
    if (!type) throw bad('itemType', off + 3, tag, `type 0x${bytes[off + 3]!.toString(16)} is not a KMIP item type`);
    const len = view.getUint32(off + 4);
    const start = off + 8;
    const fixed = FIXED[type];
    if (fixed !== undefined && len !== fixed) throw bad('length', off + 4, tag, `a ${type} is ${fixed} bytes long, not ${len}`);
    if (type === 'bigInteger' && (len === 0 || len % 8 !== 0)) throw bad('length', off + 4, tag, `a Big Integer is a positive multiple of 8 bytes, not ${len}`);
    const padded = len + pad8(len);
    if (padded > end - start) throw bad('truncated', off + 4, tag, `declares ${len} bytes but only ${end - start} remain`);
    for (let i = start + len; i < start + padded; i++) if (bytes[i] !== 0) throw bad('padding', i, tag, 'padding must be zero');
    const next = start + padded;
    switch (type) {
      case 'structure': {
        if (depth >= maxDepth) throw bad('depth', off, tag, `structures are nested deeper than ${maxDepth}`);
        const items: Item[] = [];
        for (let p = start; p < start + len; ) {
          const [child, after] = item(p, start + len, depth + 1);
          items.push(child);
          p = after;
        }
        return [{ tag, type, value: items }, next];
      }
      case 'integer':
        return [{ tag, type, value: view.getInt32(start) }, next];
      case 'enumeration':
      case 'interval':
        return [{ tag, type, value: view.getUint32(start) }, next];
      case 'longInteger':
      case 'dateTime':
      case 'dateTimeExtended':
        return [{ tag, type, value: view.getBigInt64(start) }, next];
      case 'boolean': {
        const v = view.getBigUint64(start);
        if (v > 1n) throw bad('boolean', start, tag, `a Boolean is 0 or 1, not ${v}`);
        return [{ tag, type, value: v === 1n }, next];
      }
      case 'textString':
        try {
          return [{ tag, type, value: text.decode(bytes.subarray(start, start + len)) }, next];
        } catch {
          throw bad('utf8', start, tag, 'a Text String must be valid UTF-8');
        }
      case 'bigInteger':
      case 'byteString':
        return [{ tag, type, value: copyBytes(bytes.subarray(start, start + len)) }, next]; // a copy, never a view of the message
    }
  };
  const [top, end] = item(0, bytes.length, 0);
  if (end !== bytes.length) throw bad('trailing', end, undefined, `${bytes.length - end} bytes follow the item`);
  return top;
}

function encodedLength(it: Item): number {
  const len = valueLength(it);
  return 8 + len + pad8(len);
}

function valueLength(it: Item): number {
  switch (it.type) {
    case 'structure':
      return it.value.reduce((a, c) => a + encodedLength(c), 0);
    case 'textString':
      return new TextEncoder().encode(it.value).length;
    case 'bigInteger':
    case 'byteString':
      return it.value.length;
    default:
      return FIXED[it.type]!;
  }
}

/** Encode an item. Values are checked as strictly as decode checks them. */
export function encodeTtlv(top: Item): Uint8Array {
  const out = new Uint8Array(encodedLength(top));
  const view = new DataView(out.buffer);
  const write = (it: Item, off: number): number => {
    if (!Number.isInteger(it.tag) || (it.tag >> 16 !== 0x42 && it.tag >> 16 !== 0x54) || it.tag > 0xffffff) throw new InputError('ttlv.tag', 'tag', `0x${Number(it.tag).toString(16)} is not a KMIP tag`);
    const code = TYPE_CODES[it.type];
    if (code === undefined) throw new InputError('ttlv.itemType', hexTag(it.tag), `"${String(it.type)}" is not a KMIP item type`);
    out[off] = it.tag >> 16;
    out[off + 1] = (it.tag >> 8) & 0xff;
    out[off + 2] = it.tag & 0xff;
    out[off + 3] = code;
    const len = valueLength(it);
    view.setUint32(off + 4, len);
    const v = off + 8;
    const field = `tag ${hexTag(it.tag)}`;
    switch (it.type) {
      case 'structure': {
        let p = v;
        for (const c of it.value) p = write(c, p);
        break;
      }
      case 'integer':
        if (!Number.isInteger(it.value) || it.value < -(2 ** 31) || it.value >= 2 ** 31) throw new InputError('ttlv.value', field, 'an Integer is a 32-bit signed whole number');
        view.setInt32(v, it.value);
        break;
      case 'enumeration':
      case 'interval':
        if (!Number.isInteger(it.value) || it.value < 0 || it.value >= 2 ** 32) throw new InputError('ttlv.value', field, `an ${it.type} is a 32-bit unsigned whole number`);
        view.setUint32(v, it.value);
        break;
      case 'longInteger':
      case 'dateTime':
      case 'dateTimeExtended':
        if (typeof it.value !== 'bigint' || it.value < -(2n ** 63n) || it.value >= 2n ** 63n) throw new InputError('ttlv.value', field, 'must be a 64-bit signed bigint');
        view.setBigInt64(v, it.value);
        break;
      case 'boolean':
        view.setBigUint64(v, it.value ? 1n : 0n);
        break;
      case 'textString':
        out.set(new TextEncoder().encode(it.value), v);
        break;
      case 'bigInteger':
        if (it.value.length === 0 || it.value.length % 8 !== 0) throw new InputError('ttlv.value', field, 'a Big Integer is a positive multiple of 8 bytes');
        out.set(it.value, v);
        break;
      case 'byteString':
        out.set(it.value, v);
        break;
    }
    return v + len + pad8(len);
  };
  write(top, 0);
  return out;
}
