/**
 * Argument checks shared by every provider, so both implementations accept and refuse exactly
 * the same inputs and every refusal names the parameter.
 */
import { CryptoError, InputError, VerifyError } from '../errors';
import { assertBytes, assertInt } from './bytes';
import { parseRsaPkcs8, parseRsaSpki } from './der';
import type { CryptoProvider, PrimitiveName, ScryptParams } from './provider';

export type RawProvider = Omit<CryptoProvider, 'name' | 'native'>;

function aesKey(key: unknown, field: string, sizes: number[]): asserts key is Uint8Array {
  assertBytes(key, field);
  if (!sizes.includes(key.length))
    throw new InputError('key.length', field, `must be ${sizes.join(', ')} bytes, got ${key.length}`);
}

function optBytes(v: unknown, field: string): void {
  if (v !== undefined) assertBytes(v, field);
}

function gcmArgs(key: unknown, nonce: unknown, data: unknown, dataName: string, aad: unknown): void {
  aesKey(key, 'key', [16, 32]);
  assertBytes(nonce, 'nonce', 12);
  assertBytes(data, dataName);
  optBytes(aad, 'aad');
}

/** Map a library's authentication failure to VerifyError; keep our own typed errors. */
function authFail<T>(fn: () => T, code: string, field: string, what: string): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof InputError || e instanceof VerifyError) throw e;
    throw new VerifyError(code, field, what, { cause: e });
  }
}

/**
 * scrypt bounds, the same for both providers: work factor at most 2^20 (what the age
 * libraries accept everywhere) and at most 1 GiB for the N-block table (128 * r * N), so a
 * share file cannot make the workstation allocate more.
 */
export const MAX_SCRYPT_LOG_N = 20;
export const MAX_SCRYPT_MEMORY = 2 ** 30;

export function checkScryptParams(params: ScryptParams): void {
  if (typeof params !== 'object' || params === null) throw new InputError('scrypt.params', 'params', 'must be an object');
  assertInt(params.logN, 'params.logN', 1, MAX_SCRYPT_LOG_N);
  assertInt(params.r, 'params.r', 1, 32);
  assertInt(params.p, 'params.p', 1, 16);
  assertInt(params.dkLen, 'params.dkLen', 16, 64);
  if (128 * params.r * 2 ** params.logN > MAX_SCRYPT_MEMORY)
    throw new InputError('scrypt.memory', 'params', `would need more than ${MAX_SCRYPT_MEMORY / 2 ** 20} MiB (128 * r * 2^logN)`);
}

