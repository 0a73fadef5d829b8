/**
 * Dual control where people can see what they sign: each approver is shown the summary of what
 * they approve (keys by name and KCV, the recipient and its words, the expiry, the transcript
 * head, the document's SHA-256), says yes, then unlocks. The approval event records the
 * SHA-256 of that very summary.
 */
import { PolicyError } from '../errors';
import { toHex, utf8 } from '../crypto/bytes';
import { wipeIdentity, type IdentitySecrets } from '../roster/identity';
import { canonicalJson } from '../transcript/canonical';
import type { ApprovalSummary } from './ports';
import type { Session } from './session';

export function summaryDigest(session: Session, s: ApprovalSummary): string {
  return toHex(session.ports.provider.sha256(utf8(canonicalJson({ title: s.title, lines: s.lines }, 'summary'))));
}

/** Each approver reviews the summary, then unlocks; a "no" stops the ceremony before anyone signs. The caller wipes the identities. */
export async function reviewAndUnlock(session: Session, approvers: string[], summary: ApprovalSummary): Promise<IdentitySecrets[]> {
  const ids: IdentitySecrets[] = [];
  try {
    for (const a of approvers) {
      if (!(await session.ports.review(a, summary))) throw new PolicyError('approval.declined', a, `${a} declined to approve: ${summary.title}`);
      ids.push(await session.unlock(a, `approve: ${summary.title}`));
    }
    return ids;
  } catch (e) {
    ids.forEach(wipeIdentity);
    throw e;
  }
}
