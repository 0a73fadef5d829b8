/**
 * Quorum unlock: M custodians each unlock their identity and bring their share (the share file,
 * or the paper card typed or read from a file); the
 * shares are opened, checked against the share sets the vault's transcripts know (issued by
 * a closed ceremony, not revoked, each share brought by the custodian it was issued to), and
 * combined. Each custodian's step is signed by them; the master key is returned to the
 * ceremony, which wipes it.
 */
import { CustosError, PolicyError } from '../errors';
import { fromHex, toHex, wipe } from '../crypto/bytes';
import { combineShares, type LabelledShare } from '../shares/combine';
import { openPresentedShare } from '../shares/file';
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

/**
 * The one set this quorum can open: a set the vault's valid ceremonies issued, not revoked, of
 * a master key not retired, held by every custodian of the quorum. Undefined when there is no
 * such set or more than one (the shares then decide, and the checks after opening name why).
 */
export function expectedSet(state: VaultState, quorum: string[]): ShareSet | undefined {
  const live = heldSets(state, quorum);
  return live.length === 1 ? live[0] : undefined;
}

/** The live sets (not revoked, master key not retired) every custodian of the quorum holds a share of. */
function heldSets(state: VaultState, quorum: string[]): ShareSet[] {
  return [...state.sets.values()].filter((s) => !state.revoked.has(s.setId) && !state.retired.has(s.keyId) && quorum.every((c) => s.custodians.includes(c)));
}

/**
 * A share brought to the quorum is of the expected set and was issued to who brings it; else
 * named. `by` is the custodian whose share chose the set, when the vault alone could not.
 */
function checkPresented(state: VaultState, expected: ShareSet | undefined, custodian: string, record: ShareRecord, by?: string): void {
  const setId = toHex(record.setId);
  if (expected && setId !== expected.setId) {
    const other = state.sets.get(setId);
    const revoked = state.revoked.get(setId);
    const why = revoked
      ? `, revoked by ceremony ${revoked.ceremony} on ${revoked.time}`
      : other && other.keyId !== expected.keyId
        ? ` of another master key (${other.kcv})`
        : other
          ? ''
          : ', which no valid ceremony of this vault issued';
    throw new PolicyError(
      'quorum.wrong-set',
      `share.${custodian}`,
      `${custodian}'s share belongs to set ${setId}${why}, not set ${expected.setId} (master key ${expected.kcv}, ${expected.threshold} of ${expected.count})${by ? `, the set ${by}'s share opened` : ''}: bring your share of set ${expected.setId}`,
    );
  }
  const set = state.sets.get(setId);
  const holder = set?.custodians[record.index - 1];
  if (set && holder !== custodian) throw new PolicyError('quorum.holder', `share.${custodian}`, `${custodian} brought share ${record.index} of set ${setId}, which was issued to ${holder ?? 'nobody'}: bring your own share`);
}

/** A rehearsal's share never opens a real key, and a real share never goes into a rehearsal. */
function checkRehearsalMark(rehearsal: boolean, custodian: string, record: ShareRecord): void {
  if ((record.rehearsal === true) === rehearsal) return;
  throw new PolicyError(
    'quorum.rehearsal',
    `share.${custodian}`,
    record.rehearsal
      ? `${custodian}'s share is a REHEARSAL share (of a rehearsal's throwaway key): a real ceremony never takes it; bring your real share`
      : `${custodian}'s share is a real share: a rehearsal never takes one; bring your rehearsal share`,
  );
}

