import { describe, expect, it } from 'vitest';
import { nobleProvider } from '../../../src/core/crypto/noble';
import { nativeProvider } from '../../../src/node/native-provider';
import { formatKcv, kcv, parseKcv } from '../../../src/core/crypto/kcv';
import { rsaAesUnwrap, rsaAesWrap } from '../../../src/core/crypto/rsa-aes-wrap';
import { seededRng } from '../../../src/core/crypto/random';
import { InputError, VerifyError } from '../../../src/core/errors';
import { hex, loadVector, rsaTestKey } from '../../helpers/vectors';

const kcvVectors = loadVector<{ cases: { name: string; key: string; kcv: string }[] }>('kcv.json');

describe.each([nobleProvider, nativeProvider])('KCV with the $name provider', (p) => {
  it.each(kcvVectors.cases)('$name', (v) => {
    expect(kcv(p, hex(v.key))).toBe(v.kcv);
  });
  it('refuses a key that is not an AES key', () => {
    expect(() => kcv(p, new Uint8Array(20))).toThrowError(/^key: must be an AES key/);
  });
});

describe('KCV strings', () => {
  it('round-trip', () => {
    expect(formatKcv(parseKcv('cmac-aes:0a00e3'))).toBe('cmac-aes:0a00e3');
  });
  it.each(['cmac-aes:0A00E3', 'cmac-aes:0a00e', 'cmac-aes:0a00e3 ', 'ecb-aes:0a00e3', 'cmac-aes:0a00g3', 7])('refuse %s', (s) => {
    expect(() => parseKcv(s, 'share.kcv')).toThrowError(/^share.kcv: must be written cmac-aes:/);
  });
});

describe('RSA-AES key wrap (CKM_RSA_AES_KEY_WRAP)', () => {
  const target = hex('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f');
  it.each([3072, 4096] as const)('wraps to RSA-%i and both providers unwrap', (bits) => {
    const { spki, pkcs8 } = rsaTestKey(bits);
    for (const wrapper of [nobleProvider, nativeProvider]) {
      const wrapped = rsaAesWrap(wrapper, seededRng('wrap'), spki, target);
      expect(wrapped.length).toBe(bits / 8 + 40);
      for (const unwrapper of [nobleProvider, nativeProvider]) expect(rsaAesUnwrap(unwrapper, pkcs8, wrapped)).toEqual(target);
    }
  });
  it('refuses RSA-2048 recipients, naming the parameter', () => {
    expect(() => rsaAesWrap(nativeProvider, seededRng('x'), rsaTestKey(2048).spki, target)).toThrowError(/^recipientPublicKey: must be an RSA-3072 or RSA-4096 key, got RSA-2048/);
  });
  it('detects tampering in either part and a wrong length', () => {
    const { spki, pkcs8 } = rsaTestKey(3072);
    const wrapped = rsaAesWrap(nativeProvider, seededRng('t'), spki, target);
    for (const i of [5, 384 + 3]) {
      const w = wrapped.slice();
      w[i]! ^= 1;
      expect(() => rsaAesUnwrap(nativeProvider, pkcs8, w)).toThrow(VerifyError);
    }
    expect(() => rsaAesUnwrap(nativeProvider, pkcs8, wrapped.subarray(0, 390))).toThrow(InputError);
  });
  it('wipes the ephemeral AES key', () => {
    const { spki } = rsaTestKey(3072);
    let ephemeral: Uint8Array | undefined;
    const rng = (n: number) => (ephemeral = new Uint8Array(n).fill(9));
    rsaAesWrap(nativeProvider, rng, spki, target);
    expect(ephemeral).toEqual(new Uint8Array(32));
  });
});
