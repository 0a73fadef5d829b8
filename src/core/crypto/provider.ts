/**
 * The crypto provider: every primitive the core uses, behind one interface with two
 * implementations that must give identical bytes (test/core/crypto/providers.test.ts):
 *  - `nobleProvider` (src/core/crypto/noble.ts): pure JavaScript (@noble/*, micro-rsa-dsa-dh),
 *    runs anywhere;
 *  - `nativeProvider` (src/node/native-provider.ts): node:crypto (OpenSSL in Node, BoringSSL in
 *    Electron's main process), used for hot paths. Where the running crypto library lacks a
 *    primitive it says so in `native` and delegates to noble.
 *
 * Keys are raw bytes (symmetric, Ed25519 seeds) or DER (RSA: SubjectPublicKeyInfo, PKCS#8).
 * Functions throw `VerifyError` when authentication fails and `InputError` naming the
 * parameter when an argument is malformed.
 */
export type PrimitiveName =
  | 'sha256'
  | 'sha512'
  | 'hmacSha256'
  | 'hkdfSha256'
  | 'aesGcm'
  | 'aesKeyWrap'
  | 'aesKeyWrapPad'
  | 'aesCmac'
  | 'rsaOaepSha256'
  | 'rsaPssSha256'
  | 'ed25519'
  | 'scrypt';

export const PRIMITIVES: readonly PrimitiveName[] = [
  'sha256',
  'sha512',
  'hmacSha256',
  'hkdfSha256',
  'aesGcm',
  'aesKeyWrap',
  'aesKeyWrapPad',
  'aesCmac',
  'rsaOaepSha256',
  'rsaPssSha256',
  'ed25519',
  'scrypt',
];

export interface ScryptParams {
  /** log2 of the CPU/memory cost N */
  logN: number;
  r: number;
  p: number;
  dkLen: number;
}

export interface HashStream {
  update(data: Uint8Array): void;
  /** The digest; the stream cannot be updated afterwards. */
  digest(): Uint8Array;
}

export interface CryptoProvider {
  readonly name: string;
  /** Primitives this provider computes itself (the rest are delegated). */
  readonly native: ReadonlySet<PrimitiveName>;

  sha256(data: Uint8Array): Uint8Array;
  /** SHA-256 over data given in pieces (streamed files), the same digest as `sha256` of their concatenation. */
  sha256Stream(): HashStream;
  sha512(data: Uint8Array): Uint8Array;
  hmacSha256(key: Uint8Array, data: Uint8Array): Uint8Array;
  /** RFC 5869 HKDF with SHA-256. */
  hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array;

  /** AES-GCM (NIST SP 800-38D), 16- or 32-byte key, 12-byte nonce; returns ciphertext || 16-byte tag. */
  aesGcmEncrypt(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): Uint8Array;
  aesGcmDecrypt(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad?: Uint8Array): Uint8Array;
  /** The same, with ciphertext and tag apart: the bulk path writes both without joining them. */
  aesGcmEncryptDetached(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad?: Uint8Array): { ciphertext: Uint8Array; tag: Uint8Array };

  /** RFC 3394 AES key wrap (default IV A6A6A6A6A6A6A6A6). */
  aesKeyWrap(kek: Uint8Array, keyData: Uint8Array): Uint8Array;
  aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array;
  /** RFC 5649 AES key wrap with padding (AIV A65959A6 || MLI). */
  aesKeyWrapPad(kek: Uint8Array, keyData: Uint8Array): Uint8Array;
  aesKeyUnwrapPad(kek: Uint8Array, wrapped: Uint8Array): Uint8Array;

  /** RFC 4493 AES-CMAC, full 16-byte tag. */
  aesCmac(key: Uint8Array, message: Uint8Array): Uint8Array;

  /** RSAES-OAEP (RFC 8017) with SHA-256 and MGF1-SHA-256, empty label. */
  rsaOaepSha256Encrypt(publicKeySpki: Uint8Array, plaintext: Uint8Array): Uint8Array;
  rsaOaepSha256Decrypt(privateKeyPkcs8: Uint8Array, ciphertext: Uint8Array): Uint8Array;
  /**
   * RSASSA-PSS (RFC 8017 §8.1.2) with SHA-256, MGF1-SHA-256 and a 32-byte salt: the signature
   * a key server makes with its transport key (enrollment, receipts). False for any signature
   * that does not verify, including one of the wrong length.
   */
  rsaPssSha256Verify(publicKeySpki: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;

  /** RFC 8032 Ed25519 (pure). Keys are 32-byte seeds and 32-byte public keys. */
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;

  /** RFC 7914 scrypt. Asynchronous so a native implementation can run off the main thread. */
  scrypt(password: Uint8Array, salt: Uint8Array, params: ScryptParams): Promise<Uint8Array>;
}
