/**
 * Signed documents (export bundle, escrow manifest, backup trailer): one line of RFC 8785
 * canonical JSON, `{"approvals":[{"approver","sig"}...],"manifest":{...}}`, where each
 * approval is an Ed25519 signature by a distinct participant over
 *
 *   "custos/<kind>/v1" || 0x00 || canonical JSON of the manifest
 *
 * Dual control is checked, not assumed: the approvers are distinct, enrolled with the role
 * the document needs, not excluded (the requester may not approve their own request).
 */
import { base64 } from '@scure/base';
import type { z } from 'zod';
import { InputError, VerifyError } from '../errors';
import { concat, utf8 } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import type { IdentitySecrets } from '../roster/identity';
import type { Role, VerifiedRoster } from '../roster/roster';
import { canonicalJson, parseCanonicalJson } from '../transcript/canonical';
import { strictParse } from '../plan/strict';

export interface Approval {
  approver: string;
  sig: string;
}

export interface SignedDocument<M> {
  manifest: M;
  approvals: Approval[];
}

function message(kind: string, manifest: unknown): Uint8Array {
  return concat(utf8(`custos/${kind}/v1\0`), utf8(canonicalJson(manifest, 'manifest')));
}

export function approve(provider: CryptoProvider, kind: string, manifest: unknown, who: IdentitySecrets): Approval {
  return { approver: who.id, sig: base64.encode(provider.ed25519Sign(who.signingSeed, message(kind, manifest))) };
}

export function documentToText<M>(doc: SignedDocument<M>): string {
  return canonicalJson(doc, 'document') + '\n';
}

/**
 * One line of canonical JSON holding exactly the fields `keys`, handed to `body`. A document
 * is verified, not merely read: any damage, here or in `body`, is a VerifyError naming the
 * field, so `custos verify` exits 1 for a tampered file.
 */
export function parseDocumentLine<T>(text: string, root: string, keys: string[], body: (v: Record<string, unknown>) => T): T {
  try {
    if (typeof text !== 'string' || !text.endsWith('\n') || text.indexOf('\n') !== text.length - 1) throw new InputError(`${root}.text`, root, 'must be one line of canonical JSON ending in a newline');
    const v = parseCanonicalJson(text.slice(0, -1), root);
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.keys(v).sort().join() !== [...keys].sort().join())
      throw new InputError(`${root}.shape`, root, `must hold exactly ${keys.map((k) => `"${k}"`).join(' and ')}`);
    return body(v as Record<string, unknown>);
  } catch (e) {
    if (e instanceof InputError) throw new VerifyError(e.code, e.field, `${e.detail} (the file is damaged or altered)`, { cause: e });
    throw e;
  }
}

/** Parse a signed document strictly (see parseDocumentLine). */
export function parseSignedDocument<M>(text: string, root: string, schema: z.ZodType<M>, what: string): SignedDocument<M> {
  return parseDocumentLine(text, root, ['approvals', 'manifest'], (v) => {
    const manifest = strictParse(schema, v.manifest, `${root}.manifest`, what);
    const approvals = v.approvals;
    if (!Array.isArray(approvals)) throw new InputError(`${root}.approvals`, `${root}.approvals`, 'must be a list');
    approvals.forEach((a, i) => {
      if (typeof a !== 'object' || a === null || Array.isArray(a) || Object.keys(a).sort().join() !== 'approver,sig' || typeof a.approver !== 'string' || typeof a.sig !== 'string')
        throw new InputError(`${root}.approval`, `${root}.approvals[${i}]`, 'must be {"approver","sig"}');
    });
    return { manifest, approvals: approvals as unknown as Approval[] };
  });
}

/** Check the approvals: `count` distinct people, enrolled with `role`, none excluded, every signature valid. */
export function checkApprovals<M>(
  provider: CryptoProvider,
  kind: string,
  doc: SignedDocument<M>,
  roster: VerifiedRoster,
  root: string,
  opts: { count: number; role: Role; exclude?: string[] },
): string[] {
  const msg = message(kind, doc.manifest);
  const seen: string[] = [];
  doc.approvals.forEach((a, i) => {
    const f = `${root}.approvals[${i}]`;
    const p = roster.participant(a.approver);
    if (!p) throw new VerifyError('approval.unknown', `${f}.approver`, `"${a.approver}" is not in the trusted roster`);
    if (seen.includes(a.approver)) throw new VerifyError('approval.duplicate', `${f}.approver`, `${a.approver} approved twice: approvals must come from distinct people`);
    if (opts.exclude?.includes(a.approver)) throw new VerifyError('approval.self', `${f}.approver`, `${a.approver} requested this and cannot approve it`);
    if (!p.roles.includes(opts.role)) throw new VerifyError('approval.role', `${f}.approver`, `${a.approver} is not enrolled as ${opts.role}`);
    let sig: Uint8Array;
    try {
      sig = base64.decode(a.sig);
    } catch {
      throw new VerifyError('approval.signature', `${f}.sig`, 'is not base64');
    }
    if (sig.length !== 64 || !provider.ed25519Verify(roster.publicKey(a.approver)!, msg, sig))
      throw new VerifyError('approval.signature', `${f}.sig`, `is not a valid signature by ${a.approver}`);
    seen.push(a.approver);
  });
  if (seen.length !== opts.count) throw new VerifyError('approval.count', `${root}.approvals`, `has ${seen.length} approvals; ${opts.count} distinct approvers are required (dual control)`);
  return seen;
}
