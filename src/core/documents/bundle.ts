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
  if (opts.fingerprint !== undefined && m.recipient.fingerprint !== opts.fingerprint)
    throw new VerifyError('bundle.recipient', 'bundle.manifest.recipient.fingerprint', `the bundle is wrapped for transport key ${m.recipient.fingerprint}, not ${opts.fingerprint}`);
  if (opts.now && new Date(m.expires) <= opts.now) throw new VerifyError('bundle.expired', 'bundle.manifest.expires', `the bundle expired on ${m.expires}`);
  return { manifest: m, approvers };
}
