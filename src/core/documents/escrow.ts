/**
 * The escrow export: selected keys encrypted to an escrow agent, with a manifest signed by two
 * approvers. For an age agent the keys travel in an age file (the raw 32-byte keys one after
 * the other, in manifest order), which the agent opens with the standard `age` tool; the
 * manifest names its SHA-256. For an RSA agent each key is wrapped with CKM_RSA_AES_KEY_WRAP
 * inside the manifest, as in an export bundle.
 */
import { z } from 'zod';
import { VerifyError } from '../errors';
import { ageRecipient, b64, documentHeader, hex } from './fields';
import type { CryptoProvider } from '../crypto/provider';
import { toHex } from '../crypto/bytes';
import type { VerifiedRoster } from '../roster/roster';
import { BUNDLE_SCHEME, publicKeyFacts } from './bundle';
import { checkApprovals, parseSignedDocument, type SignedDocument } from './signed';


export const escrowManifestSchema = z.strictObject({
  ...documentHeader,
  kind: z.literal('custos.escrow'),
  agent: z.union([
    z.strictObject({ name: z.string().min(1).max(200), type: z.literal('age'), recipient: ageRecipient }),
    z.strictObject({ name: z.string().min(1).max(200), type: z.literal('rsa'), fingerprint: hex(64), scheme: z.literal(BUNDLE_SCHEME) }),
  ]),
  payload: z.strictObject({ file: z.string().min(1).max(200), sha256: hex(64), layout: z.literal('concatenated 32-byte keys in manifest order') }).nullable(),
  transcript: z.strictObject({ head: hex(64), seq: z.int().min(0) }),
  keys: z.array(z.strictObject({ ...publicKeyFacts, wrapped: b64.nullable() })).min(1).max(100_000),
});
export type EscrowManifest = z.infer<typeof escrowManifestSchema>;
export type Escrow = SignedDocument<EscrowManifest>;

/** Verify an escrow manifest, and its age payload when given. */
export function verifyEscrow(provider: CryptoProvider, text: string, roster: VerifiedRoster, payload?: Uint8Array): { manifest: EscrowManifest; approvers: string[] } {
  const doc = parseSignedDocument(text, 'escrow', escrowManifestSchema, 'an escrow manifest');
  const m = doc.manifest;
  const age = m.agent.type === 'age';
  if (age !== (m.payload !== null) || m.keys.some((k) => (k.wrapped === null) !== age))
    throw new VerifyError('escrow.layout', 'escrow.manifest', 'an age escrow has a payload file and no wrapped keys; an RSA escrow the reverse');
  const approvers = checkApprovals(provider, 'escrow', doc, roster, 'escrow', { count: 2, role: 'custodian' });
  if (payload !== undefined) {
    if (!m.payload) throw new VerifyError('escrow.payload', 'escrow.payload', 'this escrow has no payload file');
    const h = toHex(provider.sha256(payload));
    if (h !== m.payload.sha256) throw new VerifyError('escrow.payload', m.payload.file, 'is not the file the manifest names (its SHA-256 differs)');
  }
  return { manifest: m, approvers };
}
