import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { nobleProvider } from '../../../src/core/crypto/noble';
import { nativeProvider } from '../../../src/node/native-provider';
import { PRIMITIVES, type CryptoProvider } from '../../../src/core/crypto/provider';
import { InputError, VerifyError } from '../../../src/core/errors';
import { hex, loadVector, rsaTestKey, toHexStr } from '../../helpers/vectors';

const providers: CryptoProvider[] = [nobleProvider, nativeProvider];

type Kw = { cases: { name: string; kek: string; key: string; wrapped: string }[] };
type Cmac = { key: string; cases: { name: string; message: string; mac: string }[] };
type Ed = { cases: { name: string; secret: string; public: string; message: string; signature: string }[] };
type Misc = {
  sha256: { message: string; digest: string }[];
  sha512: { message: string; digest: string }[];
  hmacSha256: { key: string; data: string; mac: string }[];
  hkdfSha256: { ikm: string; salt: string; info: string; length: number; okm: string }[];
  scrypt: { password: string; salt: string; logN: number; r: number; p: number; dkLen: number; key: string }[];
  aesGcm: { source: string; key: string; nonce: string; plaintext: string; aad: string; sealed: string }[];
};

const rfc3394 = loadVector<Kw>('rfc3394.json');
const rfc5649 = loadVector<Kw>('rfc5649.json');
const rfc4493 = loadVector<Cmac>('rfc4493.json');
const rfc8032 = loadVector<Ed>('rfc8032.json');
const misc = loadVector<Misc>('misc.json');

describe.each(providers)('$name provider: published known-answer tests', (p) => {
  it('SHA-256 / SHA-512 (FIPS 180-2)', () => {
    for (const v of misc.sha256) expect(toHexStr(p.sha256(hex(v.message)))).toBe(v.digest);
    for (const v of misc.sha512) expect(toHexStr(p.sha512(hex(v.message)))).toBe(v.digest);
  });
  it('HMAC-SHA-256 (RFC 4231)', () => {
    for (const v of misc.hmacSha256) expect(toHexStr(p.hmacSha256(hex(v.key), hex(v.data)))).toBe(v.mac);
  });
  it('HKDF-SHA-256 (RFC 5869)', () => {
    for (const v of misc.hkdfSha256) expect(toHexStr(p.hkdfSha256(hex(v.ikm), hex(v.salt), hex(v.info), v.length))).toBe(v.okm);
  });
  it('scrypt (RFC 7914)', async () => {
    for (const v of misc.scrypt) {
      const k = await p.scrypt(hex(v.password), hex(v.salt), { logN: v.logN, r: v.r, p: v.p, dkLen: v.dkLen });
      expect(toHexStr(k)).toBe(v.key);
    }
  });
  it.each(misc.aesGcm)('AES-GCM $source', (v) => {
    const aad = v.aad ? hex(v.aad) : undefined;
    expect(toHexStr(p.aesGcmEncrypt(hex(v.key), hex(v.nonce), hex(v.plaintext), aad))).toBe(v.sealed);
    expect(toHexStr(p.aesGcmDecrypt(hex(v.key), hex(v.nonce), hex(v.sealed), aad))).toBe(v.plaintext);
  });
  it.each(rfc3394.cases)('AES key wrap RFC 3394 $name', (v) => {
    expect(toHexStr(p.aesKeyWrap(hex(v.kek), hex(v.key)))).toBe(v.wrapped.toLowerCase());
    expect(toHexStr(p.aesKeyUnwrap(hex(v.kek), hex(v.wrapped)))).toBe(v.key.toLowerCase());
  });
  it.each(rfc5649.cases)('AES key wrap with padding RFC 5649 $name', (v) => {
    expect(toHexStr(p.aesKeyWrapPad(hex(v.kek), hex(v.key)))).toBe(v.wrapped);
    expect(toHexStr(p.aesKeyUnwrapPad(hex(v.kek), hex(v.wrapped)))).toBe(v.key);
  });
  it.each(rfc4493.cases)('AES-CMAC RFC 4493 $name', (v) => {
    expect(toHexStr(p.aesCmac(hex(rfc4493.key), hex(v.message)))).toBe(v.mac);
  });
  it.each(rfc8032.cases)('Ed25519 RFC 8032 $name', (v) => {
    expect(toHexStr(p.ed25519PublicKey(hex(v.secret)))).toBe(v.public);
    expect(toHexStr(p.ed25519Sign(hex(v.secret), hex(v.message)))).toBe(v.signature);
    expect(p.ed25519Verify(hex(v.public), hex(v.message), hex(v.signature))).toBe(true);
    const bad = hex(v.signature);
    bad[0]! ^= 1;
    expect(p.ed25519Verify(hex(v.public), hex(v.message), bad)).toBe(false);
  });
});

