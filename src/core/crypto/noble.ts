/** The pure-JavaScript provider: @noble/hashes, @noble/ciphers, @noble/curves, micro-rsa-dsa-dh. */
import { aeskw, aeskwp, cmac, gcm } from '@noble/ciphers/aes.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { OAEP, PSS, mgf1 } from 'micro-rsa-dsa-dh/rsa.js';
import { makeProvider, type RawProvider } from './checked';
import { parseRsaPkcs8, parseRsaSpki } from './der';
import { PRIMITIVES } from './provider';

const oaep = OAEP(sha256, mgf1(sha256));
const pss = PSS(sha256, mgf1(sha256), 32);

export const nobleRaw: RawProvider = {
  sha256: (d) => sha256(d),
  sha256Stream() {
    const h = sha256.create();
    return { update: (d) => void h.update(d), digest: () => h.digest() };
  },
  sha512: (d) => sha512(d),
  hmacSha256: (k, d) => hmac(sha256, k, d),
  hkdfSha256: (ikm, salt, info, len) => hkdf(sha256, ikm, salt, info, len),
  aesGcmEncrypt: (k, n, pt, aad) => gcm(k, n, aad).encrypt(pt),
  aesGcmDecrypt: (k, n, ct, aad) => gcm(k, n, aad).decrypt(ct),
  aesGcmEncryptDetached(k, n, pt, aad) {
    const sealed = gcm(k, n, aad).encrypt(pt);
    return { ciphertext: sealed.subarray(0, pt.length), tag: sealed.subarray(pt.length) };
  },
  aesKeyWrap: (kek, d) => aeskw(kek).encrypt(d),
  aesKeyUnwrap: (kek, w) => aeskw(kek).decrypt(w),
  aesKeyWrapPad: (kek, d) => aeskwp(kek).encrypt(d),
  aesKeyUnwrapPad: (kek, w) => aeskwp(kek).decrypt(w),
  aesCmac: (k, m) => cmac(m, k), // noble's argument order is (message, key)
  rsaOaepSha256Encrypt(spki, pt) {
    const { n, e } = parseRsaSpki(spki);
    return oaep.encrypt({ n, e }, pt);
  },
  rsaOaepSha256Decrypt(pkcs8, ct) {
    const { n, d } = parseRsaPkcs8(pkcs8);
    return oaep.decrypt({ n, d }, ct);
  },
  rsaPssSha256Verify(spki, msg, sig) {
    const { n, e } = parseRsaSpki(spki);
    return pss.verify({ n, e }, msg, sig);
  },
  ed25519PublicKey: (seed) => ed25519.getPublicKey(seed),
  ed25519Sign: (seed, msg) => ed25519.sign(msg, seed),
  // zip215: false selects the strict RFC 8032 / FIPS 186-5 rules, as OpenSSL applies them.
  ed25519Verify: (pub, msg, sig) => ed25519.verify(sig, msg, pub, { zip215: false }),
  scrypt: (pw, salt, { logN, r, p, dkLen }) =>
    scryptAsync(pw, salt, { N: 2 ** logN, r, p, dkLen, maxmem: 2 ** 31 }),
};

export const nobleProvider = makeProvider('noble', PRIMITIVES, nobleRaw);
