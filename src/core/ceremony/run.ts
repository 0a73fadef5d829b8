/** One entry point for every plan kind: the CLI and the app run plans through it. */
import type { Plan, PlanKind, PlanOf } from '../plan/schema';
import type { VerifiedRoster } from '../roster/roster';
import type { CeremonyPorts } from './ports';
import type { CryptoProvider } from '../crypto/provider';
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

const RUNNERS = {
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
} satisfies { [K in Exclude<PlanKind, 'enroll'>]: (ports: CeremonyPorts, plan: PlanOf<K>, roster: VerifiedRoster, opts: CeremonyOptions & { segmentSize?: number }) => Promise<Closing> };

/** What a ceremony of kind K returns: its closing and the facts of that kind (keys, KCVs, files), tagged with the kind. */
export type ResultOf<K extends PlanKind> = (K extends 'enroll' ? Awaited<ReturnType<typeof runEnroll>> : K extends keyof typeof RUNNERS ? Awaited<ReturnType<(typeof RUNNERS)[K]>> : never) & { kind: K };
/** A rerun that only completed an interrupted close returns the closing alone (`closedNow`). */
export type CeremonyResult = { [K in PlanKind]: ResultOf<K> | (Closing & { kind: K; closedNow: true }) }[PlanKind];

type AnyRunner = (ports: CeremonyPorts, plan: Plan, roster: VerifiedRoster, opts: CeremonyOptions & { segmentSize?: number }) => Promise<Closing>;

/** The provider with each scrypt derivation reported as long work (it gives no progress of its own). */
function reportingScrypt(provider: CryptoProvider, progress: CeremonyPorts['progress']): CryptoProvider {
  if (!progress) return provider;
  // A checked provider is a frozen object of closures (no `this`): a copy with scrypt wrapped.
  return Object.freeze({
    ...provider,
    async scrypt(...a: Parameters<CryptoProvider['scrypt']>) {
      progress({ what: 'scrypt', done: 0, total: 1 });
      try {
        return await provider.scrypt(...a);
      } finally {
        progress({ what: 'scrypt', done: 1, total: 1 });
      }
    },
  });
}

/**
 * Run a plan. `roster` is the pinned roster the plan names; for an enrollment it is the pinned
 * roster being renewed, or undefined for a first enrollment.
 */
export async function runPlan(ports: CeremonyPorts, plan: Plan, roster: VerifiedRoster | undefined, opts: CeremonyOptions & { segmentSize?: number }): Promise<CeremonyResult> {
  if (plan.kind !== 'enroll' && !roster) throw new InputError('plan.roster', 'plan.roster', 'the pinned roster was not given');
  // Whatever would stop the run is found before anyone is asked for anything.
  const seen = foresee(ports, plan, roster, { planSha256: opts.planSha256, rehearsal: opts.rehearsal === true });
  for (const w of seen.warnings) (ports.warn ?? ((t: string) => ports.say(`Warning: ${t}`)))(w);
  ports = { ...ports, provider: reportingScrypt(ports.provider, ports.progress) };
  if (plan.kind === 'enroll') return { kind: 'enroll', ...(await runEnroll(ports, plan, roster, opts)) };
  if (!roster) throw new InputError('plan.roster', 'plan.roster', 'the pinned roster was not given');
  const result = await (RUNNERS[plan.kind] as AnyRunner)(ports, plan, roster, opts);
  return { ...result, kind: plan.kind } as CeremonyResult;
}
