/**
 * Ceremony plans: one YAML document per ceremony, the same for the GUI and the CLI. Parsed
 * strictly: an unknown key, a wrong type or an inconsistent value is an InputError whose field
 * is the dotted path (`plan.shares.threshold`, `plan.shares.custodians[2]`).
 *
 * Every plan names the vault (the workstation's data folder: roster, sealed inventories and
 * every transcript) and its transcript's file name there; plans that write outputs name the
 * output directory (the medium carried away).
 */
import { z } from 'zod';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { InputError } from '../errors';
import { STATES, USAGES } from '../inventory/inventory';
import { ROLES } from '../roster/roster';
import { parseYamlStrict } from './yaml';
import { describeIssue, participantId, strictParse } from './strict';

const WORDS = new Set(wordlist);
const id = participantId;
const label = z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters');
/** A plain file name inside a directory: no separators, no "..", no hidden files. */
export const fileName = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'must be a plain lowercase file name (letters, digits, . _ -), no directories');
const words = z
  .string()
  .transform((s) => s.trim().split(/\s+/))
  .refine((w) => w.length === 8 && w.every((x) => WORDS.has(x)), 'must be the 8 fingerprint words of the roster, as read aloud');
const keyName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/, 'must be 1 to 100 letters, digits, spaces, . _ -');
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits (the SHA-256 fingerprint)');
const people = (what: string) => z.array(id).min(1, `must name at least one ${what}`);

const pinnedRoster = z.strictObject({ file: z.string().min(1, 'must name the roster file'), fingerprint: words });
const common = {
  version: z.literal(1, 'must be 1'),
  ceremony: z.strictObject({ name: label, organization: label }),
  airgap: z.enum(['strict', 'warn'], 'must be "strict" (refuse to run with a network interface up) or "warn"'),
  operator: id,
  witnesses: z.array(id).min(1, 'at least one witness must attest the ceremony'),
  vault: z.string().min(1, 'must name the vault directory (the workstation data folder)'),
  transcript: fileName.refine((s) => s.endsWith('.jsonl'), 'must end in .jsonl'),
};
const header = { ...common, roster: pinnedRoster };
const outputs = z.strictObject({ directory: z.string().min(1, 'must name the output directory') });
/** Share-making ceremonies: paper shares go to a medium of their own, never beside the share files. */
const shareMedia = z.strictObject({
  directory: z.string().min(1, 'must name the output directory'),
  paper: z.string().min(1, 'must name the folder on the medium that receives the paper shares').optional(),
});
const quorum = people('custodian').max(255);
const approvers = z.array(id).length(2, 'must name exactly two approvers (dual control)');
const shares = z.strictObject({
  threshold: z.int('must be a whole number').min(2, 'must be at least 2').max(255, 'must be at most 255'),
  custodians: z.array(id).min(2, 'must list at least 2 custodians').max(255, 'must list at most 255 custodians'),
  forms: z.array(z.enum(['file', 'paper'], 'must be "file" or "paper"')).min(1, 'must name at least one form').default(['file', 'paper']),
  protection: z.enum(['passphrase', 'recipient'], 'must be "passphrase" or "recipient"').default('passphrase'),
});
const newMaster = z.strictObject({ label, dice: z.boolean().default(false) });
const keyList = z.array(keyName).min(1, 'must select at least one key');

