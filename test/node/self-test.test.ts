import { describe, expect, it } from 'vitest';
import { nobleRaw } from '../../src/core/crypto/noble';
import { PRIMITIVES } from '../../src/core/crypto/provider';
import { nativeProvider, nativeSelfTest } from '../../src/node/native-provider';
import { METHODS, selfTested } from '../../src/node/self-test';

describe('native power-on self-test', () => {
  it('under Node/OpenSSL every primitive but CMAC runs natively', () => {
    for (const p of PRIMITIVES) expect(nativeSelfTest[p]).toBe(p === 'aesCmac' ? 'fallback: not offered by this crypto library' : 'native');
    expect([...nativeProvider.native].sort()).toEqual(PRIMITIVES.filter((p) => p !== 'aesCmac').sort());
  });
  it('a primitive that gives a wrong answer or throws is replaced by the pure-JS one, and says why', () => {
    const broken = { ...nobleRaw, sha256: () => new Uint8Array(32), aesKeyWrapPad: () => { throw new Error('unsupported cipher'); } };
    const { raw, result } = selfTested(broken, nobleRaw, ['aesCmac']);
    expect(result.sha256).toBe('fallback: known-answer test failed');
    expect(result.aesKeyWrapPad).toBe('fallback: unsupported cipher');
    expect(result.aesCmac).toBe('fallback: not offered by this crypto library');
    expect(result.ed25519).toBe('native');
    expect(raw.sha256).toBe(nobleRaw.sha256);
    for (const m of METHODS.aesKeyWrapPad) expect(raw[m]).toBe(nobleRaw[m]);
  });
});