export async function unlockMaster(session: Session, state: VaultState, quorum: string[]): Promise<Unlocked> {
  const { ports } = session;
  const { provider } = ports;
  let expected = expectedSet(state, quorum);
  // Several live sets held by the whole quorum (two master keys with the same custodians): the
  // first share of one of them decides, and every later share is checked against it, so a share
  // of the other is named as it is brought (and asked again) rather than counted short at the end.
  const candidates = expected ? [] : heldSets(state, quorum);
  let chosenBy: string | undefined;
  const refused: string[] = [];
  const shares: { custodian: string; record: ShareRecord; label: string }[] = [];
  try {
    for (const [i, c] of quorum.entries()) {
      const id = await session.unlock(c, 'bring your share to the quorum');
      // Whether the camera was opened while this custodian was asked (recorded, whatever they brought).
      let camera = false as boolean;
      try {
        // A wrong passphrase or file is asked again; a share that opens but is bad is refused below.
        const { record, label, form, via } = await session.attempt(c, 'open your share', async () => {
          const answer = await ports.shareFile(c);
          camera ||= answer.camera === true;
          let opened: Awaited<ReturnType<typeof openPresentedShare>>;
          try {
            opened = await openPresentedShare(provider, answer.bytes, { ...(answer.passphrase !== undefined && { passphrase: answer.passphrase }), identity: () => ageIdentityString(id.ageSecret) }, `share.${c}`);
          } finally {
            wipe(answer.bytes);
          }
          try {
            checkRehearsalMark(session.rehearsal, c, opened.record);
            checkPresented(state, expected, c, opened.record, chosenBy);
          } catch (e) {
            wipeShareRecord(opened.record);
            throw e;
          }
          return { ...opened, label: answer.label, ...(answer.via && { via: answer.via }) };
        });
        shares.push({ custodian: c, record, label });
        session.append(id, 'quorum.share', { custodian: c, setId: toHex(record.setId), index: record.index, form, ...(via && { via }), ...(camera && { camera: 'opened' }) });
        const chosen = expected ? undefined : candidates.find((s) => s.setId === toHex(record.setId));
        if (chosen) {
          expected = chosen;
          chosenBy = c;
          ports.say(`${c}'s share is of set ${chosen.setId} (master key ${chosen.kcv}): this quorum opens that set, and the others bring their shares of it.`);
        }
      } catch (e) {
        if (e instanceof CustosError && e.code === 'prompt.attempts') {
          // Out of attempts: an interruption (the rerun asks again), unless what this custodian
          // brought is simply not a usable share of the set and the others can still meet it.
          const cause = e.cause instanceof CustosError ? e.cause.code : '';
          const notAShare = /^(quorum|text|record|qr)\./.test(cause);
          if (!notAShare || !expected || shares.length + (quorum.length - i - 1) < expected.threshold) throw e;
        }
        if (!(e instanceof CustosError)) throw e;
        // Named and recorded; the quorum may still be met by the others.
        const why = e.code === 'prompt.attempts' && e.cause instanceof CustosError ? e.cause : e;
        ports.say(`${c}: ${why.message}`);
        refused.push(why.message);
        session.append(id, 'quorum.share-refused', { custodian: c, code: why.code, field: why.field, ...(camera && { camera: 'opened' }) });
      } finally {
        wipeIdentity(id);
      }
    }
    // The set most shares belong to; every share of another set is named by combine.
    const counts = new Map<string, number>();
    for (const s of shares) counts.set(toHex(s.record.setId), (counts.get(toHex(s.record.setId)) ?? 0) + 1);
    const setId = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (!setId) throw new PolicyError('quorum.none', 'quorum', `no share could be opened${refused.length ? ` (${refused.join('; ')})` : ''}`);
    const set = state.sets.get(setId);
    if (!set) throw new PolicyError('quorum.unknown-set', 'shares', `share set ${setId} was not issued by any closed ceremony in this vault`);
    const revoked = state.revoked.get(setId);
    if (revoked) throw new PolicyError('quorum.revoked', 'shares', `share set ${setId} was revoked by ceremony ${revoked.ceremony} on ${revoked.time}: its shares are refused`);
    const retired = state.retired.get(set.keyId);
    if (retired) throw new PolicyError('quorum.retired', 'shares', `master key ${set.keyId} was retired by ceremony ${retired.ceremony} on ${retired.time}`);
    const good = counts.get(setId)!;
    if (good < set.threshold)
      throw new PolicyError('quorum.short', 'quorum', `share set ${setId} needs ${set.threshold} shares; ${good} ${good === 1 ? 'was' : 'were'} accepted${refused.length ? ` (refused: ${refused.join('; ')})` : ''}`);
    const labelled: LabelledShare[] = shares.map((s) => ({ label: `${s.custodian} (${s.label})`, record: s.record }));
    const r = await combineShares(provider, labelled, { signer: fromHex(set.signer), setId: fromHex(setId), keyId: fromHex(set.keyId) });
    const keyId = toHex(r.keyId);
    session.append(session.operator, 'quorum.unlocked', { setId, keyId, kcv: r.kcv, custodians: shares.filter((s) => r.used.includes(`${s.custodian} (${s.label})`)).map((s) => s.custodian) });
    ports.readAloud?.({ label: 'Master key KCV, rebuilt by the quorum', value: r.kcv });
    ports.say(`Master key ${r.kcv} rebuilt from ${r.used.length} shares of set ${setId}.`);
    return { master: r.key, set, keyId, kcv: r.kcv, used: r.used };
  } finally {
    shares.forEach((s) => wipeShareRecord(s.record));
  }
}
