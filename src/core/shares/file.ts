/**
 * Share file for a custodian's USB medium: an age v1 file holding the share in its paper text
 * form, so `age -d` shows the custodian the same lines as the paper share. Protected by a
 * passphrase or to the custodian's age X25519 recipient (src/core/age.ts). Files made by the
 * standard `age` tool around a share record (binary, text or QR payload) open too.
 */
import { fromUtf8, wipe } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import type { Rng } from '../crypto/random';
import { openAge, sealAge, type AgeKey, type AgeProtection } from '../age';
import { decodeShareRecord, isShareRecordMagic, type ShareRecord } from './record';
import { qrPayloadToShare, QR_PREFIX } from './qr';
import { shareToText, textToShare } from './text';

export { DEFAULT_WORK_FACTOR, MIN_PASSPHRASE_CHARS, MIN_WORK_FACTOR } from '../age';
export const MAX_SHARE_FILE_BYTES = 64 * 1024;

export type ShareFileProtection = AgeProtection;
export type ShareFileKey = AgeKey;

/** Seal a share record into an age file. The passphrase is never stored or echoed. */
export async function sealShareFile(ctx: { provider: CryptoProvider; rng: Rng }, record: ShareRecord, protection: ShareFileProtection): Promise<Uint8Array> {
  return sealAge(ctx, shareToText(ctx.provider, record), protection);
}

/** The share record inside a decrypted file: paper text, QR payload or binary record. */
export function parseSharePlaintext(provider: CryptoProvider, plain: Uint8Array, field = 'file.content'): ShareRecord {
  if (isShareRecordMagic(plain)) return decodeShareRecord(provider, plain, field);
  const text = fromUtf8(plain, field);
  const trimmed = text.trim();
  if (trimmed.startsWith(QR_PREFIX.slice(0, 13))) return qrPayloadToShare(provider, trimmed, field);
  return textToShare(provider, text, field);
}

/** Open a share file with the custodian's passphrase or age identity. */
export async function openShareFile(provider: CryptoProvider, file: Uint8Array, key: ShareFileKey): Promise<ShareRecord> {
  const plain = await openAge(provider, file, key, MAX_SHARE_FILE_BYTES, 'share file');
  try {
    return parseSharePlaintext(provider, plain);
  } finally {
    wipe(plain);
  }
}

/** Whether bytes are an age file (binary or armored) rather than a share in the clear. */
export function isAgeFile(bytes: Uint8Array): boolean {
  const head = new TextDecoder().decode(bytes.subarray(0, 40));
  return head.startsWith('age-encryption.org/v1') || head.startsWith('-----BEGIN AGE ENCRYPTED FILE-----');
}

/**
 * A share as a custodian presents it: an age share file (opened with the passphrase they typed,
 * or with their identity for a recipient-protected file), or the share in the clear: their
 * paper card typed or read from a text file, its QR payload, or a binary record.
 */
export async function openPresentedShare(
  provider: CryptoProvider,
  bytes: Uint8Array,
  key: { passphrase?: string; identity: () => string },
  field: string,
): Promise<{ record: ShareRecord; form: 'file' | 'paper' }> {
  if (!isAgeFile(bytes)) return { record: parseSharePlaintext(provider, bytes, field), form: 'paper' };
  return { record: await openShareFile(provider, bytes, key.passphrase !== undefined ? { passphrase: key.passphrase } : { identity: key.identity() }), form: 'file' };
}
