/**
 * The native provider: node:crypto, i.e. OpenSSL under Node and BoringSSL in Electron's main
 * process. At load, every primitive passes a known-answer self-test (src/node/self-test.ts)
 * before it is used; what the running library lacks or fails (BoringSSL has no AES key wrap
 * cipher through node:crypto, for example) is served by the pure-JS provider, and `native`
 * lists what really runs natively so tests and the about screen can say so.
 */
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  getCiphers,
  hkdfSync,
  privateDecrypt,
  publicEncrypt,
  scrypt as nodeScrypt,
  sign as nodeSign,
  verify as nodeVerify,
  type KeyObject,
} from 'node:crypto';
import { makeProvider, type RawProvider } from '../core/crypto/checked';
import { nobleRaw } from '../core/crypto/noble';
import type { PrimitiveName } from '../core/crypto/provider';
import { selfTested, type SelfTestResult } from './self-test';

/**
 * A plain Uint8Array of a result. A Buffer that owns its memory is viewed without a copy;
 * one that shares Node's pool (small Buffers do) is copied out and its pool bytes zeroed, so
 * `.buffer` of a result never exposes other data and no secret stays behind in the pool.
 */
function u8(b: Buffer | ArrayBuffer): Uint8Array {
  if (b instanceof ArrayBuffer) return new Uint8Array(b);
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) return new Uint8Array(b.buffer);
  const out = new Uint8Array(b);
  b.fill(0);
  return out;
}
/** A Buffer view of a Uint8Array (no copy). */
function buf(a: Uint8Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * The parsed RSA private key of a PKCS#8 buffer. Parsing costs about 40% of an RSA-4096
 * decryption, and an import decrypts once per key with the same transport key, so the parsed
 * key is kept for as long as the caller keeps that buffer (weakly, by identity), together with
 * a digest of its bytes: a buffer that changed (wiped, reused) is parsed again, never served
 * the key it held before.
 */
const parsedPrivateKeys = new WeakMap<Uint8Array, { digest: Buffer; key: KeyObject }>();
function privateKeyObject(pkcs8: Uint8Array): KeyObject {
  const digest = createHash('sha256').update(pkcs8).digest();
  const hit = parsedPrivateKeys.get(pkcs8);
  if (hit && hit.digest.equals(digest)) return hit.key;
  parsedPrivateKeys.delete(pkcs8); // the bytes changed: the key they held is not kept
  const key = createPrivateKey({ key: buf(pkcs8), format: 'der', type: 'pkcs8' });
  parsedPrivateKeys.set(pkcs8, { digest, key });
  return key;
}

// RFC 8410 §7 / §4: fixed DER prefixes of Ed25519 PKCS#8 and SubjectPublicKeyInfo.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
// RFC 3394 §2.2.3.1 default IV and RFC 5649 §3 alternative IV (the MLI is added by OpenSSL).
const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const KWP_IV = Buffer.from('a65959a6', 'hex');

const ciphers = new Set(getCiphers());
const hasKw = ['id-aes128-wrap', 'id-aes192-wrap', 'id-aes256-wrap'].every((c) => ciphers.has(c));
const hasKwp = ['id-aes128-wrap-pad', 'id-aes192-wrap-pad', 'id-aes256-wrap-pad'].every((c) => ciphers.has(c));
const unavailable: PrimitiveName[] = ['aesCmac']; // node:crypto exposes no CMAC
if (!hasKw) unavailable.push('aesKeyWrap');
if (!hasKwp) unavailable.push('aesKeyWrapPad');

function gcmName(key: Uint8Array): 'aes-128-gcm' | 'aes-256-gcm' {
  return key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm';
}

function wrapCipher(kek: Uint8Array, pad: boolean): string {
  return `id-aes${kek.length * 8}-wrap${pad ? '-pad' : ''}`;
}

function runCipher(decrypt: boolean, name: string, key: Uint8Array, iv: Buffer, data: Uint8Array): Uint8Array {
  const c = decrypt ? createDecipheriv(name, buf(key), iv) : createCipheriv(name, buf(key), iv);
  const parts: Buffer[] = [];
  try {
    parts.push(c.update(buf(data)));
    parts.push(c.final());
    return u8(Buffer.concat(parts));
  } finally {
    for (const p of parts) p.fill(0); // an unwrapped key must not linger in these
  }
}

/** Verification keys are reused across many signatures (a transcript has few signers). */
const publicKeyCache = new Map<string, KeyObject>();
function ed25519PublicKeyObject(pub: Uint8Array): KeyObject {
  const id = Buffer.from(pub).toString('hex');
  let k = publicKeyCache.get(id);
  if (!k) {
    k = createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, pub]), format: 'der', type: 'spki' });
    if (publicKeyCache.size >= 256) publicKeyCache.clear();
    publicKeyCache.set(id, k);
  }
  return k;
}

