/**
 * Key id: HKDF-SHA-256(key, salt = empty, info = "custos/key-id/v1", 16 bytes). It names a key
 * in transcripts and share records and is also a 128-bit commitment to it: a key rebuilt from
 * shares is accepted only if both its KCV (24 bits, for people) and its id (128 bits, for the
 * software) match, so a wrong key cannot pass by a KCV collision. The id reveals nothing
 * usable about a 256-bit random key.
 */
import { InputError } from '../errors';
import { assertBytes, utf8 } from './bytes';
import type { CryptoProvider } from './provider';

const INFO = utf8('custos/key-id/v1');
export const KEY_ID_LENGTH = 16;

export function deriveKeyId(provider: CryptoProvider, key: Uint8Array): Uint8Array {
  assertBytes(key, 'key');
  if (key.length < 16) throw new InputError('keyId.key', 'key', 'is too short to name (under 16 bytes)');
  return provider.hkdfSha256(key, new Uint8Array(0), INFO, KEY_ID_LENGTH);
}
