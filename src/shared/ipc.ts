/**
 * The IPC contract between renderer, preload and main, as one method table: each method's
 * channel, the zod schema of its arguments, and its result type. The preload and the test
 * bridge are both generated from this table, so they cannot drift apart; main checks every
 * call's sender and arguments against it before any work (src/main/ipc.ts). One event stream
 * goes the other way (a ceremony run's prompts, events and end), and subscribing returns its
 * unsubscribe. No generic send or invoke crosses the bridge.
 *
 * Files are never named by the renderer: main's dialogs return opaque tokens, and an answer
 * names a file or folder by its token. Passphrases cross as bytes.
 */
import { z } from 'zod';
import { channelOf, METHOD_NAMES, type Method } from './methods';

export { channelOf, METHOD_NAMES, type Method };

export interface AboutInfo {
  name: string;
  version: string;
  /** Primitives computed by the platform's crypto library (the rest by the pure-JS provider). */
  nativeCrypto: string[];
  runtime: string;
}

export interface AirGap {
  /** Network interfaces other than loopback that are up, by name. */
  live: string[];
  checkedAt: string;
}

/** A removable drive mounted on the workstation. */
export interface Drive {
  device: string;
  partition: string;
  mountpoint: string;
  model?: string;
  sizeBytes: number;
}

/** The remembered vault, as the home screen shows it (src/node/vault-view.ts). */
export interface VaultView {
  path: string;
  rosters: number;
  pinned?: { organization: string; words: string[]; fingerprint: string; rehearsal: boolean; participants: { id: string; name: string; roles: string[]; expires: string }[] };
  pinMissing?: boolean;
  closed: string[];
  /** What the vault doctor finds; an interrupted ceremony says whether it resumes as a rehearsal. */
  findings: { file: string; status: string; why: string; todo: string; rehearsal?: boolean }[];
  problem?: string;
}

/** The kinds of ceremony plan (src/core/plan/schema.ts PLAN_KINDS; a test keeps the two equal). */
export const PLAN_KIND_NAMES = ['generate', 'add-key', 'change-state', 'export-bundle', 'escrow', 'backup', 'restore', 'reshare', 'confirm-import', 'rotate', 'enroll'] as const;
/** Lines of a paper share card (src/core/shares/text.ts TEXT_LINES; a test keeps the two equal). */
export const SHARE_CARD_LINES = 14;
/** Dice rolls a custodian types at the least (src/core/ceremony/shares-steps.ts MIN_DICE_ROLLS; a test keeps the two equal). */
export const MIN_DICE_ROLLS = 50;

export const AUDIT_KINDS = ['transcript', 'bundle', 'backup', 'escrow', 'receipt', 'shares'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

/** An auditor's verification (src/node/audit.ts): every check in order, the facts, a transcript's timeline. */
export interface AuditReport {
  kind: AuditKind;
  file: string;
  sha256: string;
  /** When the checks were made (UTC): a bundle's expiry is checked against it. */
  checkedAt: string;
  ok: boolean;
  checks: { name: string; status: 'passed' | 'failed' | 'not-reached'; detail: string }[];
  facts: [string, string][];
  timeline: { seq: number; time: string; actor: string; name: string; type: string; detail: string }[];
}

/** A printed document as main rendered it: the window draws these very bytes, saves and prints them. */
export interface RenderedDocument {
  id: string;
  title: string;
  /** The file name it is saved under by default. */
  name: string;
  sha256: string;
  pdf: Uint8Array;
}

/** A file or folder the person chose in main's dialog, known to the renderer only by its token. */
export interface Chosen {
  token: string;
  /** The last part of its name, to show. */
  name: string;
}

const token = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be a token from a dialog');
const secret = z.instanceof(Uint8Array).refine((b) => b.length > 0 && b.length <= 1024, 'must be 1 to 1024 bytes');
const runId = z.int().min(1).max(2 ** 31);
const fingerprint = z.string().regex(/^\s*[0-9a-fA-F]{64}\s*$/, 'must be the 64-hex-digit fingerprint of the transport key');
const rosterRef = z.union([z.strictObject({ file: token, words: z.string().min(1).max(200) }), z.literal('vault')]);
const documentId = z.string().regex(/^doc-[0-9]{1,9}$/, 'must be the id of a document rendered in this window');
/** What to verify: by kind, so a bad argument is named (args[0][kind], args[0][fingerprint], ...), not "invalid input". */
const againstRoster = z.strictObject({ kind: z.enum(['transcript', 'bundle', 'backup', 'escrow']), file: token, roster: rosterRef });
/** A receipt is vouched for by the key server's transport key, pinned by its fingerprint (and optionally matched to its bundle). */
const receiptRequest = z.strictObject({ kind: z.literal('receipt'), file: token, transport: token, fingerprint, bundle: token.optional() });
const verifyRequest = z.discriminatedUnion('kind', [
  againstRoster,
  /** A custodian's share, against the remembered vault and its pinned roster; its passphrase as bytes when it is a sealed file. */
  z.strictObject({ kind: z.literal('shares'), file: token, passphrase: secret.optional() }),
  receiptRequest,
]);
export type VerifyRequest = z.infer<typeof verifyRequest>;
export type RosterRef = z.infer<typeof rosterRef>;
const documentRequest = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('script'), plan: token }),
  z.strictObject({ kind: z.literal('transcript'), file: token, roster: rosterRef }),
  /** The report of a verification (not a share's: no passphrase crosses to print). */
  z.strictObject({ kind: z.literal('audit'), verify: z.discriminatedUnion('kind', [againstRoster, receiptRequest]) }),
  receiptRequest,
]);
export type DocumentRequest = z.infer<typeof documentRequest>;
const promptId = z.int().min(1).max(2 ** 31);

