/**
 * RSA-AES key wrap, PKCS#11 v2.40 §2.1.21 CKM_RSA_AES_KEY_WRAP (the scheme of AWS KMS
 * RSA_AES_KEY_WRAP_SHA_256, Google Cloud KMS RSA_OAEP_3072_SHA256_AES_256 and Vault BYOK):
 *   1. a fresh AES-256 key K,
 *   2. C1 = RSA-OAEP(SHA-256, MGF1-SHA-256, empty label) of K under the recipient's public key,
 *   3. C2 = AES key wrap with padding (RFC 5649) of the target key under K,
 *   4. output C1 || C2; K is wiped.
 * Only RSA-3072 and RSA-4096 recipients are accepted.
 */
import { InputError } from '../errors';
import { assertBytes, concat, wipe } from './bytes';
import { parseRsaPkcs8, parseRsaSpki } from './der';
import type { CryptoProvider } from './provider';
import type { Rng } from './random';

export const RSA_AES_WRAP_MODULUS_BITS = [3072, 4096] as const;

function checkBits(bits: number, field: string): number {
  if (!(RSA_AES_WRAP_MODULUS_BITS as readonly number[]).includes(bits))
    throw new InputError('rsa.size', field, `must be an RSA-3072 or RSA-4096 key, got RSA-${bits}`);
  return bits / 8;
}

export function rsaAesWrap(provider: CryptoProvider, rng: Rng, recipientSpki: Uint8Array, keyData: Uint8Array): Uint8Array {
  assertBytes(keyData, 'keyData');
  checkBits(parseRsaSpki(recipientSpki, 'recipientPublicKey').bits, 'recipientPublicKey');
  const k = rng(32);
  assertBytes(k, 'rng(32)', 32);
  try {
    const c1 = provider.rsaOaepSha256Encrypt(recipientSpki, k);
    const c2 = provider.aesKeyWrapPad(k, keyData);
    return concat(c1, c2);
  } finally {
    wipe(k);
  }
}

export function rsaAesUnwrap(provider: CryptoProvider, privateKeyPkcs8: Uint8Array, wrapped: Uint8Array): Uint8Array {
  assertBytes(wrapped, 'wrapped');
  const k = checkBits(parseRsaPkcs8(privateKeyPkcs8, 'privateKey').bits, 'privateKey');
  // C2 is at least 16 bytes (RFC 5649 wraps at least one byte into two blocks).
  if (wrapped.length < k + 16 || (wrapped.length - k) % 8 !== 0)
    throw new InputError('rsaaes.length', 'wrapped', `must be ${k} bytes of RSA-OAEP followed by an RFC 5649 wrap (a multiple of 8, at least 16 bytes)`);
  const aesKey = provider.rsaOaepSha256Decrypt(privateKeyPkcs8, wrapped.subarray(0, k));
  try {
    if (aesKey.length !== 32) throw new InputError('rsaaes.key', 'wrapped', 'the RSA-OAEP part does not hold a 32-byte AES key');
    return provider.aesKeyUnwrapPad(aesKey, wrapped.subarray(k));
  } finally {
    wipe(aesKey);
  }
}
