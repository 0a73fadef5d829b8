import { describe, expect, it } from 'vitest';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { entropyToMnemonic } from '@scure/bip39';
import { canonicalJson, parseCanonicalJson } from '../../../src/core/transcript/canonical';
import { fingerprintWords } from '../../../src/core/transcript/words';
import { InputError } from '../../../src/core/errors';

describe('fingerprint words', () => {
  it('are the BIP-39 encoding of the leading bits (cross-checked with the BIP-39 library)', () => {
    const d = Uint8Array.from({ length: 32 }, (_, i) => (i * 37 + 11) & 0xff);
    // 24 words of 32 bytes of entropy: the first 23 carry only entropy bits, in order.
    expect(fingerprintWords(d, 23)).toEqual(entropyToMnemonic(d, wordlist).split(' ').slice(0, 23));
    expect(fingerprintWords(d)).toHaveLength(8);
  });
  it('refuse more words than the digest holds', () => {
    expect(() => fingerprintWords(new Uint8Array(4), 3)).toThrowError(/^count: must be between 1 and 2/);
  });
});

describe('canonical JSON (RFC 8785)', () => {
  it('sorts keys and normalises numbers as the RFC says', () => {
    expect(canonicalJson({ b: 1, a: [1e21, 0.1, -0, 'é'], c: { z: null, y: true } })).toBe('{"a":[1e+21,0.1,0,"é"],"b":1,"c":{"y":true,"z":null}}');
  });
  it('refuses values with no canonical form, and non-canonical text, naming the field', () => {
    expect(() => canonicalJson({ x: NaN }, 'event')).toThrow(InputError);
    expect(() => canonicalJson({ x: '\uD800' }, 'event')).toThrowError(/^event: has no canonical JSON form/);
    expect(() => parseCanonicalJson('{"b":1,"a":2}', 'line[1]')).toThrowError(/^line\[1\]: is not in RFC 8785 canonical form/);
    expect(() => parseCanonicalJson('{"a":', 'line[2]')).toThrowError(/^line\[2\]: is not valid JSON/);
    expect(parseCanonicalJson('{"a":2,"b":1}')).toEqual({ a: 2, b: 1 });
  });
});
