/**
 * A key server's transport-key enrollment: the RSA public key (3072 or 4096 bits) that export
 * bundles are wrapped to, the server it belongs to and when it expires. It travels on USB; the
 * workstation trusts it only through its fingerprint, SHA-256 of the SubjectPublicKeyInfo,
 * which the plan pins after it was read aloud over a phone (also as words).
 *
 * The whole enrollment is authenticated, not only its key: it is signed by the very key it
 * carries (RSASSA-PSS-SHA-256, salt 32), so once the fingerprint is pinned, the server name,
 * endpoints and dates are the ones the key server wrote. Signature message:
 * "custos/transport-key/v1" || 0x00 || canonical JSON of the enrollment without "sig".
 *
 *   {"created":…,"expires":…,"kind":"custos.transport-key","publicKey":"<base64 SPKI>",
 *    "server":{"kmip":["host:5696"],"name":"kms-prod-1"},"sig":"<base64>","v":1}
 */
import { base64 } from '@scure/base';
import { z } from 'zod';
import { InputError, PolicyError, VerifyError } from '../errors';
import { concat, toHex, utf8 } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import { parseRsaSpki } from '../crypto/der';
import { RSA_AES_WRAP_MODULUS_BITS } from '../crypto/rsa-aes-wrap';
import { b64, utc } from './fields';
import { canonicalJson, parseCanonicalJson } from '../transcript/canonical';
import { fingerprintWords } from '../transcript/words';
import { strictParse } from '../plan/strict';

export const transportSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('custos.transport-key'),
  server: z.strictObject({ name: z.string().min(1).max(200), kmip: z.array(z.string().regex(/^[A-Za-z0-9.-]+:\d{1,5}$/, 'must be HOST:PORT')).max(16) }),
  publicKey: b64,
  created: utc,
  expires: utc,
});
export type TransportKeyFile = z.infer<typeof transportSchema>;

export interface TransportKey {
  file: TransportKeyFile;
  spki: Uint8Array;
  fingerprint: string;
  words: string[];
}

export function transportFingerprint(provider: CryptoProvider, spki: Uint8Array): string {
  return toHex(provider.sha256(spki));
}

const LABEL = utf8('custos/transport-key/v1\0');

/** What the transport key signs: its enrollment without the signature. */
export function transportMessage(t: TransportKeyFile): Uint8Array {
  return concat(LABEL, utf8(canonicalJson(t, 'transport')));
}

/** The enrollment file: the enrollment and its self-signature (made on the key-server host). */
export function transportToText(t: TransportKeyFile, sig: Uint8Array): string {
  return canonicalJson({ ...t, sig: base64.encode(sig) }, 'transport') + '\n';
}

/**
 * Parse an enrollment file, check its key is an RSA key the wrap accepts and that the key
 * signed every other field (a changed expiry, name or endpoint is a VerifyError).
 */
export function parseTransportKey(provider: CryptoProvider, text: string, field = 'transport'): TransportKey {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new InputError('transport.text', field, 'must be one line of canonical JSON ending in a newline');
  const value = parseCanonicalJson(text.slice(0, -1), field);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError('transport.shape', field, 'must be a transport-key enrollment');
  const { sig: sigText, ...rest } = value as Record<string, unknown>;
  if (typeof sigText !== 'string')
    throw new VerifyError('transport.unsigned', `${field}.sig`, 'is missing: this enrollment is not signed by its key (made by an older version, or altered); enroll the transport key again');
  const file = strictParse(transportSchema, rest, field, 'a transport-key enrollment');
  let sig: Uint8Array;
  try {
    sig = base64.decode(sigText);
  } catch (e) {
    throw new InputError('transport.sig', `${field}.sig`, 'is not canonical base64', { cause: e });
  }
  let spki: Uint8Array;
  try {
    spki = base64.decode(file.publicKey);
  } catch (e) {
    throw new InputError('transport.publicKey', `${field}.publicKey`, 'is not canonical base64', { cause: e });
  }
  const { n } = parseRsaSpki(spki, `${field}.publicKey`);
  const bits = n.toString(2).length;
  if (!(RSA_AES_WRAP_MODULUS_BITS as readonly number[]).includes(bits)) throw new InputError('transport.bits', `${field}.publicKey`, `is RSA-${bits}; transport keys are RSA-3072 or RSA-4096`);
  if (!provider.rsaPssSha256Verify(spki, transportMessage(file), sig))
    throw new VerifyError('transport.signature', `${field}.sig`, `is not the signature of this key over this enrollment: its server name, endpoints or dates were changed after the key server wrote it`);
  const fingerprint = transportFingerprint(provider, spki);
  return { file, spki, fingerprint, words: fingerprintWords(provider.sha256(spki)) };
}

/** The key the plan pinned. */
export function checkFingerprint(t: TransportKey, pinned: string, field: string): void {
  if (t.fingerprint !== pinned) throw new VerifyError('transport.fingerprint', field, `the key's fingerprint is ${t.fingerprint}, not the ${pinned} pinned in the plan`);
}

/** An enrollment still in force. */
export function checkNotExpired(t: TransportKey, now: Date, field: string): void {
  if (new Date(t.file.expires) <= now) throw new PolicyError('transport.expired', `${field}.expires`, `the enrollment of ${t.file.server.name} expired on ${t.file.expires}: enroll the transport key again`);
}

/** The key the plan pinned, not expired. */
export function checkPinned(t: TransportKey, pinned: string, now: Date, field: string): void {
  checkFingerprint(t, pinned, field);
  checkNotExpired(t, now, field);
}
