/**
 * Everything `custos plan check` verifies before a ceremony may start: the plan itself, the
 * roster it names (signatures and the fingerprint words pinned in the plan), separation of
 * duties, and that the output directory exists and holds none of the files the plan will write.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fromUtf8 } from '../core/crypto/bytes';
import path from 'node:path';
import { InputError, PolicyError } from '../core/errors';
import type { CryptoProvider } from '../core/crypto/provider';
import { parsePlan, planOutputs, type Plan } from '../core/plan/schema';
import { checkSeparation, verifyRoster, type VerifiedRoster } from '../core/roster/roster';

export interface CheckedPlan {
  plan: Plan;
  /** SHA-256 (hex) of exactly the bytes that were parsed. */
  planSha256: string;
  roster: VerifiedRoster;
  outputs: string[];
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
  const rosterFile = path.resolve(base, plan.roster.file);
  let rosterText: string;
  try {
    rosterText = readFileSync(rosterFile, 'utf8');
  } catch (e) {
    throw new InputError('plan.roster', 'plan.roster.file', `${rosterFile} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const roster = verifyRoster(provider, rosterText, { expectedWords: plan.roster.fingerprint });
  checkSeparation(roster, { operator: plan.operator, custodians: plan.shares.custodians, witnesses: plan.witnesses }, now);
  const dir = path.resolve(base, plan.outputs.directory);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError('plan.outputs', 'plan.outputs.directory', `${dir} is not an existing directory`);
  const outputs = planOutputs(plan).map((f) => path.join(dir, f));
  const present = outputs.filter((f) => existsSync(f));
  if (present.length) throw new PolicyError('plan.outputs.exist', 'plan.outputs', `would overwrite ${present.map((f) => path.basename(f)).join(', ')}: Custos never overwrites; choose an empty directory`);
  return { plan, planSha256, roster, outputs };
}