const kinds = {
  generate: z.strictObject({ ...header, kind: z.literal('generate'), outputs: shareMedia, key: newMaster, shares }),
  'add-key': z.strictObject({
    ...header,
    kind: z.literal('add-key'),
    quorum,
    keys: z
      .array(
        z.strictObject({
          name: keyName,
          usage: z.array(z.enum(USAGES, `must be one of: ${USAGES.join(', ')}`)).min(1, 'must name at least one usage'),
          cryptoperiodDays: z.int('must be a whole number of days').min(1).max(36500),
          state: z.enum(['pre-active', 'active'], 'must be "pre-active" or "active"').default('pre-active'),
        }),
      )
      .min(1, 'must add at least one key'),
  }),
  'change-state': z.strictObject({
    ...header,
    kind: z.literal('change-state'),
    quorum,
    changes: z
      .array(z.strictObject({ key: keyName, to: z.enum(STATES, `must be one of: ${STATES.join(', ')}`), reason: z.string().min(1, 'must say why').max(500) }))
      .min(1, 'must change at least one key'),
  }),
  'export-bundle': z.strictObject({
    ...header,
    kind: z.literal('export-bundle'),
    outputs,
    quorum,
    approvers,
    keys: keyList,
    recipient: z.strictObject({ file: z.string().min(1, 'must name the transport key enrollment file'), fingerprint: hex64 }),
    expiresDays: z.int('must be a whole number of days').min(1).max(90).default(14),
    output: fileName,
  }),
  escrow: z.strictObject({
    ...header,
    kind: z.literal('escrow'),
    outputs,
    quorum,
    approvers,
    keys: keyList,
    agent: z.union(
      [
        z.strictObject({ name: label, age: z.string().regex(/^age1[02-9ac-hj-np-z]{58}$/, 'must be an age X25519 recipient (age1…)') }),
        z.strictObject({ name: label, rsa: z.strictObject({ file: z.string().min(1), fingerprint: hex64 }) }),
      ],
      'must be { name, age: age1… } or { name, rsa: { file, fingerprint } }',
    ),
    output: fileName,
  }),
  backup: z.strictObject({
    ...header,
    kind: z.literal('backup'),
    outputs,
    approvers,
    master: z.string().regex(/^[0-9a-f]{32}$/, 'must be the 32-hex-digit key id of a master key').optional(),
    output: fileName,
  }),
  restore: z.strictObject({ ...header, kind: z.literal('restore'), backup: z.strictObject({ file: z.string().min(1, 'must name the backup archive') }), quorum }),
  reshare: z.strictObject({ ...header, kind: z.literal('reshare'), outputs: shareMedia, quorum, shares }),
  'confirm-import': z.strictObject({
    ...header,
    kind: z.literal('confirm-import'),
    receipt: z.strictObject({ file: z.string().min(1, 'must name the receipt the key server signed') }),
    bundle: z.strictObject({ file: z.string().min(1, 'must name the bundle as it was exported') }),
    recipient: z.strictObject({ file: z.string().min(1, 'must name the transport key enrollment file'), fingerprint: hex64 }),
  }),
  rotate: z.strictObject({ ...header, kind: z.literal('rotate'), outputs: shareMedia, quorum, key: newMaster, shares }),
  enroll: z.strictObject({
    ...common,
    kind: z.literal('enroll'),
    outputs,
    validDays: z.int('must be a whole number of days').min(1, 'must be at least 1').max(3660, 'must be at most 3660'),
    /** Renewing or changing the pinned roster: its file and fingerprint words. */
    previous: pinnedRoster.optional(),
    participants: z
      .array(
        z.strictObject({
          id,
          name: label,
          roles: z.array(z.enum(ROLES, `must be one of: ${ROLES.join(', ')}`)).min(1, 'must name at least one role'),
          /** A public enrollment request the participant signed with keys made elsewhere. */
          request: z.string().min(1, 'must name the request file').optional(),
          /** Keeps the keys the previous roster enrolled (a renewal). */
          keep: z.literal(true, 'is true or absent').optional(),
        }),
      )
      .min(2, 'must enroll at least two people (an operator and a witness)')
      .max(255),
  }),
};

export const PLAN_KINDS = Object.keys(kinds) as (keyof typeof kinds)[];
/** Each kind's schema (without the cross-field rules), for the generated reference. */
export const PLAN_SCHEMAS: Readonly<Record<keyof typeof kinds, z.ZodType>> = kinds;
export type PlanKind = keyof typeof kinds;
export type PlanOf<K extends PlanKind> = z.infer<(typeof kinds)[K]>;
export type Plan = { [K in PlanKind]: PlanOf<K> }[PlanKind];
export type GeneratePlan = PlanOf<'generate'>;
export type SharesSpec = z.infer<typeof shares>;

