/**
 * The share record: one custodian's share of a master key, bound to its share set and key and
 * signed by the ceremony's signing key. Canonical binary encoding, version 1 (big-endian,
 * fixed layout, 205 bytes):
 *
 *   off len field
 *     0   4 magic      "CSHR" (a share of a real key) or "CSRH" (a rehearsal's throwaway key)
 *     4   1 version    1
 *     5  16 setId      share-set id (random)
 *    21  16 keyId      id of the master key
 *    37   3 kcv        key check value of the master key (cmac-aes)
 *    40   1 threshold  M, 2..255
 *    41   1 count      N, M..255
 *    42   1 index      1..N (the custodian's share number)
 *    43   1 shareLen   33 (32 key bytes + the Shamir x-coordinate)
 *    44  33 share      share bytes as produced by shamir-secret-sharing (y-values || x)
 *    77  32 signer     Ed25519 public key of the ceremony signing key
 *   109  32 digest     SHA-256("custos/share-record/v1" || 0x00 || bytes[0..109))
 *   141  64 signature  Ed25519 over "custos/share-record/v1/signature" || 0x00 || digest
 *
 * The magic is covered by the digest and the signature: a rehearsal's share says so in every
 * form it takes (file, paper text, QR), and no real ceremony takes it.
 *
 * Decoding checks structure and digest; the signature is checked against the trusted signer
 * by `verifyShareSignature` (combine always does).
 */
import { InputError, VerifyError } from '../errors';
import { assertBytes, assertInt, concat, copyBytes, equalBytes, toHex, utf8, wipe } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import { formatKcv, KCV_LENGTH, type KcvString } from '../crypto/kcv';

export const SHARE_MAGIC = utf8('CSHR');
/** The magic of a rehearsal's share record. */
export const REHEARSAL_SHARE_MAGIC = utf8('CSRH');
export const SHARE_VERSION = 1;
export const ID_LENGTH = 16;
export const MASTER_KEY_LENGTH = 32;
export const SHARE_LENGTH = MASTER_KEY_LENGTH + 1;
export const SIGNER_LENGTH = 32;
const BODY_LENGTH = 4 + 1 + ID_LENGTH + ID_LENGTH + KCV_LENGTH + 4 + SHARE_LENGTH + SIGNER_LENGTH; // 109
export const SHARE_RECORD_LENGTH = BODY_LENGTH + 32 + 64; // 205

const DIGEST_LABEL = utf8('custos/share-record/v1\0');
const SIGNATURE_LABEL = utf8('custos/share-record/v1/signature\0');

export interface ShareFields {
  setId: Uint8Array;
  keyId: Uint8Array;
  kcv: Uint8Array;
  threshold: number;
  count: number;
  index: number;
  /** SECRET: the share bytes. Wipe with `wipeShareRecord` when done. */
  share: Uint8Array;
  signer: Uint8Array;
  /** A share of a rehearsal's throwaway key (magic "CSRH"). */
  rehearsal?: boolean;
}

/** Whether `bytes` begin like a share record of either kind. */
export function isShareRecordMagic(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 4);
  return bytes.length >= 4 && (equalBytes(head, SHARE_MAGIC) || equalBytes(head, REHEARSAL_SHARE_MAGIC));
}

declare const decoded: unique symbol;

/** A record whose structure and digest were checked (made only by decode or sign). */
export interface ShareRecord extends Readonly<ShareFields> {
  readonly version: 1;
  readonly digest: Uint8Array;
  readonly signature: Uint8Array;
  /** SECRET: the canonical encoding (contains the share). */
  readonly bytes: Uint8Array;
  readonly [decoded]: true;
}

export function checkShareFields(f: ShareFields, field = 'record'): void {
  assertBytes(f.setId, `${field}.setId`, ID_LENGTH);
  assertBytes(f.keyId, `${field}.keyId`, ID_LENGTH);
  assertBytes(f.kcv, `${field}.kcv`, KCV_LENGTH);
  assertInt(f.count, `${field}.count`, 2, 255);
  assertInt(f.threshold, `${field}.threshold`, 2, 255);
  if (f.threshold > f.count)
    throw new InputError('share.threshold', `${field}.threshold`, `threshold ${f.threshold} is larger than the share count ${f.count}`);
  assertInt(f.index, `${field}.index`, 1, f.count);
  assertBytes(f.share, `${field}.share`, SHARE_LENGTH);
  if (f.share[SHARE_LENGTH - 1] === 0) throw new InputError('share.x', `${field}.share`, 'Shamir x-coordinate must not be 0');
  assertBytes(f.signer, `${field}.signer`, SIGNER_LENGTH);
}