export function makeProvider(name: string, native: Iterable<PrimitiveName>, raw: RawProvider): CryptoProvider {
  return Object.freeze({
    name,
    native: new Set(native),
    sha256(data) {
      assertBytes(data, 'data');
      return raw.sha256(data);
    },
    sha256Stream() {
      const h = raw.sha256Stream();
      let done = false;
      return {
        update(data) {
          assertBytes(data, 'data');
          if (done) throw new InputError('hash.done', 'hash', 'is already finished');
          h.update(data);
        },
        digest() {
          if (done) throw new InputError('hash.done', 'hash', 'is already finished');
          done = true;
          return h.digest();
        },
      };
    },
    sha512(data) {
      assertBytes(data, 'data');
      return raw.sha512(data);
    },
    hmacSha256(key, data) {
      assertBytes(key, 'key');
      assertBytes(data, 'data');
      return raw.hmacSha256(key, data);
    },
    hkdfSha256(ikm, salt, info, length) {
      assertBytes(ikm, 'ikm');
      assertBytes(salt, 'salt');
      assertBytes(info, 'info');
      // OpenSSL refuses longer info; the same limit for both providers.
      if (info.length > 1024) throw new InputError('hkdf.info', 'info', 'must be at most 1024 bytes');
      assertInt(length, 'length', 1, 255 * 32); // RFC 5869 §2.3: L <= 255*HashLen
      return raw.hkdfSha256(ikm, salt, info, length);
    },
    aesGcmEncrypt(key, nonce, plaintext, aad) {
      gcmArgs(key, nonce, plaintext, 'plaintext', aad);
      return raw.aesGcmEncrypt(key, nonce, plaintext, aad);
    },
    aesGcmEncryptDetached(key, nonce, plaintext, aad) {
      gcmArgs(key, nonce, plaintext, 'plaintext', aad);
      return raw.aesGcmEncryptDetached(key, nonce, plaintext, aad);
    },
    aesGcmDecrypt(key, nonce, sealed, aad) {
      gcmArgs(key, nonce, sealed, 'sealed', aad);
      if (sealed.length < 16) throw new InputError('gcm.length', 'sealed', 'is shorter than the 16-byte tag');
      return authFail(() => raw.aesGcmDecrypt(key, nonce, sealed, aad), 'gcm.tag', 'sealed', 'authentication failed (wrong key, or the data was altered)');
    },
    aesKeyWrap(kek, keyData) {
      aesKey(kek, 'kek', [16, 24, 32]);
      assertBytes(keyData, 'keyData');
      // RFC 3394 §2: n >= 2 64-bit blocks of plaintext.
      if (keyData.length < 16 || keyData.length % 8 !== 0)
        throw new InputError('kw.length', 'keyData', 'must be a multiple of 8 bytes and at least 16 (RFC 3394 §2)');
      return raw.aesKeyWrap(kek, keyData);
    },
    aesKeyUnwrap(kek, wrapped) {
      aesKey(kek, 'kek', [16, 24, 32]);
      assertBytes(wrapped, 'wrapped');
      if (wrapped.length < 24 || wrapped.length % 8 !== 0)
        throw new InputError('kw.length', 'wrapped', 'must be a multiple of 8 bytes and at least 24 (RFC 3394 §2.2.2)');
      return authFail(() => raw.aesKeyUnwrap(kek, wrapped), 'kw.integrity', 'wrapped', 'integrity check failed (RFC 3394 §2.2.3): wrong KEK or altered data');
    },
    aesKeyWrapPad(kek, keyData) {
      aesKey(kek, 'kek', [16, 24, 32]);
      assertBytes(keyData, 'keyData');
      if (keyData.length < 1 || keyData.length > 0xffffffff)
        throw new InputError('kwp.length', 'keyData', 'must be 1 to 2^32-1 bytes (RFC 5649 §3)');
      return raw.aesKeyWrapPad(kek, keyData);
    },
    aesKeyUnwrapPad(kek, wrapped) {
      aesKey(kek, 'kek', [16, 24, 32]);
      assertBytes(wrapped, 'wrapped');
      if (wrapped.length < 16 || wrapped.length % 8 !== 0)
        throw new InputError('kwp.length', 'wrapped', 'must be a multiple of 8 bytes and at least 16 (RFC 5649 §4.2)');
      return authFail(() => raw.aesKeyUnwrapPad(kek, wrapped), 'kwp.integrity', 'wrapped', 'integrity check failed (RFC 5649 §3): wrong KEK or altered data');
    },
    aesCmac(key, message) {
      aesKey(key, 'key', [16, 24, 32]);
      assertBytes(message, 'message');
      return raw.aesCmac(key, message);
    },
    rsaOaepSha256Encrypt(publicKeySpki, plaintext) {
      assertBytes(publicKeySpki, 'publicKey');
      assertBytes(plaintext, 'plaintext');
      const { bits } = parseRsaSpki(publicKeySpki, 'publicKey');
      // RFC 8017 §7.1.1: mLen <= k - 2hLen - 2
      const max = Math.ceil(bits / 8) - 2 * 32 - 2;
      if (plaintext.length > max) throw new InputError('oaep.length', 'plaintext', `must be at most ${max} bytes for this key`);
      return raw.rsaOaepSha256Encrypt(publicKeySpki, plaintext);
    },
    rsaOaepSha256Decrypt(privateKeyPkcs8, ciphertext) {
      assertBytes(privateKeyPkcs8, 'privateKey');
      assertBytes(ciphertext, 'ciphertext');
      const { bits } = parseRsaPkcs8(privateKeyPkcs8, 'privateKey');
      if (ciphertext.length !== Math.ceil(bits / 8))
        throw new InputError('oaep.length', 'ciphertext', `must be ${Math.ceil(bits / 8)} bytes for this key (RFC 8017 §7.1.2)`);
      return authFail(() => raw.rsaOaepSha256Decrypt(privateKeyPkcs8, ciphertext), 'oaep.decrypt', 'ciphertext', 'RSA-OAEP decryption failed (wrong key or altered data)');
    },
    rsaPssSha256Verify(publicKeySpki, message, signature) {
      assertBytes(publicKeySpki, 'publicKey');
      assertBytes(message, 'message');
      assertBytes(signature, 'signature');
      const { bits } = parseRsaSpki(publicKeySpki, 'publicKey');
      if (signature.length !== Math.ceil(bits / 8)) return false; // RFC 8017 §8.1.2 step 1
      try {
        return raw.rsaPssSha256Verify(publicKeySpki, message, signature);
      } catch {
        return false;
      }
    },
    ed25519PublicKey(seed) {
      assertBytes(seed, 'seed', 32);
      return raw.ed25519PublicKey(seed);
    },
    ed25519Sign(seed, message) {
      assertBytes(seed, 'seed', 32);
      assertBytes(message, 'message');
      return raw.ed25519Sign(seed, message);
    },
    ed25519Verify(publicKey, message, signature) {
      assertBytes(publicKey, 'publicKey', 32);
      assertBytes(message, 'message');
      assertBytes(signature, 'signature', 64);
      try {
        return raw.ed25519Verify(publicKey, message, signature);
      } catch {
        return false; // an undecodable point or scalar is simply an invalid signature
      }
    },
    async scrypt(password, salt, params) {
      assertBytes(password, 'password');
      assertBytes(salt, 'salt');
      checkScryptParams(params);
      try {
        return await raw.scrypt(password, salt, params);
      } catch (e) {
        throw new CryptoError('scrypt.failed', 'scrypt', 'could not run (not enough memory?)', { cause: e });
      }
    },
  } satisfies CryptoProvider);
}