type Issue = { path: (string | number)[]; message: string };

/** Cross-field rules, each naming the path it is about. */
function consistency(p: Plan): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<string>();
  const dupes = (list: string[], path: string, why: (x: string) => string) =>
    list.forEach((x, i) => {
      if (list.indexOf(x) !== i) issues.push({ path: [path, i], message: why(x) });
    });
  if ('shares' in p) {
    const s = p.shares;
    if (s.threshold > s.custodians.length) issues.push({ path: ['shares', 'threshold'], message: `is ${s.threshold} but only ${s.custodians.length} custodians are listed` });
    const paper = paperFolder(p);
    if (s.forms.includes('paper') && paper === undefined)
      issues.push({ path: ['outputs', 'paper'], message: 'must name the folder for the paper shares, on a medium of their own (a paper share beside its encrypted share file makes the encryption moot)' });
    if (!s.forms.includes('paper') && paper !== undefined) issues.push({ path: ['outputs', 'paper'], message: 'names a medium for paper shares but shares.forms has no paper' });
    s.custodians.forEach((c, i) => {
      if (seen.has(c)) issues.push({ path: ['shares', 'custodians', i], message: `${c} is listed twice: one person cannot hold two shares of one set` });
      seen.add(c);
    });
  }
  if ('quorum' in p) {
    dupes(p.quorum, 'quorum', (c) => `${c} is listed twice: one person brings one share`);
    p.quorum.forEach((c) => seen.add(c));
  }
  p.witnesses.forEach((w, i) => {
    if (seen.has(w)) issues.push({ path: ['witnesses', i], message: `${w} is a custodian and cannot also witness` });
    if (w === p.operator) issues.push({ path: ['witnesses', i], message: `${w} is the operator and cannot also witness` });
  });
  if ('approvers' in p) {
    dupes(p.approvers, 'approvers', (a) => `${a} cannot approve twice: approvals must come from distinct people`);
    p.approvers.forEach((a, i) => {
      if (a === p.operator) issues.push({ path: ['approvers', i], message: `${a} requests this export as operator and cannot approve it` });
      if (p.witnesses.includes(a)) issues.push({ path: ['approvers', i], message: `${a} witnesses this ceremony and cannot also approve it` });
    });
  }
  if (p.kind === 'enroll') {
    dupes(p.participants.map((x) => x.id), 'participants', (x) => `${x} is listed twice: one identity per person`);
    p.participants.forEach((x, i) => {
      if (x.request && x.keep) issues.push({ path: ['participants', i, 'keep'], message: 'a participant keeps their enrolled keys or brings a request, not both' });
      if (x.keep && !p.previous) issues.push({ path: ['participants', i, 'keep'], message: 'keeps keys of a previous roster: name it in previous' });
    });
    const ids = p.participants.map((x) => x.id);
    if (!ids.includes(p.operator)) issues.push({ path: ['operator'], message: `${p.operator} is not among the participants enrolled` });
    p.witnesses.forEach((w, i) => {
      if (!ids.includes(w)) issues.push({ path: ['witnesses', i], message: `${w} is not among the participants enrolled` });
    });
  }
  if ('keys' in p && Array.isArray(p.keys) && typeof p.keys[0] === 'string') dupes(p.keys as string[], 'keys', (k) => `${k} is selected twice`);
  if (p.kind === 'add-key') dupes(p.keys.map((k) => k.name), 'keys', (k) => `a key named ${k} is added twice`);
  return issues;
}

const schemas = Object.fromEntries(
  Object.entries(kinds).map(([k, s]) => [
    k,
    (s as z.ZodType<Plan>).superRefine((p, ctx) => {
      for (const i of consistency(p)) ctx.addIssue({ code: 'custom', path: i.path, message: i.message });
    }),
  ]),
) as Record<PlanKind, z.ZodType<Plan>>;

