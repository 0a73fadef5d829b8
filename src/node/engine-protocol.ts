/**
 * The messages between the app's main process and the engine process that runs a ceremony
 * (src/node/engine-process.ts), both ways, each checked against these schemas on arrival.
 * Passphrases cross as bytes (structured clone), which the engine wipes once used; files are
 * named by paths main resolved from the person's choices in its dialogs.
 */
import { z } from 'zod';
import { answerSchemaNaming } from '../shared/ipc';

const id = z.int().min(1).max(2 ** 31);
const who = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/);
const path = z.string().min(1).max(4096);

export const PROMPT_KINDS = ['unlock', 'review', 'choose-identity-passphrase', 'save-identity', 'choose-passphrase', 'reenter-passphrase', 'dice', 'share', 'show-share'] as const;
export type PromptKind = (typeof PROMPT_KINDS)[number];

export const answerSchema = answerSchemaNaming(path, true);
export type Answer = z.infer<typeof answerSchema>;

/** A schema issue in words, naming where it is (`answer.passphrase: ...`). */
export function issueText(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return 'invalid';
  return issue.path.length ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message;
}

export { wipeAnswer } from '../shared/ipc';

export const toEngineSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start'), plan: path, rehearsal: z.boolean(), appVersion: z.string().max(100), workFactor: z.int().min(10).max(22).optional() }),
  z.strictObject({ type: z.literal('answer'), id, answer: answerSchema }),
  /** The person pressed Cancel: the open prompt ends the run as an interruption, which a rerun resumes. */
  z.strictObject({ type: z.literal('cancel'), id }),
]);
export type ToEngine = z.infer<typeof toEngineSchema>;

export const promptSchema = z.strictObject({
  kind: z.enum(PROMPT_KINDS),
  who,
  purpose: z.string().max(500).optional(),
  /** 1 for the first time this question is put to this person, 2 and 3 after a failure. */
  attempt: z.int().min(1).max(100),
  summary: z.strictObject({ title: z.string().max(1000), lines: z.array(z.string().max(1000)).max(200) }).optional(),
  /** Set when this is a second or later try: why the last one failed (never what was typed), and how many tries there are. */
  retry: z.strictObject({ reason: z.string().max(1000), of: z.int().min(1).max(100) }).optional(),
  /** A custodian's own paper share card, for the show-share moment only. */
  card: z.array(z.string().max(200)).max(40).optional(),
  /** Its share card as printed (PDF), for the show-share moment only. */
  cardPdf: z.instanceof(Uint8Array).refine((b) => b.length <= 4 * 1024 * 1024, 'must be at most 4 MB').optional(),
});
export type Prompt = z.infer<typeof promptSchema>;

const line = z.string().max(1000);
export const stepSchema = z.strictObject({
  id: z.string().max(200),
  role: z.enum(['operator', 'custodian', 'witness', 'approver', 'participant', 'dr-officer']),
  person: who,
  name: line.optional(),
  position: line.optional(),
  action: line,
  check: line,
  recordedBy: z.strictObject({ type: z.string().max(100), who: who.optional() }).optional(),
});

/** The ceremony about to run, sent once its plan is checked: its script, and the steps already done when it resumes. */
export const scriptSchema = z.strictObject({
  kind: z.string().max(50),
  name: line,
  organization: line,
  rehearsal: z.boolean(),
  resuming: z.boolean(),
  steps: z.array(stepSchema).max(2000),
  done: z.array(z.string().max(200)).max(2000),
  /** Everyone the plan names, id → name from the roster (the name is the id when unknown). */
  people: z.record(who, line),
});
export type Script = z.infer<typeof scriptSchema>;

export const fromEngineSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('script'), script: scriptSchema }),
  z.strictObject({ type: z.literal('prompt'), id, prompt: promptSchema }),
  /** A transcript event appended (never its data), with the id of the script step it completes, if any. */
  z.strictObject({ type: z.literal('event'), event: z.strictObject({ type: z.string().max(100), actor: who, seq: z.int().min(0), step: z.string().max(200).optional() }) }),
  z.strictObject({ type: z.literal('say'), text: z.string().max(10_000) }),
  /** A file the ceremony wrote and read back: where, and the SHA-256 of what was read back. */
  z.strictObject({ type: z.literal('written'), file: z.strictObject({ medium: z.enum(['outputs', 'paper', 'identity']), location: path, name: z.string().max(300), sha256: z.string().regex(/^[0-9a-f]{64}$/) }) }),
  z.strictObject({ type: z.literal('read-aloud'), value: z.strictObject({ label: line, value: line, words: z.array(z.string().max(20)).max(64).optional() }) }),
  z.strictObject({ type: z.literal('progress'), work: z.strictObject({ what: z.enum(['subsets', 'backup', 'restore', 'scrypt']), done: z.int().min(0), total: z.int().min(0) }) }),
  /** A step of the script started (the first one not done), was completed, or is where the run failed. */
  z.strictObject({ type: z.literal('step'), step: z.strictObject({ id: z.string().max(200), state: z.enum(['started', 'done', 'failed']) }) }),
  /** A warning the room must see (the air gap in warn mode with an interface up). */
  z.strictObject({ type: z.literal('warning'), text: z.string().max(2000) }),
  z.strictObject({ type: z.literal('done'), result: z.record(z.string(), z.unknown()) }),
  z.strictObject({ type: z.literal('failed'), error: z.strictObject({ kind: z.string(), code: z.string(), field: z.string(), message: z.string() }) }),
  /** A message the engine refused (malformed, or an answer to no open prompt); the run goes on. */
  z.strictObject({ type: z.literal('refused'), reason: z.string().max(1000) }),
]);
export type FromEngine = z.infer<typeof fromEngineSchema>;
export type WrittenFile = Extract<FromEngine, { type: 'written' }>['file'];