/**
 * What a person answers, with files and folders named by `file`: by dialog token from the
 * window (uiAnswerSchema), by path from main to the engine process (src/node/engine-protocol.ts).
 * What main adds of its own (`mainNotes`: its camera gate opened at a share prompt, its print
 * dialog printed a card) is part of main's answers only: the window's saying so is refused.
 */
export function answerSchemaNaming<F extends z.ZodType<string>>(file: F, mainNotes: boolean) {
  // In the window's schema these fields never validate: a window that sends one is refused, naming it.
  const camera = { camera: (mainNotes ? z.literal(true) : z.never()).optional() };
  const printed = { printed: (mainNotes ? z.boolean() : z.never()).optional() };
  return z.union([
    z.strictObject({ kind: z.literal('unlock'), identityFile: file, passphrase: secret }),
    z.strictObject({ kind: z.literal('review'), approve: z.boolean() }),
    z.strictObject({ kind: z.literal('choose-identity-passphrase'), passphrase: secret, again: secret }),
    z.strictObject({ kind: z.literal('save-identity'), folder: file }),
    z.strictObject({ kind: z.literal('choose-passphrase'), passphrase: secret, again: secret }),
    z.strictObject({ kind: z.literal('reenter-passphrase'), passphrase: secret }),
    z.strictObject({ kind: z.literal('dice'), rolls: z.string().max(2000) }),
    /** A share file (with its passphrase, or none when it opens with the custodian's identity), or a paper share typed. */
    z.strictObject({ kind: z.literal('share'), file, passphrase: secret.optional(), ...camera }),
    z.strictObject({ kind: z.literal('share'), typed: z.string().min(1).max(8192), ...camera }),
    /** The text of a card's QR code, read by the window's camera. */
    z.strictObject({ kind: z.literal('share'), scanned: z.string().min(1).max(1024), ...camera }),
    /** The custodian has seen their own paper share (and, main says, printed its card); the screen forgets it. */
    z.strictObject({ kind: z.literal('show-share'), seen: z.literal(true), ...printed }),
  ]);
}

/** What the person answers, in the renderer's terms: files and folders by token. */
export const uiAnswerSchema = answerSchemaNaming(token, false);
export type UiAnswer = z.infer<typeof uiAnswerSchema>;

export const CHOICES = ['plan', 'identity', 'share', 'folder', 'roster', 'document'] as const;
export type ChoiceKind = (typeof CHOICES)[number];

/**
 * The method table: name → argument schema (a tuple). Results are typed in `CustosApi`. Its keys
 * are exactly METHOD_NAMES (`satisfies`: a method missing or extra does not compile).
 */
