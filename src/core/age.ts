/**
 * age v1 files (age-encryption.org/v1), the container of every secret a person carries on
 * their own medium: share files and participant identity files. Protected by a passphrase
 * (scrypt recipient) or to an age X25519 recipient, and readable by the standard age tools.
 *
 * The scrypt stanza is implemented here on the provider's scrypt (native, off the main
 * thread, about as fast as the Go tool) and @noble/ciphers' ChaCha20-Poly1305, exactly as the
 * age specification's "scrypt recipient stanza" section says; age-encryption does the rest of
 * the format.
 */
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { base64nopad } from '@scure/base';
import { armor, Decrypter, Encrypter, Stanza, type Identity, type Recipient } from 'age-encryption';
import { CustosError, InputError, VerifyError } from './errors';
import { assertInt, concat, equalBytes, fromUtf8, utf8, wipe } from './crypto/bytes';
import { MAX_SCRYPT_LOG_N } from './crypto/checked';
import type { CryptoProvider } from './crypto/provider';
import type { Rng } from './crypto/random';

export const DEFAULT_WORK_FACTOR = 18;
export const MIN_WORK_FACTOR = 10;
export const MIN_PASSPHRASE_CHARS = 10;

const SCRYPT_LABEL = utf8('age-encryption.org/v1/scrypt');
const ZERO_NONCE = new Uint8Array(12);
const AGE_MAGIC = utf8('age-encryption.org/v1\n');
const ARMOR_BEGIN = utf8('-----BEGIN AGE ENCRYPTED FILE-----');
const X25519_RECIPIENT = /^age1[02-9ac-hj-np-z]{58}$/;
const X25519_IDENTITY = /^AGE-SECRET-KEY-1[02-9AC-HJ-NP-Z]{58}$/;

function scryptParams(logN: number) {
  return { logN, r: 8, p: 1, dkLen: 32 };
}

class ScryptRecipient implements Recipient {
  constructor(
    private readonly provider: CryptoProvider,
    private readonly rng: Rng,
    private readonly passphrase: Uint8Array,
    private readonly logN: number,
  ) {}
  async wrapFileKey(fileKey: Uint8Array): Promise<Stanza[]> {
    const salt = this.rng(16);
    const key = await this.provider.scrypt(this.passphrase, concat(SCRYPT_LABEL, salt), scryptParams(this.logN));
    try {
      const body = chacha20poly1305(key, ZERO_NONCE).encrypt(fileKey);
      return [new Stanza(['scrypt', base64nopad.encode(salt), String(this.logN)], body)];
    } finally {
      wipe(key);
    }
  }
}

class ScryptIdentity implements Identity {
  sawScrypt = false;
  wrongPassphrase = false;
  constructor(
    private readonly provider: CryptoProvider,
    private readonly passphrase: Uint8Array,
  ) {}
  async unwrapFileKey(stanzas: Stanza[]): Promise<Uint8Array | null> {
    for (const s of stanzas) {
      if (s.args[0] !== 'scrypt') continue;
      this.sawScrypt = true;
      // age spec: an scrypt stanza must be the only stanza in the header.
      if (stanzas.length !== 1) throw new InputError('file.stanza', 'file.header', 'an scrypt stanza must be the only recipient of the file');
      if (s.args.length !== 3 || !/^[1-9][0-9]?$/.test(s.args[2]!))
        throw new InputError('file.stanza', 'file.header', 'malformed scrypt stanza');
      let salt: Uint8Array;
      try {
        salt = base64nopad.decode(s.args[1]!);
      } catch (e) {
        throw new InputError('file.stanza', 'file.header', 'scrypt salt is not base64', { cause: e });
      }
      if (salt.length !== 16) throw new InputError('file.stanza', 'file.header', 'scrypt salt must be 16 bytes');
      const logN = Number(s.args[2]);
      if (logN > MAX_SCRYPT_LOG_N) throw new InputError('file.workFactor', 'file.header', `scrypt work factor 2^${logN} is above the accepted 2^${MAX_SCRYPT_LOG_N}`);
      if (s.body.length !== 32) throw new InputError('file.stanza', 'file.header', 'scrypt stanza body must be 32 bytes');
      const key = await this.provider.scrypt(this.passphrase, concat(SCRYPT_LABEL, salt), scryptParams(logN));
      try {
        return chacha20poly1305(key, ZERO_NONCE).decrypt(s.body);
      } catch {
        this.wrongPassphrase = true;
        return null;
      } finally {
        wipe(key);
      }
    }
    return null;
  }
}

export type AgeProtection =
  | { passphrase: string; workFactor?: number }
  | { recipient: string };

export type AgeKey = { passphrase: string } | { identity: string };