function ed25519PrivateKeyObject(seed: Uint8Array): KeyObject {
  const der = Buffer.concat([ED25519_PKCS8_PREFIX, seed]);
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}

const candidate: RawProvider = {
  sha256: (d) => u8(createHash('sha256').update(d).digest()),
  sha256Stream() {
    const h = createHash('sha256');
    return { update: (d) => void h.update(d), digest: () => u8(h.digest()) };
  },
  sha512: (d) => u8(createHash('sha512').update(d).digest()),
  hmacSha256: (k, d) => u8(createHmac('sha256', k).update(d).digest()),
  hkdfSha256: (ikm, salt, info, len) => u8(hkdfSync('sha256', ikm, salt, info, len)),
  aesGcmEncrypt(key, nonce, pt, aad) {
    const c = createCipheriv(gcmName(key), buf(key), buf(nonce), { authTagLength: 16 });
    if (aad) c.setAAD(buf(aad));
    return u8(Buffer.concat([c.update(buf(pt)), c.final(), c.getAuthTag()]));
  },
  aesGcmEncryptDetached(key, nonce, pt, aad) {
    const c = createCipheriv(gcmName(key), buf(key), buf(nonce), { authTagLength: 16 });
    if (aad) c.setAAD(buf(aad));
    const ciphertext = c.update(buf(pt));
    const rest = c.final(); // empty for GCM; joined only if a library ever returns bytes here
    return { ciphertext: u8(rest.length ? Buffer.concat([ciphertext, rest]) : ciphertext), tag: u8(c.getAuthTag()) };
  },
  aesGcmDecrypt(key, nonce, sealed, aad) {
    const d = createDecipheriv(gcmName(key), buf(key), buf(nonce), { authTagLength: 16 });
    if (aad) d.setAAD(buf(aad));
    d.setAuthTag(buf(sealed.subarray(sealed.length - 16)));
    const out = d.update(buf(sealed.subarray(0, sealed.length - 16)));
    let rest: Buffer;
    try {
      rest = d.final(); // authenticates; empty for GCM
    } catch (e) {
      out.fill(0); // unauthenticated plaintext is never returned nor left behind
      throw e;
    }
    return u8(rest.length ? Buffer.concat([out, rest]) : out);
  },
  aesKeyWrap: (kek, d) => runCipher(false, wrapCipher(kek, false), kek, KW_IV, d),
  aesKeyUnwrap: (kek, w) => runCipher(true, wrapCipher(kek, false), kek, KW_IV, w),
  aesKeyWrapPad: (kek, d) => runCipher(false, wrapCipher(kek, true), kek, KWP_IV, d),
  aesKeyUnwrapPad: (kek, w) => runCipher(true, wrapCipher(kek, true), kek, KWP_IV, w),
  aesCmac: nobleRaw.aesCmac,
  rsaOaepSha256Encrypt(spki, pt) {
    const key = createPublicKey({ key: buf(spki), format: 'der', type: 'spki' });
    return u8(publicEncrypt({ key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, buf(pt)));
  },
  rsaOaepSha256Decrypt(pkcs8, ct) {
    return u8(privateDecrypt({ key: privateKeyObject(pkcs8), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, buf(ct)));
  },
  rsaPssSha256Verify(spki, msg, sig) {
    const key = createPublicKey({ key: buf(spki), format: 'der', type: 'spki' });
    return nodeVerify('sha256', buf(msg), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, buf(sig));
  },
  ed25519PublicKey(seed) {
    const spki = createPublicKey(ed25519PrivateKeyObject(seed)).export({ format: 'der', type: 'spki' });
    return u8(spki.subarray(ED25519_SPKI_PREFIX.length));
  },
  ed25519Sign: (seed, msg) => u8(nodeSign(null, buf(msg), ed25519PrivateKeyObject(seed))),
  ed25519Verify: (pub, msg, sig) => nodeVerify(null, buf(msg), ed25519PublicKeyObject(pub), buf(sig)),
  scrypt: (pw, salt, { logN, r, p, dkLen }) =>
    new Promise((resolve, reject) => {
      const N = 2 ** logN;
      // The checked layer bounds 128*r*N to 1 GiB; OpenSSL also counts the p blocks.
      nodeScrypt(buf(pw), buf(salt), dkLen, { N, r, p, maxmem: 2 ** 31 }, (err, key) =>
        err ? reject(err) : resolve(u8(key)),
      );
    }),
};

const { raw, result } = selfTested(candidate, nobleRaw, unavailable);

/** Per primitive: computed natively, or by the pure-JS provider and why. */
export const nativeSelfTest: Readonly<SelfTestResult> = Object.freeze(result);

export const nativeProvider = makeProvider(
  'native',
  (Object.keys(result) as PrimitiveName[]).filter((n) => result[n] === 'native'),
  raw,
);
