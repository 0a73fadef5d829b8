/** One entry point for every plan kind: the CLI and the app run plans through it. */
import type { Plan, PlanKind, PlanOf } from '../plan/schema';
import type { VerifiedRoster } from '../roster/roster';
import type { CeremonyPorts } from './ports';
import { runGenerate, type CeremonyOptions } from './generate';
import { runAddKey, runChangeState } from './inventory-ceremonies';
import { runEscrow, runExportBundle } from './export';
import { runBackup, runRestore } from './backup';
import { runReshare, runRotate } from './reshare';
import { runConfirmImport } from './confirm-import';
import type { Closing } from './session';
import { runEnroll } from './enroll';
import { InputError } from '../errors';
import { foresee } from './foresee';

export type CeremonyResult = Closing & object;

type Runner<K extends PlanKind> = (ports: CeremonyPorts, plan: PlanOf<K>, roster: VerifiedRoster, opts: CeremonyOptions & { segmentSize?: number }) => Promise<CeremonyResult>;

const RUNNERS: { [K in Exclude<PlanKind, 'enroll'>]: Runner<K> } = {
  generate: runGenerate,
  'add-key': runAddKey,
  'change-state': runChangeState,
  'export-bundle': runExportBundle,
  escrow: runEscrow,
  backup: runBackup,
  restore: runRestore,
  reshare: runReshare,
  rotate: runRotate,
  'confirm-import': runConfirmImport,
};

/**
 * Run a plan. `roster` is the pinned roster the plan names; for an enrollment it is the pinned
 * roster being renewed, or undefined for a first enrollment.
 */
export async function runPlan(ports: CeremonyPorts, plan: Plan, roster: VerifiedRoster | undefined, opts: CeremonyOptions & { segmentSize?: number }): Promise<CeremonyResult> {
  if (plan.kind !== 'enroll' && !roster) throw new InputError('plan.roster', 'plan.roster', 'the pinned roster was not given');
  // Whatever would stop the run is found before anyone is asked for anything.
  foresee(ports, plan, roster, { planSha256: opts.planSha256, rehearsal: opts.rehearsal === true });
  if (plan.kind === 'enroll') return runEnroll(ports, plan, roster, opts);
  if (!roster) throw new InputError('plan.roster', 'plan.roster', 'the pinned roster was not given');
  return (RUNNERS[plan.kind] as Runner<Exclude<PlanKind, 'enroll'>>)(ports, plan as never, roster, opts);
}
