/**
 * Everything a run would refuse, decided before anyone is asked for anything: `custos plan
 * check` reports it and `runPlan` checks it first, so nobody types a passphrase for a ceremony
 * that cannot run. The air gap; the roster's roles, separation of duties and enrollment dates;
 * an existing transcript that cannot be resumed (closed, aborted, another plan, the other kind
 * of run, an enrollment, a split whose shares were not all written); outputs that exist (on a
 * resume, those the interrupted run did not record writing with the SHA-256 they have); a
 * restore into a vault that is not empty, or from a backup that cannot be read, does not verify
 * or is of the other kind of run; a quorum that names no live share set (of the vault, or for a
 * restore of the backup), a revoked one, or fewer custodians than its threshold; the inventory
 * the quorum would open missing or not the recorded file; an export's transport or agent key not
 * the pinned one or expired, and a key it names that is not in the inventory or not active.
 */
import { PolicyError } from '../errors';
import { checkNameFree, checkTransition } from '../inventory/inventory';
import { planAssignment, type Plan } from '../plan/schema';
import { checkSeparation, type VerifiedRoster } from '../roster/roster';
import { checkAirgap } from './network';
import type { CeremonyPorts } from './ports';
import { expectedSet } from './quorum';
import { resumable } from './session';
import { checkOutputs } from './outputs';
import { lostSplit } from './shares-steps';
import { enrollResumed } from './enroll';
import { restoreSource } from './backup';
import { loadAgentKey, loadTransport, selectKeys } from './export';
import { absorb, inventoryContents, inventoryName, loadVaultState, orphanInventory, type ShareSet, type VaultState } from './vault';

export interface Foresight {
  /** The plan's transcript exists: the run resumes it. */
  resuming: boolean;
  /** Said before the run (an interface up under `airgap: warn`, say). */
  warnings: string[];
  /** For a quorum: the share set it is expected to open. */
  set?: { setId: string; kcv: string; threshold: number; count: number };
}

type Seen = Pick<CeremonyPorts, 'provider' | 'clock' | 'network' | 'vault' | 'outputs' | 'paper' | 'transcript' | 'input' | 'openInput'>;

export function foresee(ports: Seen, plan: Plan, roster: VerifiedRoster | undefined, opts: { planSha256: string; rehearsal: boolean }): Foresight {
  const warnings: string[] = [];
  if (!opts.rehearsal && roster?.rehearsal)
    throw new PolicyError(
      'roster.rehearsal',
      plan.kind === 'enroll' ? 'plan.previous.file' : 'plan.roster.file',
      'is a rehearsal roster (made by custos enroll from an unattended file): a real ceremony needs the roster of an enrollment ceremony (custos plan template enroll)',
    );
  const warning = checkAirgap(ports.network(), plan.airgap);
  if (warning) warnings.push(warning);
  if (roster && plan.kind !== 'enroll') checkSeparation(roster, planAssignment(plan), ports.clock());
  const existing = ports.transcript.existing();
  if (existing !== undefined && plan.kind === 'enroll') throw enrollResumed();
  const interrupted = existing !== undefined && roster && plan.kind !== 'enroll' ? resumable(ports.provider, existing, roster, plan, opts.planSha256, opts.rehearsal) : undefined;
  const resuming = existing !== undefined;
  // A split whose shares were not all written: its master key died with the interrupted run.
  const lost = interrupted && 'shares' in plan ? lostSplit(interrupted.events) : undefined;
  if (lost) throw lost;
  checkOutputs(ports, plan, roster, interrupted);
  // The key an export wraps for: the one the plan pins, not expired.
  if (plan.kind === 'export-bundle') loadTransport(ports, plan);
  if (plan.kind === 'escrow') loadAgentKey(ports, plan);
  if (plan.kind === 'restore') {
    const other = ports.vault.list().filter((n) => n !== plan.transcript);
    if (!resuming && other.length) throw new PolicyError('restore.vault', 'plan.vault', `is not empty (${other.slice(0, 3).join(', ')}${other.length > 3 ? ', …' : ''}): a restore only writes into an empty vault`);
    if (!roster) return { resuming, warnings };
    // The backup itself, and the quorum against the share sets it names.
    const { file, state } = restoreSource(ports, plan, roster, opts.rehearsal);
    file.close();
    const set = quorumSet(state, plan.quorum, 'the backup');
    return { resuming, warnings, ...(set && { set: { setId: set.setId, kcv: set.kcv, threshold: set.threshold, count: set.count } }) };
  }
  if (!roster || !('quorum' in plan)) return { resuming, warnings };
  const state = loadVaultState(ports.provider, ports.vault, roster, { exclude: plan.transcript, rehearsal: opts.rehearsal });
  if (interrupted) absorb(state, interrupted.events, interrupted.ceremony, false, { own: true }); // the generations it wrote, as the run reads them
  const set = quorumSet(state, plan.quorum, 'this vault');
  const current = set && state.inventories.get(set.keyId);
  // Only the ceremonies that write the next generation of this master key's inventory.
  const writesNext = plan.kind === 'add-key' || plan.kind === 'change-state';
  if (current && writesNext && !resuming && ports.vault.exists(inventoryName(set.keyId, current.generation + 1))) throw orphanInventory(inventoryName(set.keyId, current.generation + 1));
  // The inventory the quorum will open (the file the transcripts recorded), and the keys an
  // export selects from it: their names and states are readable before the master key is.
  // An export whose transcript records its document only closes: it reads no inventory.
  const written = plan.kind === 'export-bundle' ? 'bundle.written' : plan.kind === 'escrow' ? 'escrow.written' : undefined;
  if (set && !(written && interrupted?.events.some((e) => e.type === written))) {
    const inventory = inventoryContents(ports.provider, ports.vault, state, set.keyId);
    if (plan.kind === 'export-bundle' || plan.kind === 'escrow') selectKeys(inventory, plan.keys);
    // What the run would refuse once the quorum opened the inventory, found from its names and
    // states now (an interrupted run may have done some of it: the run itself decides then).
    if (plan.kind === 'add-key' && !resuming) for (const [i, k] of plan.keys.entries()) checkNameFree(inventory, k.name, `plan.keys[${i}].name`);
    if (plan.kind === 'change-state' && !resuming) {
      const states = new Map(inventory.keys.map((k) => [k.name, k.state]));
      for (const [i, c] of plan.changes.entries()) {
        const from = states.get(c.key);
        if (from === undefined) throw new PolicyError('inventory.name', `plan.changes[${i}].key`, `no key named "${c.key}" in the inventory of master key ${set.keyId}`);
        checkTransition({ name: c.key, state: from }, c.to, `plan.changes[${i}].to`);
        states.set(c.key, c.to);
      }
    }
  }
  return { resuming, warnings, ...(set && { set: { setId: set.setId, kcv: set.kcv, threshold: set.threshold, count: set.count } }) };
}