describe.each(providers)('$name provider: refusals', (p) => {
  it('a wrong KEK or altered wrap is a VerifyError naming the input', () => {
    const v = rfc5649.cases[0]!;
    const kek = hex(v.kek);
    kek[0]! ^= 1;
    expect(() => p.aesKeyUnwrapPad(kek, hex(v.wrapped))).toThrow(VerifyError);
    const w = hex(rfc3394.cases[0]!.wrapped);
    w[5]! ^= 0x80;
    expect(() => p.aesKeyUnwrap(hex(rfc3394.cases[0]!.kek), w)).toThrowError(/wrapped: integrity check failed/);
  });
  it('an altered GCM ciphertext, tag or AAD is a VerifyError', () => {
    const v = misc.aesGcm[3]!;
    const sealed = hex(v.sealed);
    for (const i of [0, sealed.length - 1]) {
      const s = sealed.slice();
      s[i]! ^= 1;
      expect(() => p.aesGcmDecrypt(hex(v.key), hex(v.nonce), s, hex(v.aad))).toThrow(VerifyError);
    }
    expect(() => p.aesGcmDecrypt(hex(v.key), hex(v.nonce), sealed, new Uint8Array(1))).toThrow(VerifyError);
  });
  it('bad arguments are InputErrors naming the parameter', () => {
    const k = new Uint8Array(32);
    expect(() => p.aesGcmEncrypt(new Uint8Array(20), new Uint8Array(12), k)).toThrowError(/^key: must be 16, 32 bytes/);
    expect(() => p.aesGcmEncrypt(k, new Uint8Array(8), k)).toThrowError(/^nonce: must be 12 bytes/);
    expect(() => p.aesKeyWrap(k, new Uint8Array(12))).toThrowError(/^keyData: must be a multiple of 8/);
    expect(() => p.aesKeyWrapPad(k, new Uint8Array(0))).toThrow(InputError);
    expect(() => p.ed25519Sign(new Uint8Array(31), k)).toThrowError(/^seed: must be 32 bytes/);
    expect(() => p.hkdfSha256(k, k, k, 255 * 32 + 1)).toThrowError(/^length: must be between/);
    expect(() => p.rsaOaepSha256Encrypt(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), k)).toThrow(InputError);
    expect(() => p.rsaOaepSha256Encrypt(rsaTestKey(3072).spki, new Uint8Array(320))).toThrowError(/^plaintext: must be at most 318 bytes/);
  });
  it('scrypt parameters are bounded', async () => {
    await expect(p.scrypt(k1, k1, { logN: 21, r: 8, p: 1, dkLen: 32 })).rejects.toThrowError(/^params.logN: must be between 1 and 20/);
    await expect(p.scrypt(k1, k1, { logN: 20, r: 16, p: 1, dkLen: 32 })).rejects.toThrowError(/^params: would need more than 1024 MiB/);
  });
  it('HKDF info is bounded the same way for both providers', () => {
    expect(() => p.hkdfSha256(k1, k1, new Uint8Array(1025), 32)).toThrowError(/^info: must be at most 1024 bytes/);
    expect(p.hkdfSha256(k1, k1, new Uint8Array(1024), 32).length).toBe(32);
  });
});
const k1 = new Uint8Array(1);

