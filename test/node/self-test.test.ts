import { describe, expect, it } from 'vitest';
import { nobleRaw } from '../../src/core/crypto/noble';
import { PRIMITIVES } from '../../src/core/crypto/provider';
import { nativeProvider, nativeSelfTest } from '../../src/node/native-provider';
import { METHODS, selfTested, SelfTestFailure } from '../../src/node/self-test';

/** The pure-JS provider stands in for a native library in these tests (it passes every check). */
const nativeRawForTest = () => ({ ...nobleRaw });

describe('native power-on self-test', () => {
  it('under Node/OpenSSL every primitive but CMAC runs natively', () => {
    for (const p of PRIMITIVES) expect(nativeSelfTest[p]).toBe(p === 'aesCmac' ? 'fallback: not offered by this crypto library' : 'native');
    expect([...nativeProvider.native].sort()).toEqual(PRIMITIVES.filter((p) => p !== 'aesCmac').sort());
  });
  it('a primitive the library does not offer (throws) is served by the pure-JS one, and says why', () => {
    const partial = { ...nativeRawForTest(), aesKeyWrapPad: () => { throw new Error('unsupported cipher'); } };
    const { raw, result } = selfTested(partial, nobleRaw, ['aesCmac']);
    expect(result.aesKeyWrapPad).toBe('fallback: unsupported cipher');
    expect(result.aesCmac).toBe('fallback: not offered by this crypto library');
    expect(result.ed25519).toBe('native');
    for (const m of METHODS.aesKeyWrapPad) expect(raw[m]).toBe(nobleRaw[m]);
  });
  it('a wrong answer is fatal: the library cannot be trusted for anything', () => {
    const lying = { ...nobleRaw, sha256: () => new Uint8Array(32) };
    expect(() => selfTested(lying, nobleRaw, [])).toThrowError(/crypto self-test failed, refusing to run: sha256 gave a wrong known answer/);
  });
  it('RSA never falls back to the variable-time pure-JS implementation', () => {
    const noRsa = { ...nobleRaw, rsaOaepSha256Decrypt: () => { throw new Error('no RSA here'); } };
    expect(() => selfTested(noRsa, nobleRaw, [])).toThrowError(SelfTestFailure);
    expect(() => selfTested(noRsa, nobleRaw, [])).toThrowError(/rsaOaepSha256 is not available natively \(no RSA here\)/);
  });
  it('the pure-JS provider itself passes every known answer', () => {
    expect(Object.values(selfTested(nobleRaw, nobleRaw, []).result).every((v) => v === 'native')).toBe(true);
  });
});