export const METHODS = {
  about: z.tuple([]),
  airGap: z.tuple([]),
  /** The removable drives mounted, where outputs may go. */
  drives: z.tuple([]),
  /** Main's open dialog for a file or folder of this kind; undefined when the person cancels. */
  choose: z.tuple([z.enum(CHOICES)]),
  /** The remembered vault folder and its pinned roster; undefined until a vault is chosen. */
  vault: z.tuple([]),
  /** Main's folder dialog for the vault; remembered from then on. */
  chooseVault: z.tuple([]),
  /** Pin the vault's roster by the eight words typed from the enrollment paper. */
  pinRoster: z.tuple([z.string().min(1).max(200)]),
  /** The commented starting plan of a kind (`custos plan template KIND`). */
  planTemplate: z.tuple([z.enum(PLAN_KIND_NAMES)]),
  /** Every problem of a plan's YAML text, each naming its field (empty when it checks): for a form that checks as the person types. */
  checkPlan: z.tuple([z.string().max(256 * 1024)]),
  /**
   * One line of a paper share as typed (line number, text, the card versions the lines before it
   * agree with): the line as printed and the versions still possible, or an error naming the
   * line. Nothing is corrected.
   */
  checkShareLine: z.tuple([z.int().min(1).max(SHARE_CARD_LINES), z.string().min(1).max(200), z.array(z.union([z.literal(1), z.literal(2)])).min(1).max(2).refine((v) => v.length === 1 || v[0]! < v[1]!, 'must be distinct card versions, in order')]),
  /**
   * A paper share typed whole (its lines as checked): its digest and its signature by the signer
   * it names, then its public fields; or an error naming what is wrong. The quorum then checks
   * the signer is the ceremony's, and the set the vault's.
   */
  checkShareCard: z.tuple([z.string().min(1).max(8192)]),
  /** Save a plan built in the window (YAML text, checked against the plan schema) where the person chooses; returns its token. */
  savePlan: z.tuple([z.string().min(1).max(256 * 1024)]),
  /** Verify a chosen document against a chosen roster file pinned by its words, or against the vault's pinned roster. */
  verify: z.tuple([verifyRequest]),
  /**
   * Render a document that holds no secret as PDF (src/node/paper.ts, the bytes `custos print`
   * writes): the script of a chosen plan, a transcript's report, the auditor's report of a
   * verification, an import receipt. Main keeps the bytes for saveDocument; the window draws them.
   */
  document: z.tuple([documentRequest]),
  /** Save a rendered document (by its id) where the person chooses in main's save dialog; never over a file. */
  saveDocument: z.tuple([documentId]),
  /** Print what the window shows for print (the pages of the document on screen) through the system's print dialog. */
  print: z.tuple([]),
  /**
   * The camera, for the moment a custodian shows their card's QR code to it: allowed while the
   * scan screen is open (true), taken away when it closes (false). Every other permission stays denied.
   */
  camera: z.tuple([z.boolean()]),
  /** Start the plan chosen (by token), as a rehearsal or for real; the run's messages come on the run stream. */
  startRun: z.tuple([z.strictObject({ plan: token, rehearsal: z.boolean() })]),
  /** Answer the open prompt of a run. Refused unless it is that prompt's id and kind. */
  answer: z.tuple([runId, promptId, uiAnswerSchema]),
  /** Cancel a run: the ceremony is interrupted; starting the plan again resumes it. */
  cancelRun: z.tuple([runId]),
} satisfies Record<Method, z.ZodType>;

export interface RunPrompt {
  kind: 'unlock' | 'review' | 'choose-identity-passphrase' | 'save-identity' | 'choose-passphrase' | 'reenter-passphrase' | 'dice' | 'share' | 'show-share';
  who: string;
  purpose?: string;
  attempt: number;
  summary?: { title: string; lines: string[] };
  /** The custodian's own paper share (show-share only). */
  card?: string[];
  /** Its share card as printed (PDF, show-share only), to preview and print. */
  cardPdf?: Uint8Array;
  /** On a second or later try: why the last one failed, and how many tries there are. */
  retry?: { reason: string; of: number };
}

/** One step of a ceremony's script (core/ceremony/steps.ts). */
export interface ScriptStep {
  id: string;
  role: 'operator' | 'custodian' | 'witness' | 'approver' | 'participant' | 'dr-officer';
  person: string;
  name?: string;
  position?: string;
  action: string;
  check: string;
}

