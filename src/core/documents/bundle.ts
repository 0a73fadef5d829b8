/**
 * The export bundle: keys wrapped for one key server's transport key with RSA-OAEP-SHA256 +
 * AES-KWP (PKCS#11 CKM_RSA_AES_KEY_WRAP), and a manifest signed by two approvers. The manifest
 * carries the wrapped keys themselves, so the approvals cover every byte an importer uses.
 */
import { z } from 'zod';
import { VerifyError } from '../errors';
import { b64, documentHeader, hex, kcvSchema, utc } from './fields';
import { STATES, USAGES } from '../inventory/inventory';
import type { CryptoProvider } from '../crypto/provider';
import type { VerifiedRoster } from '../roster/roster';
import { checkApprovals, parseSignedDocument, type SignedDocument } from './signed';
import { checkCeremonyTranscript } from '../ceremony/verify';
import { verifyTranscript } from '../transcript/transcript';

export const BUNDLE_SCHEME = 'CKM_RSA_AES_KEY_WRAP:RSA-OAEP-SHA256:AES-KWP-256';

export const publicKeyFacts = {
  id: hex(32),
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/, 'must be a key name'),
  algorithm: z.literal('AES'),
  length: z.literal(256),
  usage: z.array(z.enum(USAGES)).min(1),
  state: z.enum(STATES),
  cryptoperiodDays: z.int().min(1).max(36500),
  kcv: kcvSchema,
};

export const bundleManifestSchema = z.strictObject({
  ...documentHeader,
  kind: z.literal('custos.bundle'),
  expires: utc,
  recipient: z.strictObject({ server: z.string().min(1).max(200), fingerprint: hex(64) }),
  scheme: z.literal(BUNDLE_SCHEME),
  transcript: z.strictObject({ head: hex(64), seq: z.int().min(0) }),
  keys: z.array(z.strictObject({ ...publicKeyFacts, wrapped: b64 })).min(1).max(100_000),
});
export type BundleManifest = z.infer<typeof bundleManifestSchema>;
export type Bundle = SignedDocument<BundleManifest>;

export interface BundleCheck {
  manifest: BundleManifest;
  approvers: string[];
}

/**
 * Verify a bundle: strict shape, two distinct custodian approvals against the trusted roster,
 * and, when given, the pinned transport-key fingerprint and the time (expiry).
 */
export function verifyBundle(provider: CryptoProvider, text: string, roster: VerifiedRoster, opts: { fingerprint?: string; now?: Date } = {}): BundleCheck {
  const doc = parseSignedDocument(text, 'bundle', bundleManifestSchema, 'a bundle manifest');
  const m = doc.manifest;
  if (m.expires <= m.created) throw new VerifyError('bundle.expires', 'bundle.manifest.expires', 'is not after its creation time');
  const ids = m.keys.map((k) => k.id);
  const dup = ids.find((x, i) => ids.indexOf(x) !== i);
  if (dup) throw new VerifyError('bundle.keys', 'bundle.manifest.keys', `key ${dup} appears twice`);
  const approvers = checkApprovals(provider, 'bundle', doc, roster, 'bundle', { count: 2, role: 'custodian' });
  if (opts.fingerprint !== undefined) checkBundleRecipient(m, opts.fingerprint);
  if (opts.now && new Date(m.expires) <= opts.now) throw new VerifyError('bundle.expired', 'bundle.manifest.expires', `the bundle expired on ${m.expires}`);
  return { manifest: m, approvers };
}

/** The bundle is wrapped for the transport key pinned by `fingerprint` (the one confirmed by phone). */
export function checkBundleRecipient(m: BundleManifest, fingerprint: string): void {
  if (m.recipient.fingerprint !== fingerprint) throw new VerifyError('bundle.recipient', 'bundle.manifest.recipient.fingerprint', `the bundle is wrapped for transport key ${m.recipient.fingerprint}, not ${fingerprint}`);
}

/**
 * The export ceremony's transcript (`text`, signed under the roster) records this bundle: it is
 * that ceremony's, the head the bundle names is one of its heads, and a `bundle.written` event
 * holds the bundle's SHA-256.
 */
export function checkBundleRecorded(provider: CryptoProvider, text: string, roster: VerifiedRoster, m: BundleManifest, sha256: string, field: string): void {
  const report = verifyTranscript(provider, text, { publicKey: roster.publicKey });
  // Evidence only as a valid ceremony (the rule of verify transcript and the vault): one a person signed alone records nothing.
  const s = checkCeremonyTranscript(report, roster);
  if (s.kind !== 'export-bundle') throw new VerifyError('bundle.transcript', field, `is the transcript of a ${s.kind} ceremony, not of an export-bundle`);
  if (report.ceremony !== m.ceremony) throw new VerifyError('bundle.transcript', field, `is the transcript of ceremony ${report.ceremony}, not ${m.ceremony}`);
  if (!report.events.some((e) => e.prev === m.transcript.head)) throw new VerifyError('bundle.transcript', 'bundle.manifest.transcript.head', 'is not a head of this transcript');
  if (!report.events.some((e) => e.type === 'bundle.written' && e.data.sha256 === sha256)) throw new VerifyError('bundle.transcript', field, 'does not record this file (bundle.written with its SHA-256)');
}
