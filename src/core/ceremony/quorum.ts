/**
 * Quorum unlock: M custodians each unlock their identity and bring their share file; the
 * shares are opened, checked against the share sets the vault's transcripts know (issued by
 * a closed ceremony, not revoked, each share brought by the custodian it was issued to), and
 * combined. Each custodian's step is signed by them; the master key is returned to the
 * ceremony, which wipes it.
 */
import { CustosError, PolicyError } from '../errors';
import { fromHex, toHex, wipe } from '../crypto/bytes';
import { combineShares, type LabelledShare } from '../shares/combine';
import { openShareFile } from '../shares/file';
import { wipeShareRecord, type ShareRecord } from '../shares/record';
import { ageIdentityString, wipeIdentity } from '../roster/identity';
import type { Session } from './session';
import type { ShareSet, VaultState } from './vault';

export interface Unlocked {
  /** SECRET: the caller wipes it. */
  master: Uint8Array;
  set: ShareSet;
  keyId: string;
  kcv: string;
  used: string[];
}

export async function unlockMaster(session: Session, state: VaultState, quorum: string[]): Promise<Unlocked> {
  const { ports } = session;
  const { provider } = ports;
  const shares: { custodian: string; record: ShareRecord; label: string }[] = [];
  try {
    for (const c of quorum) {
      const id = await session.unlock(c, 'bring your share to the quorum');
      try {
        // A wrong passphrase or file is asked again; a share that opens but is bad is refused below.
        const { record, label } = await session.attempt(c, 'open your share file', async () => {
          const answer = await ports.shareFile(c);
          try {
            const key = answer.passphrase !== undefined ? { passphrase: answer.passphrase } : { identity: ageIdentityString(id.ageSecret) };
            return { record: await openShareFile(provider, answer.bytes, key), label: answer.label };
          } finally {
            wipe(answer.bytes);
          }
        });
        shares.push({ custodian: c, record, label });
        session.append(id, 'quorum.share', { custodian: c, setId: toHex(record.setId), index: record.index });
      } catch (e) {
        if (e instanceof CustosError && e.code === 'prompt.attempts') throw e; // an interruption: the rerun asks again
        if (!(e instanceof CustosError)) throw e;
        // Named and recorded; the quorum may still be met by the others.
        ports.say(`${c}: ${e.message}`);
        session.append(id, 'quorum.share-refused', { custodian: c, code: e.code, field: e.field });
      } finally {
        wipeIdentity(id);
      }
    }
    // The set most shares belong to; every share of another set is named by combine.
    const counts = new Map<string, number>();
    for (const s of shares) counts.set(toHex(s.record.setId), (counts.get(toHex(s.record.setId)) ?? 0) + 1);
    const setId = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (!setId) throw new PolicyError('quorum.none', 'quorum', 'no share could be opened');
    const set = state.sets.get(setId);
    if (!set) throw new PolicyError('quorum.unknown-set', 'shares', `share set ${setId} was not issued by any closed ceremony in this vault`);
    const revoked = state.revoked.get(setId);
    if (revoked) throw new PolicyError('quorum.revoked', 'shares', `share set ${setId} was revoked by ceremony ${revoked.ceremony} on ${revoked.time}: its shares are refused`);
    const retired = state.retired.get(set.keyId);
    if (retired) throw new PolicyError('quorum.retired', 'shares', `master key ${set.keyId} was retired by ceremony ${retired.ceremony} on ${retired.time}`);
    for (const s of shares) {
      if (toHex(s.record.setId) !== setId) continue;
      const holder = set.custodians[s.record.index - 1];
      if (holder !== s.custodian) throw new PolicyError('quorum.holder', `quorum.${s.custodian}`, `${s.custodian} brought share ${s.record.index}, which was issued to ${holder ?? 'nobody'}`);
    }
    const good = counts.get(setId)!;
    if (good < set.threshold) throw new PolicyError('quorum.short', 'quorum', `share set ${setId} needs ${set.threshold} shares; only ${good} were presented`);
    const labelled: LabelledShare[] = shares.map((s) => ({ label: `${s.custodian} (${s.label})`, record: s.record }));
    const r = await combineShares(provider, labelled, { signer: fromHex(set.signer), setId: fromHex(setId), keyId: fromHex(set.keyId) });
    const keyId = toHex(r.keyId);
    session.append(session.operator, 'quorum.unlocked', { setId, keyId, kcv: r.kcv, custodians: shares.filter((s) => r.used.includes(`${s.custodian} (${s.label})`)).map((s) => s.custodian) });
    ports.say(`Master key ${r.kcv} rebuilt from ${r.used.length} shares of set ${setId}.`);
    return { master: r.key, set, keyId, kcv: r.kcv, used: r.used };
  } finally {
    shares.forEach((s) => wipeShareRecord(s.record));
  }
}