function body(f: ShareFields): Uint8Array {
  return concat(
    f.rehearsal ? REHEARSAL_SHARE_MAGIC : SHARE_MAGIC,
    Uint8Array.of(SHARE_VERSION),
    f.setId,
    f.keyId,
    f.kcv,
    Uint8Array.of(f.threshold, f.count, f.index, SHARE_LENGTH),
    f.share,
    f.signer,
  );
}

function digestOf(provider: CryptoProvider, bodyBytes: Uint8Array): Uint8Array {
  const input = concat(DIGEST_LABEL, bodyBytes); // holds the share: wiped below
  try {
    return provider.sha256(input);
  } finally {
    wipe(input);
  }
}

/** Sign share fields with the ceremony signing key (Ed25519 seed). */
export function signShareRecord(provider: CryptoProvider, fields: ShareFields, signerSeed: Uint8Array): ShareRecord {
  checkShareFields(fields, 'fields');
  assertBytes(signerSeed, 'signerSeed', 32);
  if (!equalBytes(provider.ed25519PublicKey(signerSeed), fields.signer))
    throw new InputError('share.signer', 'fields.signer', 'is not the public key of signerSeed');
  const b = body(fields);
  const digest = digestOf(provider, b);
  const signature = provider.ed25519Sign(signerSeed, concat(SIGNATURE_LABEL, digest));
  const bytes = concat(b, digest, signature);
  wipe(b);
  try {
    return decodeShareRecord(provider, bytes);
  } finally {
    wipe(bytes); // decode keeps its own copy
  }
}

/** Strict decoding; every refusal names the field (`field` prefixes the path). */
export function decodeShareRecord(provider: CryptoProvider, bytes: Uint8Array, field = 'record'): ShareRecord {
  assertBytes(bytes, field);
  if (bytes.length < 5) throw new InputError('share.length', field, `is ${bytes.length} bytes, too short to be a share record`);
  if (!isShareRecordMagic(bytes)) throw new InputError('share.magic', `${field}.magic`, 'is not "CSHR" (or "CSRH"): this is not a Custos share record');
  const rehearsal = equalBytes(bytes.subarray(0, 4), REHEARSAL_SHARE_MAGIC);
  if (bytes[4] !== SHARE_VERSION)
    throw new InputError('share.version', `${field}.version`, `version ${bytes[4]} is not supported (this Custos reads version ${SHARE_VERSION})`);
  if (bytes.length !== SHARE_RECORD_LENGTH)
    throw new InputError('share.length', `${field}.length`, `must be ${SHARE_RECORD_LENGTH} bytes, got ${bytes.length}`);
  let o = 5;
  const take = (n: number) => copyBytes(bytes.subarray(o, (o += n)));
  const setId = take(ID_LENGTH);
  const keyId = take(ID_LENGTH);
  const kcv = take(KCV_LENGTH);
  const [threshold, count, index, shareLen] = take(4);
  if (shareLen !== SHARE_LENGTH)
    throw new InputError('share.shareLen', `${field}.shareLen`, `must be ${SHARE_LENGTH}, got ${shareLen}`);
  const fields: ShareFields = { setId, keyId, kcv, threshold: threshold!, count: count!, index: index!, share: take(SHARE_LENGTH), signer: take(SIGNER_LENGTH), rehearsal };
  try {
    checkShareFields(fields, field);
  } catch (e) {
    wipe(fields.share);
    throw e;
  }
  const digest = take(32);
  const signature = take(64);
  const expected = digestOf(provider, bytes.subarray(0, BODY_LENGTH));
  if (!equalBytes(expected, digest)) {
    wipe(fields.share);
    throw new VerifyError('share.digest', `${field}.digest`, 'does not match the record: the share was altered or mistyped');
  }
  return Object.freeze({ version: 1, ...fields, digest, signature, bytes: bytes.slice() }) as unknown as ShareRecord;
}

export function verifyShareSignature(provider: CryptoProvider, r: ShareRecord): boolean {
  return provider.ed25519Verify(r.signer, concat(SIGNATURE_LABEL, r.digest), r.signature);
}

/** Overwrite the secret parts of a record. */
export function wipeShareRecord(r: ShareRecord): void {
  wipe(r.share, r.bytes);
}

/** Public description of a record, safe to print, log or put in a transcript. */
export function describeShare(r: ShareRecord): {
  setId: string;
  keyId: string;
  kcv: KcvString;
  threshold: number;
  count: number;
  index: number;
  signer: string;
  rehearsal?: true;
} {
  return {
    setId: toHex(r.setId),
    keyId: toHex(r.keyId),
    kcv: formatKcv(r.kcv),
    threshold: r.threshold,
    count: r.count,
    index: r.index,
    signer: toHex(r.signer),
    ...(r.rehearsal === true && { rehearsal: true as const }),
  };
}