/** Encrypt `plaintext` into an age file. The passphrase is never stored or echoed. */
export async function sealAge(ctx: { provider: CryptoProvider; rng: Rng }, plaintext: Uint8Array | string, protection: AgeProtection): Promise<Uint8Array> {
  if (typeof protection !== 'object' || protection === null)
    throw new InputError('file.protection', 'protection', 'must be { passphrase } or { recipient }');
  const e = new Encrypter();
  if ('passphrase' in protection) {
    if (typeof protection.passphrase !== 'string' || [...protection.passphrase].length < MIN_PASSPHRASE_CHARS)
      throw new InputError('file.passphrase', 'passphrase', `must be at least ${MIN_PASSPHRASE_CHARS} characters`);
    const logN = protection.workFactor ?? DEFAULT_WORK_FACTOR;
    assertInt(logN, 'workFactor', MIN_WORK_FACTOR, MAX_SCRYPT_LOG_N);
    const pw = utf8(protection.passphrase);
    e.addRecipient(new ScryptRecipient(ctx.provider, ctx.rng, pw, logN));
    try {
      return await e.encrypt(plaintext);
    } finally {
      wipe(pw);
    }
  }
  if (typeof protection.recipient !== 'string' || !X25519_RECIPIENT.test(protection.recipient))
    throw new InputError('file.recipient', 'recipient', 'must be an age X25519 recipient (age1… , 62 characters)');
  try {
    e.addRecipient(protection.recipient);
  } catch (err) {
    throw new InputError('file.recipient', 'recipient', 'is not a valid age recipient (checksum failed)', { cause: err });
  }
  return e.encrypt(plaintext);
}

/** What an age file (binary or armored) is sealed to, read from its header's stanzas; undefined if it is not an age file. */
export function sealedTo(file: Uint8Array): 'passphrase' | 'recipient' | undefined {
  let bin = file;
  if (equalBytes(file.subarray(0, ARMOR_BEGIN.length), ARMOR_BEGIN)) {
    try {
      bin = armor.decode(fromUtf8(file, 'file'));
    } catch {
      return undefined;
    }
  }
  if (bin.length < AGE_MAGIC.length || !equalBytes(bin.subarray(0, AGE_MAGIC.length), AGE_MAGIC)) return undefined;
  const header = new TextDecoder().decode(bin.subarray(0, 4096));
  return /^-> X25519 /m.test(header) ? 'recipient' : /^-> scrypt /m.test(header) ? 'passphrase' : undefined;
}

/**
 * Decrypt an age file with a passphrase or an age X25519 identity. Files larger than
 * `maxBytes` are refused unread. The caller wipes the returned plaintext.
 */
export async function openAge(provider: CryptoProvider, file: Uint8Array, key: AgeKey, maxBytes: number, what = 'file'): Promise<Uint8Array> {
  if (!(file instanceof Uint8Array)) throw new InputError('file.type', 'file', 'must be bytes');
  if (typeof key !== 'object' || key === null) throw new InputError('file.key', 'key', 'must be { passphrase } or { identity }');
  if (file.length > maxBytes) throw new InputError('file.size', 'file', `is larger than ${maxBytes} bytes: not a ${what}`);
  let bin = file;
  if (equalBytes(file.subarray(0, ARMOR_BEGIN.length), ARMOR_BEGIN)) {
    try {
      bin = armor.decode(fromUtf8(file, 'file'));
    } catch (e) {
      throw new InputError('file.armor', 'file.armor', 'the ASCII armor is malformed', { cause: e });
    }
  }
  if (bin.length < AGE_MAGIC.length || !equalBytes(bin.subarray(0, AGE_MAGIC.length), AGE_MAGIC))
    throw new InputError('file.header', 'file.header', 'is not an age v1 file (missing "age-encryption.org/v1")');

  const d = new Decrypter();
  // Identities are consulted only once the header has parsed: this one records that moment,
  // so a failure can be placed in the header, the key or the payload without reading messages.
  let headerParsed = false;
  d.addIdentity({
    unwrapFileKey: () => {
      headerParsed = true;
      return null;
    },
  });
  let scryptId: ScryptIdentity | undefined;
  let pw: Uint8Array | undefined;
  if ('passphrase' in key) {
    if (typeof key.passphrase !== 'string' || key.passphrase.length === 0) throw new InputError('file.passphrase', 'passphrase', 'is empty');
    pw = utf8(key.passphrase);
    scryptId = new ScryptIdentity(provider, pw);
    d.addIdentity(scryptId);
  } else {
    if (typeof key.identity !== 'string' || !X25519_IDENTITY.test(key.identity))
      throw new InputError('file.identity', 'identity', 'must be an age X25519 identity (AGE-SECRET-KEY-1…)');
    d.addIdentity(key.identity);
  }
  let plain: Uint8Array;
  try {
    plain = await d.decrypt(bin);
  } catch (e) {
    if (e instanceof CustosError) throw e;
    const msg = e instanceof Error ? e.message : '';
    if (scryptId?.wrongPassphrase) throw new VerifyError('file.passphrase', 'passphrase', `does not open this ${what}`);
    if (/no identity matched/.test(msg)) {
      if (scryptId) throw new InputError('file.recipient', 'file.header', `this ${what} is not passphrase-protected: open it with an age identity`);
      throw new VerifyError('file.identity', 'identity', `this ${what} was not encrypted to this identity`);
    }
    if (!headerParsed) throw new InputError('file.header', 'file.header', `malformed age header (${msg})`, { cause: e });
    if (/header HMAC/.test(msg)) throw new VerifyError('file.header', 'file.header', 'the header was altered (its MAC does not match)', { cause: e });
    throw new VerifyError('file.payload', 'file.payload', 'the encrypted content is damaged or truncated', { cause: e });
  } finally {
    wipe(pw);
  }
  return plain;
}