/** Validate a parsed plan value. */
export function checkPlan(value: unknown): Plan {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError('plan.shape', 'plan', 'must be a YAML mapping');
  const kind = (value as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !(PLAN_KINDS as string[]).includes(kind)) throw new InputError('plan.kind', 'plan.kind', `must be one of: ${PLAN_KINDS.join(', ')}`);
  return strictParse(schemas[kind as PlanKind], value, 'plan', 'this plan');
}

/**
 * Every problem of a plan at once, each naming its field (`plan.shares.threshold`), for a form
 * that checks as the person types; empty when the plan checks. The first is what `checkPlan`
 * would throw.
 */
export function planIssues(value: unknown): { field: string; message: string }[] {
  try {
    checkPlan(value);
    return [];
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    if (e.code === 'plan.shape' || e.code === 'plan.kind') return [{ field: e.field, message: e.detail }];
  }
  const r = schemas[(value as { kind: PlanKind }).kind].safeParse(value);
  return r.success ? [] : r.error.issues.map((i) => describeIssue(i, value, 'plan', 'this plan')).map(({ field, message }) => ({ field, message }));
}

/** `planIssues` of a plan's YAML text: a text that is no strict YAML is one issue naming where. */
export function planTextIssues(text: string): { field: string; message: string }[] {
  let value: unknown;
  try {
    value = parseYamlStrict(text, 'plan');
  } catch (e) {
    if (e instanceof InputError) return [{ field: e.field, message: e.detail }];
    throw e;
  }
  return planIssues(value);
}

export function parsePlan(text: string): Plan {
  return checkPlan(parseYamlStrict(text, 'plan'));
}

/** The share files of a custodian set, written in the output directory. */
export function shareOutputs(s: SharesSpec): string[] {
  return s.forms.includes('file') ? s.custodians.map((c) => `${c}.share.age`) : [];
}

/** The folder a plan names for its paper shares, if any. */
export function paperFolder(plan: Plan): string | undefined {
  return plan.kind === 'generate' || plan.kind === 'reshare' || plan.kind === 'rotate' ? plan.outputs.paper : undefined;
}

/** The paper shares of a plan, written on the paper medium (`outputs.paper`): each custodian's card to print (PDF) and its text. */
export function paperOutputs(plan: Plan): string[] {
  return 'shares' in plan && plan.shares.forms.includes('paper') ? plan.shares.custodians.flatMap((c) => [`${c}.share.pdf`, `${c}.share.txt`]) : [];
}

/** Every file a plan will write in its output directory: all must be absent before any key is made. */
export function planOutputs(plan: Plan): string[] {
  switch (plan.kind) {
    case 'generate':
    case 'reshare':
    case 'rotate':
      return shareOutputs(plan.shares);
    case 'export-bundle':
    case 'backup':
      return [plan.output];
    case 'enroll':
      return ['roster.json'];
    case 'escrow':
      return 'age' in plan.agent ? [`${plan.output}.json`, `${plan.output}.age`] : [`${plan.output}.json`];
    default:
      return [];
  }
}

/** Who acts in a plan, for the separation-of-duties check. */
export function planAssignment(plan: Plan): { operator: string; custodians: string[]; witnesses: string[]; approvers?: string[]; requester?: string; operatorRoles?: ('operator' | 'dr-officer')[] } {
  const custodians = [...('quorum' in plan ? plan.quorum : []), ...('shares' in plan ? plan.shares.custodians.filter((c) => !('quorum' in plan) || !plan.quorum.includes(c)) : [])];
  return {
    operator: plan.operator,
    custodians: 'shares' in plan && !('quorum' in plan) ? plan.shares.custodians : custodians,
    witnesses: plan.witnesses,
    ...('approvers' in plan && { approvers: plan.approvers, requester: plan.operator }),
    ...(plan.kind === 'restore' && { operatorRoles: ['operator', 'dr-officer'] as ('operator' | 'dr-officer')[] }),
  };
}
