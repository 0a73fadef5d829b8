/**
 * Ceremony plans: one YAML document per ceremony, the same for the GUI and the CLI. Parsed
 * strictly: an unknown key, a wrong type or an inconsistent value is an InputError whose field
 * is the dotted path (`plan.shares.threshold`, `plan.shares.custodians[2]`).
 */
import { z } from 'zod';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { InputError } from '../errors';
import { parseYamlStrict } from './yaml';
import { participantId, strictParse } from './strict';

const WORDS = new Set(wordlist);
const id = participantId;
const label = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
/** A plain file name inside the output directory: no separators, no "..", no hidden files. */
const fileName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'must be a plain lowercase file name (letters, digits, . _ -), no directories');
const words = z
  .string()
  .transform((s) => s.trim().split(/\s+/))
  .refine((w) => w.length === 8 && w.every((x) => WORDS.has(x)), 'must be the 8 fingerprint words of the roster, as read aloud');

const header = {
  version: z.literal(1, 'must be 1'),
  ceremony: z.strictObject({ name: label, organization: label }),
  roster: z.strictObject({ file: z.string().min(1, 'must name the roster file'), fingerprint: words }),
  airgap: z.enum(['strict', 'warn'], 'must be "strict" (refuse to run with a network interface up) or "warn"'),
  operator: id,
  witnesses: z.array(id).min(1, 'at least one witness must attest the ceremony'),
  outputs: z.strictObject({ directory: z.string().min(1, 'must name the output directory'), transcript: fileName.default('transcript.jsonl') }),
};

export const generatePlan = z
  .strictObject({
    ...header,
    kind: z.literal('generate'),
    key: z.strictObject({
      label,
      dice: z.boolean().default(false),
    }),
    shares: z.strictObject({
      threshold: z.int('must be a whole number').min(2, 'must be at least 2').max(255, 'must be at most 255'),
      custodians: z.array(id).min(2, 'must list at least 2 custodians').max(255, 'must list at most 255 custodians'),
      forms: z.array(z.enum(['file', 'paper'], 'must be "file" or "paper"')).min(1, 'must name at least one form').default(['file', 'paper']),
      protection: z.enum(['passphrase', 'recipient'], 'must be "passphrase" or "recipient"').default('passphrase'),
    }),
  })
  .superRefine((p, ctx) => {
    if (p.shares.threshold > p.shares.custodians.length)
      ctx.addIssue({ code: 'custom', path: ['shares', 'threshold'], message: `is ${p.shares.threshold} but only ${p.shares.custodians.length} custodians are listed` });
    const seen = new Set<string>();
    p.shares.custodians.forEach((c, i) => {
      if (seen.has(c)) ctx.addIssue({ code: 'custom', path: ['shares', 'custodians', i], message: `${c} is listed twice: one person cannot hold two shares of one set` });
      seen.add(c);
    });
    if (/\.share\.(age|txt)$/.test(p.outputs.transcript))
      ctx.addIssue({ code: 'custom', path: ['outputs', 'transcript'], message: 'must not end in .share.age or .share.txt: those names are for the shares' });
    p.witnesses.forEach((w, i) => {
      if (seen.has(w)) ctx.addIssue({ code: 'custom', path: ['witnesses', i], message: `${w} is a custodian and cannot also witness` });
      if (w === p.operator) ctx.addIssue({ code: 'custom', path: ['witnesses', i], message: `${w} is the operator and cannot also witness` });
    });
  });

export type GeneratePlan = z.infer<typeof generatePlan>;
export type Plan = GeneratePlan;
export const PLAN_KINDS = ['generate'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

const schemas: Record<PlanKind, z.ZodType<Plan>> = { generate: generatePlan };

/** Validate a parsed plan value. */
export function checkPlan(value: unknown): Plan {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError('plan.shape', 'plan', 'must be a YAML mapping');
  const kind = (value as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !(PLAN_KINDS as readonly string[]).includes(kind))
    throw new InputError('plan.kind', 'plan.kind', `must be one of: ${PLAN_KINDS.join(', ')}`);
  return strictParse(schemas[kind as PlanKind], value, 'plan', 'this plan');
}

export function parsePlan(text: string): Plan {
  return checkPlan(parseYamlStrict(text, 'plan'));
}

/** Every file a plan will write, relative to its output directory: all must be absent before any key is made. */
export function planOutputs(plan: Plan): string[] {
  const out = [plan.outputs.transcript];
  for (const c of plan.shares.custodians) {
    if (plan.shares.forms.includes('file')) out.push(`${c}.share.age`);
    if (plan.shares.forms.includes('paper')) out.push(`${c}.share.txt`);
  }
  return out;
}
