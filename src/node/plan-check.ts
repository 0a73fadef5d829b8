/**
 * Everything `custos plan check` verifies before a ceremony may start: the plan itself, the
 * roster it names (signatures and the fingerprint words pinned in the plan), separation of
 * duties, that the vault, output and paper directories exist (the paper one apart from the
 * others, and never a temporary folder of the system). What a run would refuse on top of that
 * is `foreseeRun`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fromUtf8 } from '../core/crypto/bytes';
import path from 'node:path';
import { InputError, PolicyError } from '../core/errors';
import type { CryptoProvider } from '../core/crypto/provider';
import { paperFolder, paperOutputs, parsePlan, planAssignment, planOutputs, type Plan } from '../core/plan/schema';
import { checkSeparation, verifyRoster, type VerifiedRoster } from '../core/roster/roster';
import { foresee, type Foresight } from '../core/ceremony/foresee';
import { directoryMedium, openRandomAccess, readInput } from './medium';
import { readNetworkState } from './network';

export interface CheckedPlan {
  plan: Plan;
  /** SHA-256 (hex) of exactly the bytes that were parsed. */
  planSha256: string;
  /** The pinned roster the plan names; for an enrollment, the pinned roster it renews (if any). */
  roster: VerifiedRoster | undefined;
  planDir: string;
  vaultDir: string;
  outputDir: string | undefined;
  /** Where paper shares go (a medium of their own), when the plan makes them. */
  paperDir: string | undefined;
  transcriptFile: string;
  /** Absolute paths of the outputs. */
  outputs: string[];
  /** An interrupted run's transcript exists: the run resumes. */
  resuming: boolean;
}

function directory(dir: string, field: string): string {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError('plan.directory', field, `${dir} is not an existing directory`);
  return dir;
}

/** `p` is `q` or inside it (both real paths). */
function inside(p: string, q: string): boolean {
  const rel = path.relative(q, p);
  return rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

/** One folder is the other or holds it (compared after resolving links). */
function nested(a: string, b: string): boolean {
  const [x, y] = [realpathSync(a), realpathSync(b)];
  return inside(x, y) || inside(y, x);
}

/**
 * The system's temporary folders (this process's temporary directory, /tmp, /var/tmp,
 * /dev/shm), those that exist, as real paths: what is written there stays on the workstation
 * for anyone to read, whoever chose the folder.
 */
function temporaryFolders(): string[] {
  return [...new Set([tmpdir(), '/tmp', '/var/tmp', '/dev/shm'].filter((d) => existsSync(d)).map((d) => realpathSync(d)))];
}

/** The temporary folder of this system that `dir` (an existing folder) is in, if any (links followed). */
export function temporaryFolderOf(dir: string): string | undefined {
  const real = realpathSync(dir);
  return temporaryFolders().find((t) => inside(real, t));
}

export function checkPlanFile(provider: CryptoProvider, planFile: string, now: Date): CheckedPlan {
  let bytes: Buffer;
  try {
    bytes = readFileSync(planFile);
  } catch (e) {
    throw new InputError('plan.read', planFile, `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const plan = parsePlan(fromUtf8(bytes, 'plan'));
  const planSha256 = createHash('sha256').update(bytes).digest('hex');
  const base = path.dirname(path.resolve(planFile));
  const pinned = plan.kind === 'enroll' ? plan.previous : plan.roster;
  const field = plan.kind === 'enroll' ? 'plan.previous' : 'plan.roster';
  let roster: VerifiedRoster | undefined;
  if (pinned) {
    const rosterFile = path.resolve(base, pinned.file);
    let rosterText: string;
    try {
      rosterText = readFileSync(rosterFile, 'utf8');
    } catch (e) {
      throw new InputError('plan.roster', `${field}.file`, `${rosterFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    roster = verifyRoster(provider, rosterText, { expectedWords: pinned.fingerprint });
  }
  if (roster && plan.kind !== 'enroll') checkSeparation(roster, planAssignment(plan), now);
  const vaultDir = directory(path.resolve(base, plan.vault), 'plan.vault');
  const transcriptFile = path.join(vaultDir, plan.transcript);
  const resuming = existsSync(transcriptFile);
  const outputDir = 'outputs' in plan ? directory(path.resolve(base, plan.outputs.directory), 'plan.outputs.directory') : undefined;
  const paperFrom = paperFolder(plan);
  const paperDir = paperFrom !== undefined ? directory(path.resolve(base, paperFrom), 'plan.outputs.paper') : undefined;
  if (paperDir && outputDir) {
    for (const [other, what] of [
      [outputDir, 'the outputs directory, which carries the encrypted share files'],
      [vaultDir, 'the vault'],
    ] as const)
      if (nested(paperDir, other))
        throw new PolicyError('plan.paper', 'plan.outputs.paper', `${paperDir} is or shares a folder with ${what} (${other}): a paper share is the share in the clear, so it goes to a medium of its own (the printer's folder, a separate drive)`);
    // Two folders of one removable drive are one medium: the drive that carries the share files
    // away must not carry the paper shares too (folders of the workstation's own disk, where the
    // vault lives, are not carried away).
    const dev = (d: string) => statSync(d).dev;
    if (dev(paperDir) === dev(outputDir) && dev(outputDir) !== dev(vaultDir))
      throw new PolicyError('plan.paper', 'plan.outputs.paper', `${paperDir} is on the same drive as the outputs directory (${outputDir}), which carries the encrypted share files away: the paper shares go to a medium of their own`);
  }
  // The share cards go only to a medium the operator chose and carries away, never to a folder
  // the system keeps for anyone's temporary files (whatever is mounted there).
  const temporary = paperDir && temporaryFolderOf(paperDir);
  if (paperDir && temporary)
    throw new PolicyError('plan.paper', 'plan.outputs.paper', `${paperDir} is in ${temporary}, a temporary folder of this system: a paper share is the share in the clear, so it goes to a medium chosen for it (the printer's folder, a separate drive), never to a folder left on the workstation for anyone to read`);
  const outputs = [...(outputDir ? planOutputs(plan).map((f) => path.join(outputDir, f)) : []), ...(paperDir ? paperOutputs(plan).map((f) => path.join(paperDir, f)) : [])];
  return { plan, planSha256, roster, planDir: base, vaultDir, outputDir, paperDir, transcriptFile, outputs, resuming };
}

/**
 * What a run of the checked plan would refuse before asking anyone (src/core/ceremony/foresee.ts),
 * read from the plan's own folders, network and clock.
 */
export function foreseeRun(provider: CryptoProvider, c: CheckedPlan, rehearsal: boolean, now: Date): Foresight {
  return foresee(
    {
      provider,
      clock: () => now,
      network: readNetworkState,
      vault: directoryMedium(c.vaultDir),
      outputs: directoryMedium(c.outputDir ?? c.vaultDir),
      ...(c.paperDir !== undefined && { paper: directoryMedium(c.paperDir) }),
      input: (p, field) => readInput(path.resolve(c.planDir, p), field),
      openInput: (p, field) => openRandomAccess(path.resolve(c.planDir, p), field),
      transcript: { existing: () => (existsSync(c.transcriptFile) ? readFileSync(c.transcriptFile, 'utf8') : undefined), append: () => undefined },
    },
    c.plan,
    c.roster,
    { planSha256: c.planSha256, rehearsal },
  );
}
