/**
 * The generate ceremony: a master key from the CSPRNG (optionally mixed with custodian dice),
 * its KCV and id, an M-of-N split checked over its subsets, an empty sealed inventory in the
 * vault, one share per custodian written to their medium and re-opened by them, and the
 * transcript closed by the witnesses' and operator's attestations. The master key is never
 * stored and is wiped once the shares are issued.
 */
import { toHex, wipe } from '../crypto/bytes';
import { createInventory } from '../inventory/inventory';
import { deriveKeyId } from '../crypto/key-id';
import { kcv } from '../crypto/kcv';
import type { GeneratePlan, PlanOf } from '../plan/schema';
import type { VerifiedRoster } from '../roster/roster';
import type { CeremonyPorts } from './ports';
import { Session, type Closing } from './session';
import { issueShares, newMasterKey, resumeSplit, splitAndRecord, verifyIssued } from './shares-steps';
import { checkOutputs } from './outputs';
import { absorb, loadVaultState, writeInventory } from './vault';

export { MIN_DICE_ROLLS, parseDice } from './shares-steps';

export interface CeremonyOptions {
  /** SHA-256 (hex) of the plan file, recorded in the transcript. */
  planSha256: string;
  rehearsal?: boolean;
  /** scrypt work factor of passphrase share files (default 18; lower only in rehearsals). */
  workFactor?: number;
}
export type GenerateOptions = CeremonyOptions;

export interface GenerateResult extends Closing {
  keyId: string;
  kcv: string;
  setId: string;
}

/**
 * Outputs must be absent before any key is made; a resumed run's own, recorded with the SHA-256
 * they have, may stay (`checkOutputs`).
 */
export function checkOutputsAbsent(session: Session, plan: PlanOf<'generate' | 'reshare' | 'rotate' | 'export-bundle' | 'escrow' | 'backup'>): void {
  checkOutputs(session.ports, plan, session.roster, session.interrupted());
}

export async function runGenerate(ports: CeremonyPorts, plan: GeneratePlan, roster: VerifiedRoster, opts: GenerateOptions): Promise<GenerateResult> {
  const session = new Session(ports, roster, plan, opts);
  // Before any key exists: roles, separation of duties, air gap, outputs absent.
  const { warning } = session.preflight({ operator: plan.operator, custodians: plan.shares.custodians, witnesses: plan.witnesses });
  checkOutputsAbsent(session, plan);
  const state = loadVaultState(ports.provider, ports.vault, roster, { exclude: plan.transcript, rehearsal: opts.rehearsal === true, say: ports.say });
  return session.run(async () => {
    await session.open({ custodians: plan.shares.custodians, threshold: plan.shares.threshold }, warning);
    absorb(state, session.prior, session.ceremony, false, { own: true });
    let setId = resumeSplit(session);
    if (setId === undefined) {
      const master = await newMasterKey(session, plan.key, plan.shares.custodians);
      try {
        session.append(session.operator, 'key.generated', {
          label: plan.key.label,
          keyId: toHex(deriveKeyId(ports.provider, master)),
          kcv: kcv(ports.provider, master),
          source: plan.key.dice ? 'csprng+dice' : 'csprng',
          ...(plan.key.dice && { diceFrom: plan.shares.custodians }),
        });
        const split = await splitAndRecord(session, master, plan.shares);
        setId = toHex(split.setId);
        writeInventory(session, state, createInventory(ports.provider, master));
        wipe(master); // before the shares leave memory: the key exists only as shares from here on
        await issueShares(session, split, plan.shares, plan.airgap, opts.workFactor);
      } finally {
        wipe(master);
      }
    }
    await verifyIssued(session, setId, plan.shares);
    const gen = session.doneOrNow('key.generated');
    const closing = await session.close();
    return { ...closing, setId, keyId: String(gen.data.keyId), kcv: String(gen.data.kcv) };
  });
}