/** The ceremony a run is about to carry out. */
export interface RunScript {
  kind: string;
  name: string;
  organization: string;
  rehearsal: boolean;
  resuming: boolean;
  steps: ScriptStep[];
  /** Steps an interrupted run already did. */
  done: string[];
  /** Everyone the plan names: id → name. */
  people: Record<string, string>;
}

/** What a run tells the window. */
export type RunMessage =
  | { run: number; type: 'script'; script: RunScript }
  | { run: number; type: 'prompt'; id: number; prompt: RunPrompt }
  | { run: number; type: 'event'; event: { type: string; actor: string; seq: number; step?: string } }
  | { run: number; type: 'say'; text: string }
  | { run: number; type: 'written'; file: { medium: 'outputs' | 'paper' | 'identity'; location: string; name: string; sha256: string } }
  | { run: number; type: 'read-aloud'; value: { label: string; value: string; words?: string[] } }
  | { run: number; type: 'progress'; work: { what: 'subsets' | 'backup' | 'restore' | 'scrypt'; done: number; total: number } }
  | { run: number; type: 'step'; step: { id: string; state: 'started' | 'done' | 'failed' } }
  | { run: number; type: 'warning'; text: string }
  | { run: number; type: 'end'; outcome: { closed: Record<string, unknown> } | { failed: { kind: string; code: string; field: string; message: string } } | { stopped: string } }
  | { run: number; type: 'refused'; reason: string };

type Args<M extends Method> = z.infer<(typeof METHODS)[M]>;

/** What the preload exposes as `window.custos`. */
export interface CustosApi {
  about(...a: Args<'about'>): Promise<AboutInfo>;
  airGap(...a: Args<'airGap'>): Promise<AirGap>;
  drives(...a: Args<'drives'>): Promise<Drive[]>;
  choose(...a: Args<'choose'>): Promise<Chosen | undefined>;
  vault(...a: Args<'vault'>): Promise<VaultView | undefined>;
  chooseVault(...a: Args<'chooseVault'>): Promise<VaultView | undefined>;
  pinRoster(...a: Args<'pinRoster'>): Promise<VaultView>;
  planTemplate(...a: Args<'planTemplate'>): Promise<string>;
  checkPlan(...a: Args<'checkPlan'>): Promise<{ field: string; message: string }[]>;
  checkShareLine(...a: Args<'checkShareLine'>): Promise<{ line: string; versions: (1 | 2)[] }>;
  checkShareCard(...a: Args<'checkShareCard'>): Promise<{ index: number; count: number; threshold: number; setId: string; kcv: string }>;
  savePlan(...a: Args<'savePlan'>): Promise<Chosen | undefined>;
  verify(...a: Args<'verify'>): Promise<AuditReport>;
  document(...a: Args<'document'>): Promise<RenderedDocument>;
  saveDocument(...a: Args<'saveDocument'>): Promise<{ name: string; sha256: string } | undefined>;
  print(...a: Args<'print'>): Promise<{ printed: boolean; reason?: string }>;
  camera(...a: Args<'camera'>): Promise<void>;
  startRun(...a: Args<'startRun'>): Promise<{ run: number }>;
  answer(...a: Args<'answer'>): Promise<boolean>;
  cancelRun(...a: Args<'cancelRun'>): Promise<void>;
  /** Subscribe to every run's messages; returns the unsubscribe. */
  onRun(listener: (m: RunMessage) => void): () => void;
}

/** Wipe the passphrase bytes of an answer or request (or of anything claiming to be one), whatever became of it: in the window once sent, in main and the engine once used or refused. */
export function wipeAnswer(a: unknown): void {
  if (a && typeof a === 'object') for (const v of Object.values(a)) if (v instanceof Uint8Array) v.fill(0);
}

export class IpcArgumentError extends Error {
  constructor(
    readonly channel: string,
    readonly field: string,
    message: string,
  ) {
    super(`${channel} ${field}: ${message}`);
    this.name = 'IpcArgumentError';
  }
}

/** The arguments of a call, checked against the table; an IpcArgumentError names the first problem. */
export function checkArgs<M extends Method>(method: M, args: unknown[]): Args<M> {
  const r = METHODS[method].safeParse(args);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new IpcArgumentError(channelOf(method), `args${issue.path.map((p) => `[${String(p)}]`).join('')}`, issue.message);
  }
  return r.data as Args<M>;
}
