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

export type CeremonyResult = Closing & object;

type Runner<K extends PlanKind> = (ports: CeremonyPorts, plan: PlanOf<K>, roster: VerifiedRoster, opts: CeremonyOptions & { segmentSize?: number }) => Promise<CeremonyResult>;

const RUNNERS: { [K in PlanKind]: Runner<K> } = {
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

export function runPlan(ports: CeremonyPorts, plan: Plan, roster: VerifiedRoster, opts: CeremonyOptions & { segmentSize?: number }): Promise<CeremonyResult> {
  return (RUNNERS[plan.kind] as Runner<PlanKind>)(ports, plan as never, roster, opts);
}
