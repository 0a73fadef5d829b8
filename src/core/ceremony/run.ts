/** One entry point for every plan kind: the CLI and the app run plans through it. */
import type { Plan } from '../plan/schema';
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

export async function runPlan(ports: CeremonyPorts, plan: Plan, roster: VerifiedRoster, opts: CeremonyOptions & { segmentSize?: number }): Promise<CeremonyResult> {
  switch (plan.kind) {
    case 'generate':
      return { ...(await runGenerate(ports, plan, roster, opts)) };
    case 'add-key':
      return runAddKey(ports, plan, roster, opts);
    case 'change-state':
      return runChangeState(ports, plan, roster, opts);
    case 'export-bundle':
      return runExportBundle(ports, plan, roster, opts);
    case 'escrow':
      return runEscrow(ports, plan, roster, opts);
    case 'backup':
      return runBackup(ports, plan, roster, opts);
    case 'restore':
      return runRestore(ports, plan, roster, opts);
    case 'reshare':
      return runReshare(ports, plan, roster, opts);
    case 'rotate':
      return runRotate(ports, plan, roster, opts);
    case 'confirm-import':
      return runConfirmImport(ports, plan, roster, opts);
  }
}
