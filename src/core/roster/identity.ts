/**
 * A participant's secret identity: an Ed25519 signing seed and an age X25519 secret key, kept
 * in an age file sealed with the participant's own passphrase on their own medium. The
 * plaintext is binary so the secrets stay in wipeable bytes:
 *
 *   "CSID" || 0x01 || signingSeed (32) || ageSecret (32) || idLength (1) || id (ASCII)
 */
import { x25519 } from '@noble/curves/ed25519.js';
import { bech32 } from '@scure/base';
import { InputError, VerifyError } from '../errors';
import { concat, copyBytes, equalBytes, utf8, wipe } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import type { Rng } from '../crypto/random';
import { openAge, sealAge } from '../age';
import { PARTICIPANT_ID_RE as ID_RE } from '../ids';

const MAGIC = utf8('CSID');
export const MAX_IDENTITY_FILE_BYTES = 16 * 1024;
/** An identity guards every act of a person: its passphrase is longer than a share file's. */
export const MIN_IDENTITY_PASSPHRASE_CHARS = 12;

/** A passphrase a person chose for their identity, refused (before anything is sealed) when too short. */
export function checkIdentityPassphrase(passphrase: string, field: string): string {
  if ([...passphrase].length < MIN_IDENTITY_PASSPHRASE_CHARS) throw new InputError('prompt.short', field, `an identity passphrase must be at least ${MIN_IDENTITY_PASSPHRASE_CHARS} characters`);
  return passphrase;
}

export interface IdentitySecrets {
  id: string;
  /** SECRET */
  signingSeed: Uint8Array;
  /** SECRET: X25519 private key of the participant's age identity. */
  ageSecret: Uint8Array;
}

export function wipeIdentity(s: IdentitySecrets): void {
  wipe(s.signingSeed, s.ageSecret);
}

/** age recipient (age1…) of an X25519 secret key: bech32 "age" of its public key. */
export function ageRecipientOf(ageSecret: Uint8Array): string {
  return bech32.encode('age', bech32.toWords(x25519.getPublicKey(ageSecret)), false);
}

/** age identity string (AGE-SECRET-KEY-1…). It is a string, so it cannot be wiped: make it only when age needs it. */
export function ageIdentityString(ageSecret: Uint8Array): string {
  return bech32.encode('age-secret-key-', bech32.toWords(ageSecret), false).toUpperCase();
}

export function newIdentity(rng: Rng, id: string): IdentitySecrets {
  if (typeof id !== 'string' || !ID_RE.test(id)) throw new InputError('identity.id', 'id', 'must be lowercase letters, digits, . _ - (1 to 64 characters)');
  return { id, signingSeed: rng(32), ageSecret: rng(32) };
}

export function encodeIdentity(s: IdentitySecrets): Uint8Array {
  const id = utf8(s.id);
  return concat(MAGIC, Uint8Array.of(1), s.signingSeed, s.ageSecret, Uint8Array.of(id.length), id);
}

export function decodeIdentity(b: Uint8Array, field = 'identity'): IdentitySecrets {
  if (b.length < 70 || !equalBytes(b.subarray(0, 4), MAGIC)) throw new InputError('identity.magic', field, 'is not a Custos identity');
  if (b[4] !== 1) throw new InputError('identity.version', `${field}.version`, `version ${b[4]} is not supported`);
  const n = b[69]!;
  if (b.length !== 70 + n) throw new InputError('identity.length', `${field}.length`, 'has the wrong length');
  const id = String.fromCharCode(...b.subarray(70));
  if (!ID_RE.test(id)) throw new InputError('identity.id', `${field}.id`, 'is not a participant id');
  return { id, signingSeed: copyBytes(b.subarray(5, 37)), ageSecret: copyBytes(b.subarray(37, 69)) };
}

export async function sealIdentity(ctx: { provider: CryptoProvider; rng: Rng }, s: IdentitySecrets, passphrase: string, workFactor?: number): Promise<Uint8Array> {
  const plain = encodeIdentity(s);
  try {
    return await sealAge(ctx, plain, workFactor === undefined ? { passphrase } : { passphrase, workFactor });
  } finally {
    wipe(plain);
  }
}

/**
 * Open an identity file with its passphrase. If `expected` public keys are given (from the
 * roster), the identity must match them.
 */
export async function openIdentity(
  provider: CryptoProvider,
  file: Uint8Array,
  passphrase: string,
  expected?: { id: string; signingKey: Uint8Array; ageRecipient: string },
): Promise<IdentitySecrets> {
  const plain = await openAge(provider, file, { passphrase }, MAX_IDENTITY_FILE_BYTES, 'identity file');
  let s: IdentitySecrets;
  try {
    s = decodeIdentity(plain);
  } finally {
    wipe(plain);
  }
  if (expected) {
    const ok = s.id === expected.id && equalBytes(provider.ed25519PublicKey(s.signingSeed), expected.signingKey) && ageRecipientOf(s.ageSecret) === expected.ageRecipient;
    if (!ok) {
      wipeIdentity(s);
      throw new VerifyError('identity.mismatch', 'identity', `is not the enrolled identity of ${expected.id}`);
    }
  }
  return s;
}