/** The live set a quorum opens (undefined when it holds several: its shares decide), or a refusal that says why there is none. */
function quorumSet(state: VaultState, quorum: string[], where: 'this vault' | 'the backup'): ShareSet | undefined {
  const live = [...state.sets.values()].filter((s) => !state.revoked.has(s.setId) && !state.retired.has(s.keyId));
  const holds = (s: ShareSet) => quorum.every((c) => s.custodians.includes(c));
  const set = expectedSet(state, quorum);
  if (set) {
    if (quorum.length < set.threshold)
      throw new PolicyError('quorum.short', 'plan.quorum', `names ${quorum.length} custodian${quorum.length === 1 ? '' : 's'}, but share set ${set.setId} (master key ${set.kcv}) needs ${set.threshold} of its ${set.count}`);
    return set;
  }
  if (live.some(holds)) return undefined;
  const dead = [...state.sets.values()].find((s) => holds(s) && (state.revoked.has(s.setId) || state.retired.has(s.keyId)));
  const liveSets = live.map((s) => `set ${s.setId} (master key ${s.kcv}), held by ${s.custodians.join(', ')}`).join('; ');
  if (dead) {
    const r = state.revoked.get(dead.setId);
    const why = r ? `was revoked by ceremony ${r.ceremony} on ${r.time}` : `is of master key ${dead.kcv}, retired by ceremony ${state.retired.get(dead.keyId)!.ceremony}`;
    throw new PolicyError('quorum.revoked', 'plan.quorum', `share set ${dead.setId}, the one this quorum holds, ${why}: its shares are refused${live.length ? `; name custodians of the live ${liveSets}` : ''}`);
  }
  if (live.length === 0) {
    const ignored = state.ignored.map((i) => i.name);
    const why = ignored.length ? `; it ignores ${ignored.slice(0, 3).join(', ')}${ignored.length > 3 ? `, and ${ignored.length - 3} more` : ''} (not valid ceremonies under this roster: custos vault doctor says why)` : '';
    throw new PolicyError(
      'quorum.no-set',
      'plan.quorum',
      where === 'this vault' ? `this vault knows no live share set (no valid ceremony issued one that is not revoked)${why}: check plan.vault` : 'the backup names no live share set that can rebuild its master key: check plan.backup.file',
    );
  }
  const outside = quorum.filter((c) => !live.some((s) => s.custodians.includes(c)));
  throw new PolicyError(
    'quorum.holder',
    'plan.quorum',
    outside.length
      ? `${outside.join(', ')} ${outside.length === 1 ? 'holds' : 'hold'} no share of a live set; the live ${liveSets}`
      : `no live set is held by all of ${quorum.join(', ')}; the live ${liveSets}`,
  );
}