describe('native results own their memory', () => {
  it('small outputs (unwrapped keys, MACs, HKDF) never expose a shared Buffer pool through .buffer', () => {
    const v = rfc5649.cases[0]!;
    const outs = [
      nativeProvider.aesKeyUnwrapPad(hex(v.kek), hex(v.wrapped)),
      nativeProvider.aesKeyUnwrap(hex(rfc3394.cases[0]!.kek), hex(rfc3394.cases[0]!.wrapped)),
      nativeProvider.hmacSha256(new Uint8Array(32), new Uint8Array(3)),
      nativeProvider.hkdfSha256(new Uint8Array(32), new Uint8Array(0), new Uint8Array(0), 32),
      nativeProvider.sha256(new Uint8Array(1)),
      nativeProvider.aesGcmDecrypt(hex(misc.aesGcm[1]!.key), hex(misc.aesGcm[1]!.nonce), hex(misc.aesGcm[1]!.sealed)),
    ];
    for (const o of outs) expect(o.buffer.byteLength).toBe(o.length);
  });
});

describe('native and noble agree byte for byte', () => {
  it('lists what the native provider computes natively', () => {
    expect(nobleProvider.native.size).toBe(PRIMITIVES.length);
    for (const name of ['sha256', 'aesGcm', 'ed25519', 'rsaOaepSha256', 'scrypt'] as const) expect(nativeProvider.native.has(name)).toBe(true);
  });

  const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
  const key = fc.constantFrom(16, 32).chain((n) => bytes(n, n));
  const kek = fc.constantFrom(16, 24, 32).chain((n) => bytes(n, n));
  const cfg = { numRuns: 300 };
  const same = (f: (p: CryptoProvider) => Uint8Array | boolean) => expect(f(nativeProvider)).toEqual(f(nobleProvider));

  it('hashes, HMAC, HKDF', () => {
    fc.assert(
      fc.property(bytes(0, 300), bytes(0, 80), bytes(0, 40), fc.integer({ min: 1, max: 200 }), (d, k, info, len) => {
        same((p) => p.sha256(d));
        for (const p of [nativeProvider, nobleProvider]) {
          // in 7-byte pieces, the digest of the whole
          const h = p.sha256Stream();
          for (let o = 0; o <= d.length; o += 7) h.update(d.subarray(o, o + 7));
          expect(toHexStr(h.digest())).toBe(toHexStr(p.sha256(d)));
        }
        same((p) => p.sha512(d));
        same((p) => p.hmacSha256(k, d));
        same((p) => p.hkdfSha256(d, k, info, len));
      }),
      cfg,
    );
  });
  it('AES-GCM both ways', () => {
    fc.assert(
      fc.property(key, bytes(12, 12), bytes(0, 300), fc.option(bytes(0, 50), { nil: undefined }), (k, n, pt, aad) => {
        same((p) => p.aesGcmEncrypt(k, n, pt, aad));
        const d = nativeProvider.aesGcmEncryptDetached(k, n, pt, aad);
        expect(new Uint8Array([...d.ciphertext, ...d.tag])).toEqual(nobleProvider.aesGcmEncrypt(k, n, pt, aad));
        expect(nobleProvider.aesGcmEncryptDetached(k, n, pt, aad)).toEqual(d);
        const sealed = nobleProvider.aesGcmEncrypt(k, n, pt, aad);
        expect(nativeProvider.aesGcmDecrypt(k, n, sealed, aad)).toEqual(pt);
      }),
      cfg,
    );
  });
  it('AES key wrap, with and without padding, and CMAC', () => {
    fc.assert(
      fc.property(kek, fc.integer({ min: 2, max: 8 }).chain((n) => bytes(8 * n, 8 * n)), bytes(1, 70), bytes(0, 100), (k, d, dp, m) => {
        same((p) => p.aesKeyWrap(k, d));
        same((p) => p.aesKeyWrapPad(k, dp));
        same((p) => p.aesKeyUnwrapPad(k, nobleProvider.aesKeyWrapPad(k, dp)));
        same((p) => p.aesCmac(k, m));
      }),
      cfg,
    );
  });
  it('Ed25519 signatures are identical and cross-verify', () => {
    fc.assert(
      fc.property(bytes(32, 32), bytes(0, 200), (seed, msg) => {
        same((p) => p.ed25519PublicKey(seed));
        same((p) => p.ed25519Sign(seed, msg));
        const sig = nativeProvider.ed25519Sign(seed, msg);
        const pub = nobleProvider.ed25519PublicKey(seed);
        expect(nobleProvider.ed25519Verify(pub, msg, sig)).toBe(true);
        const bad = sig.slice();
        bad[sig.length - 1]! ^= 0x10;
        same((p) => p.ed25519Verify(pub, msg, bad));
      }),
      { numRuns: 100 },
    );
  });
  it('random bytes as Ed25519 public key and signature never throw and agree', () => {
    fc.assert(
      fc.property(bytes(32, 32), bytes(64, 64), bytes(0, 20), (pub, sig, msg) => {
        same((p) => p.ed25519Verify(pub, msg, sig));
      }),
      { numRuns: 300 },
    );
  });
  it('RSA-OAEP-SHA-256 decrypts across providers (randomised, so compared by decryption)', () => {
    for (const bits of [3072, 4096] as const) {
      const { spki, pkcs8 } = rsaTestKey(bits);
      const msg = Uint8Array.from({ length: 32 }, (_, i) => i);
      expect(nobleProvider.rsaOaepSha256Decrypt(pkcs8, nativeProvider.rsaOaepSha256Encrypt(spki, msg))).toEqual(msg);
      expect(nativeProvider.rsaOaepSha256Decrypt(pkcs8, nobleProvider.rsaOaepSha256Encrypt(spki, msg))).toEqual(msg);
      const c = nativeProvider.rsaOaepSha256Encrypt(spki, msg);
      c[10]! ^= 1;
      for (const p of providers) expect(() => p.rsaOaepSha256Decrypt(pkcs8, c)).toThrow(VerifyError);
    }
  });
  it('a private-key buffer rewritten in place is parsed again: wiped, it decrypts nothing; another key in it decrypts as that key', () => {
    const a = rsaTestKey(3072);
    let pair = generateKeyPairSync('rsa', { modulusLength: 3072 });
    for (let i = 0; i < 30 && pair.privateKey.export({ type: 'pkcs8', format: 'der' }).length !== a.pkcs8.length; i++) pair = generateKeyPairSync('rsa', { modulusLength: 3072 });
    const other = new Uint8Array(pair.privateKey.export({ type: 'pkcs8', format: 'der' }));
    const otherSpki = new Uint8Array(pair.publicKey.export({ type: 'spki', format: 'der' }));
    expect(other.length).toBe(a.pkcs8.length); // DER lengths differ by a byte at most: found within a few tries
    const msg = new Uint8Array(32).fill(9);
    const key = a.pkcs8.slice();
    const ct = nativeProvider.rsaOaepSha256Encrypt(a.spki, msg);
    expect(nativeProvider.rsaOaepSha256Decrypt(key, ct)).toEqual(msg);
    expect(nativeProvider.rsaOaepSha256Decrypt(key, ct)).toEqual(msg); // the parsed key, kept
    key.fill(0);
    expect(() => nativeProvider.rsaOaepSha256Decrypt(key, ct)).toThrow(InputError);
    key.set(other);
    expect(() => nativeProvider.rsaOaepSha256Decrypt(key, ct)).toThrow(VerifyError);
    expect(nativeProvider.rsaOaepSha256Decrypt(key, nativeProvider.rsaOaepSha256Encrypt(otherSpki, msg))).toEqual(msg);
  });
  it('scrypt is identical', async () => {
    const pw = new TextEncoder().encode('correct horse battery staple');
    const salt = new Uint8Array(16).fill(7);
    const params = { logN: 12, r: 8, p: 1, dkLen: 32 };
    expect(await nativeProvider.scrypt(pw, salt, params)).toEqual(await nobleProvider.scrypt(pw, salt, params));
  });
});
