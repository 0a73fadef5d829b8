/**
 * The TTLV codec against 248 encodings from the OASIS KMIP test cases (via PyKMIP's unit
 * tests) and messages captured between PyKMIP's client and server: every valid one decodes and
 * re-encodes to the identical bytes (unknown tags kept), every invalid one is refused with a
 * typed error naming the offset; random and mutated input never escapes as an untyped error.
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeTtlv, encodeTtlv, type Item } from '../../src/kmip/ttlv';
import { InputError } from '../../src/core/errors';
import { payloads } from '../../src/kmip/messages';

interface Vector {
  id: string;
  hex: string;
  valid: boolean;
  dup_of?: string;
  problem?: string;
  top_tag: string;
}
const dir = 'test/vectors/kmip';
const vectors = (JSON.parse(readFileSync(`${dir}/oasis-vectors.json`, 'utf8')) as Vector[]).filter((v) => !v.dup_of);
const captured = readdirSync(dir)
  .filter((f) => f.endsWith('.hex'))
  .map((f) => [f, Buffer.from(readFileSync(`${dir}/${f}`, 'utf8').trim(), 'hex')] as const);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('TTLV codec', () => {
  it(`round-trips every valid OASIS/PyKMIP vector (${vectors.filter((v) => v.valid).length}) to identical bytes`, () => {
    const valid = vectors.filter((v) => v.valid);
    expect(valid.length).toBeGreaterThan(200);
    for (const v of valid) {
      const item = decodeTtlv(Buffer.from(v.hex, 'hex'));
      expect(item.tag.toString(16).padStart(6, '0'), v.id).toBe(v.top_tag.toLowerCase());
      expect(hex(encodeTtlv(item)), v.id).toBe(v.hex);
    }
  });
  it('refuses every invalid vector with a typed error naming the offset', () => {
    const invalid = vectors.filter((v) => !v.valid);
    expect(invalid.length).toBe(15);
    for (const v of invalid) {
      let err: unknown;
      try {
        decodeTtlv(Buffer.from(v.hex, 'hex'));
      } catch (e) {
        err = e;
      }
      expect(err, `${v.id}: ${v.problem}`).toBeInstanceOf(InputError);
      expect((err as InputError).field, v.id).toMatch(/^ttlv@\d+/);
    }
  });
  it('round-trips the captured request and response messages', () => {
    expect(captured.length).toBeGreaterThanOrEqual(20);
    for (const [f, b] of captured) expect(hex(encodeTtlv(decodeTtlv(b))), f).toBe(hex(b));
  });
  it('decodes the values a reader needs', () => {
    const reg = decodeTtlv(Buffer.from(readFileSync(`${dir}/register.req.hex`, 'utf8').trim(), 'hex'));
    const find = (it: Item, tag: number): Item | undefined => (it.tag === tag ? it : it.type === 'structure' ? it.value.map((c) => find(c, tag)).find(Boolean) : undefined);
    expect(find(reg, 0x420043)).toMatchObject({ type: 'byteString', value: Uint8Array.from({ length: 32 }, (_, i) => i) });
    expect(find(reg, 0x420055)).toEqual({ tag: 0x420055, type: 'textString', value: 'ts-test-key-1' });
    expect(find(reg, 0x42002a)).toEqual({ tag: 0x42002a, type: 'integer', value: 256 });
  });
  it('names the problem: truncation, trailing bytes, depth, size, a foreign tag', () => {
    const b = captured.find(([f]) => f === 'get.req.hex')![1];
    expect(() => decodeTtlv(b.subarray(0, b.length - 8))).toThrowError(/^ttlv@\d+ \(tag 42007[0-9a-f]\): declares \d+ bytes but only \d+ remain/);
    expect(() => decodeTtlv(Buffer.concat([b, Buffer.alloc(8)]))).toThrowError(/^ttlv@\d+: 8 bytes follow the item/);
    expect(() => decodeTtlv(b, { maxBytes: 16 })).toThrowError(/more than the 16 accepted/);
    expect(() => decodeTtlv(b, { maxDepth: 2 })).toThrowError(/nested deeper than 2/);
    const foreign = Buffer.from(b);
    foreign[0] = 0x43;
    expect(() => decodeTtlv(foreign)).toThrowError(/^ttlv@0 \(tag 43007[0-9a-f]\): is not a KMIP tag/);
  });
  it('encode refuses values decode would refuse', () => {
    expect(() => encodeTtlv({ tag: 0x420001, type: 'integer', value: 2 ** 31 })).toThrowError(/32-bit signed/);
    expect(() => encodeTtlv({ tag: 0x420001, type: 'bigInteger', value: new Uint8Array(3) })).toThrowError(/multiple of 8/);
    expect(() => encodeTtlv({ tag: 0x990001, type: 'integer', value: 1 })).toThrowError(/not a KMIP tag/);
  });
  it('random and mutated input: only typed errors, and whatever decodes re-encodes identically', () => {
    const seeds = captured.map(([, b]) => b);
    const check = (b: Uint8Array) => {
      try {
        const it = decodeTtlv(b);
        return hex(encodeTtlv(it)) === hex(b);
      } catch (e) {
        return e instanceof InputError;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), check), { numRuns: 10_000 });
    fc.assert(
      fc.property(fc.nat(seeds.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.option(fc.nat(), { nil: undefined }), (k, edits, cut) => {
        const b = Buffer.from(seeds[k]!);
        for (const [pos, val] of edits) b[pos % b.length] = val;
        return check(cut === undefined ? b : b.subarray(0, cut % (b.length + 1)));
      }),
      { numRuns: 10_000 },
    );
  });
});

describe('the wrapped Register payload (KMIP 1.2 §2.1.3-§2.1.5), with the tag numbers written out', () => {
  it('puts the wrap in a Byte String Key Value and describes RSA-AES in Key Wrapping Data', () => {
    const wrap = Uint8Array.from({ length: 552 }, (_, i) => i & 255);
    const items = payloads.register({ material: wrap, wrappedBy: 'pub-9', length: 256, name: 'k', usageMask: 0x30 });
    const e = (tag: number, value: number) => ({ tag, type: 'enumeration', value });
    const key = items.find((i) => i.tag === 0x42008f)!; // Symmetric Key
    expect(key).toEqual({
      tag: 0x42008f,
      type: 'structure',
      value: [
        {
          tag: 0x420040, // Key Block
          type: 'structure',
          value: [
            e(0x420042, 1), // Key Format Type: Raw
            { tag: 0x420045, type: 'byteString', value: wrap }, // Key Value: the wrapped bytes
            e(0x420028, 3), // Cryptographic Algorithm: AES
            { tag: 0x42002a, type: 'integer', value: 256 }, // Cryptographic Length of the key inside
            {
              tag: 0x420046, // Key Wrapping Data
              type: 'structure',
              value: [
                e(0x42009e, 1), // Wrapping Method: Encrypt
                {
                  tag: 0x420036, // Encryption Key Information
                  type: 'structure',
                  value: [
                    { tag: 0x420094, type: 'textString', value: 'pub-9' },
                    { tag: 0x42002b, type: 'structure', value: [e(0x420011, 0x0c), e(0x42005f, 2), e(0x420038, 6), e(0x420028, 3)] }, // AES Key Wrap Padding, OAEP, SHA-256, AES
                  ],
                },
                e(0x4200a3, 1), // Encoding Option: No Encoding
              ],
            },
          ],
        },
      ],
    });
    // And it encodes: every item is a valid TTLV value.
    expect(decodeTtlv(encodeTtlv({ tag: 0x420079, type: 'structure', value: items }))).toEqual({ tag: 0x420079, type: 'structure', value: items });
  });
});
