/**
 * reshare: the same master key to a new custodian set or threshold; the old set is revoked in
 * the transcript and refused afterwards. rotate: a new master key; every inventory key is
 * unwrapped, checked and wrapped again under it; new shares; the old set revoked and the old
 * master key retired.
 */
import { toHex, wipe } from '../crypto/bytes';
import { deriveKeyId } from '../crypto/key-id';
import { kcv } from '../crypto/kcv';
import { rewrapInventory } from '../inventory/inventory';
import type { PlanOf } from '../plan/schema';
import type { VerifiedRoster } from '../roster/roster';
import type { CeremonyPorts } from './ports';
import { checkOutputsAbsent, type CeremonyOptions } from './generate';
import { quorumCeremony, type QuorumContext } from './quorum-ceremony';
import { issueShares, newMasterKey, resumeSplit, splitAndRecord, verifyIssued } from './shares-steps';
import { writeInventory } from './vault';

/** A quorum ceremony that issues a new share set: the new custodians are named when it opens. */
function newSetCeremony<P extends PlanOf<'reshare' | 'rotate'>, R>(ports: CeremonyPorts, plan: P, roster: VerifiedRoster, opts: CeremonyOptions, body: (c: QuorumContext) => Promise<R>) {
  return quorumCeremony(ports, plan, roster, opts, { custodians: plan.shares.custodians, threshold: plan.shares.threshold }, (session) => checkOutputsAbsent(session, plan), body);
}

export async function runReshare(ports: CeremonyPorts, plan: PlanOf<'reshare'>, roster: VerifiedRoster, opts: CeremonyOptions) {
  return newSetCeremony(
    ports,
    plan,
    roster,
    opts,
    async ({ session, unlocked }) => {
      let setId = resumeSplit(session);
      if (setId === undefined) {
        const split = await splitAndRecord(session, unlocked.master, plan.shares);
        setId = toHex(split.setId);
        await issueShares(session, split, plan.shares, plan.airgap, opts.workFactor);
      }
      wipe(unlocked.master);
      await verifyIssued(session, setId, plan.shares);
      if (!session.done('shares.revoked')) session.append(session.operator, 'shares.revoked', { setId: unlocked.set.setId, keyId: unlocked.keyId, replacedBy: setId });
      return { keyId: unlocked.keyId, kcv: unlocked.kcv, setId, revoked: unlocked.set.setId };
    },
  );
}

export async function runRotate(ports: CeremonyPorts, plan: PlanOf<'rotate'>, roster: VerifiedRoster, opts: CeremonyOptions) {
  return newSetCeremony(
    ports,
    plan,
    roster,
    opts,
    async ({ session, state, unlocked, inventory }) => {
      let setId = resumeSplit(session);
      let keyId: string;
      let newKcv: string;
      if (setId === undefined) {
        const master = await newMasterKey(session, plan.key, plan.shares.custodians);
        try {
          keyId = toHex(deriveKeyId(ports.provider, master));
          newKcv = kcv(ports.provider, master);
          session.append(session.operator, 'key.generated', { label: plan.key.label, keyId, kcv: newKcv, source: plan.key.dice ? 'csprng+dice' : 'csprng', replaces: unlocked.keyId });
          const split = await splitAndRecord(session, master, plan.shares);
          setId = toHex(split.setId);
          const inv = rewrapInventory(ports.provider, inventory, unlocked.master, master);
          writeInventory(session, state, inv);
          wipe(master, unlocked.master);
          await issueShares(session, split, plan.shares, plan.airgap, opts.workFactor);
        } finally {
          wipe(master);
        }
      } else {
        const gen = session.doneOrNow('key.generated');
        keyId = String(gen.data.keyId);
        newKcv = String(gen.data.kcv);
      }
      wipe(unlocked.master);
      await verifyIssued(session, setId, plan.shares);
      if (!session.done('shares.revoked')) session.append(session.operator, 'shares.revoked', { setId: unlocked.set.setId, keyId: unlocked.keyId, replacedBy: setId });
      if (!session.done('master.retired')) session.append(session.operator, 'master.retired', { keyId: unlocked.keyId, kcv: unlocked.kcv, replacedBy: keyId });
      return { keyId, kcv: newKcv, setId, retired: unlocked.keyId };
    },
  );
}
