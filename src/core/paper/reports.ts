/**
 * The printed documents that hold no secret: the ceremony script (read aloud and initialled
 * during the ceremony), the transcript report (signed by the witnesses afterwards), the
 * auditor's report (every check of `custos verify` with its result and the SHA-256 of each
 * input) and the import receipt. Each is rendered from data the engine recorded, with the
 * dates that data carries, so the same input gives the same bytes.
 */
import type { Step } from '../ceremony/steps';
import { checkCeremonyTranscript } from '../ceremony/verify';
import { toHex, utf8 } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import { recordsOf, type AuditRecord } from '../audit/siem';
import type { Receipt } from '../documents/receipt';
import { participantWords, type VerifiedRoster } from '../roster/roster';
import { verifyTranscript } from '../transcript/transcript';
import { Layout, type FontFiles, type TextOptions } from './layout';

export interface Check {
  name: string;
  status: 'passed' | 'failed' | 'not-reached';
  detail: string;
}

export interface Input {
  /** What the file is to the check: "transcript", "roster", "transport key"... */
  role: string;
  name: string;
  sha256: string;
}

const STATUS: Record<Check['status'], string> = { passed: 'PASSED', failed: 'FAILED', 'not-reached': 'NOT CHECKED' };

function inputsTable(doc: Layout, inputs: Input[]): void {
  doc.heading('Inputs', 12);
  doc.text('Recompute each SHA-256 (sha256sum FILE) on the copy you keep: a different value means a different file.', { size: 8.5, grey: true, after: 4 });
  for (const i of inputs) doc.rows([[i.role, i.name], ['SHA-256', i.sha256, true]], { labelWidth: 110, size: 9 });
}

/** A titled entry of values told apart character by character (key words, keys, ids). */
function entry(doc: Layout, title: string, values: [string, string][]): void {
  doc.text(title, { font: 'bold', size: 9.5, after: 1 });
  doc.rows(
    values.map(([label, value]) => [label, value, true]),
    { size: 8.5, labelWidth: 80 },
  );
  doc.gap(3);
}

function checksList(doc: Layout, checks: Check[]): void {
  for (const [n, c] of checks.entries()) {
    doc.text(`${n + 1}. ${STATUS[c.status]}  ${c.name}`, { font: 'bold', size: 9.5, after: 1 });
    doc.text(c.detail, { size: 9, indent: 16, after: 5 });
  }
}

// ---------------------------------------------------------------- ceremony script

export interface ScriptInput {
  kind: string;
  ceremony: { name: string; organization: string };
  plan: { file: string; sha256: string };
  operator: string;
  witnesses: string[];
  rosterWords?: string[];
  steps: Step[];
  names: Record<string, string>;
}

/** The plan's steps, each with who acts, what they check, a box to tick and a line to initial; an exceptions sheet; signatures. */
export async function renderScript(fonts: FontFiles, s: ScriptInput): Promise<Uint8Array> {
  const doc = await Layout.create(fonts, { title: `Ceremony script: ${s.ceremony.name}`, subject: `Script of the ${s.kind} ceremony "${s.ceremony.name}"`, reference: `plan SHA-256 ${s.plan.sha256.slice(0, 16)}...` });
  const who = (id: string) => (s.names[id] ? `${s.names[id]} (${id})` : id);
  doc.text(`${s.ceremony.organization}`, { size: 11, grey: true, after: 2 });
  doc.text(`Ceremony script: ${s.ceremony.name}`, { font: 'bold', size: 18, after: 8 });
  doc.rows([
    ['Kind', s.kind],
    ['Plan', s.plan.file],
    ['Plan SHA-256', s.plan.sha256, true],
    ['Roster words', s.rosterWords ? s.rosterWords.join(' ') : 'none yet: this enrollment makes the roster', true],
    ['Operator', who(s.operator)],
    ['Witnesses', s.witnesses.map(who).join(', ')],
  ], { size: 9 });
  doc.gap(6);
  doc.text('Before starting, the operator reads the plan SHA-256 from the screen and the witnesses compare it with this page. During the ceremony the operator reads each step aloud; the person who acts does it; a witness ticks the box and initials the step. Anything that does not go as written goes on the exceptions sheet.', { size: 9, after: 4 });
  doc.writeLine('Date', 0, 160);
  doc.writeLine('Room', 180, 150);
  doc.writeLine('Start time', 350, 145);
  doc.gap(22);
  doc.heading(`Steps (${s.steps.length})`, 13);
  for (const [i, st] of s.steps.entries()) {
    const blocks: [string, TextOptions][] = [
      [`${i + 1}. ${who(st.person)}, ${st.position ?? st.role}`, { font: 'bold', size: 10, width: doc.width - 140, after: 1 }],
      [st.action, { size: 9.5, indent: 14, width: doc.width - 154, after: 1 }],
      [`Check: ${st.check}`, { size: 8.5, indent: 14, width: doc.width - 154, grey: true, after: 2 }],
    ];
    // The whole step on one page (its box and initials go beside its first line): measured as drawn.
    doc.ensure(blocks.reduce((h, [t, o]) => h + doc.measure(t, o).height, 0) + 8);
    doc.rule();
    const top = doc.cursor;
    for (const [t, o] of blocks) doc.text(t, o);
    const end = doc.cursor;
    doc.cursor = top; // back to the step's first line for its box and initials
    doc.checkbox(doc.width - 100, 11);
    doc.writeLine('initials', doc.width - 82, 82);
    doc.cursor = end;
  }
  doc.rule();

  doc.newPage();
  doc.heading('Exceptions', 14);
  doc.text('Every interruption, retry, deviation from the script or unexpected message: its time, the step number, what happened and what was decided. Each entry is initialled by the operator and a witness.', { size: 9, after: 6 });
  for (let n = 0; n < 9; n++) {
    doc.ensure(70);
    const top = doc.cursor;
    doc.box(`${n + 1}.`, 62);
    const end = doc.cursor;
    doc.cursor = top - 4; // back inside the box, beside its number
    doc.writeLine('time', 24, 100);
    doc.writeLine('step', 136, 70);
    doc.cursor = top - 46; // and at its foot, the initials
    doc.writeLine('operator', doc.width - 240, 110);
    doc.writeLine('witness', doc.width - 120, 114);
    doc.cursor = end;
  }

  doc.newPage();
  doc.heading('Signatures', 14);
  doc.text('We followed this script; every step is ticked and initialled, or its exception is recorded.', { size: 9.5, after: 4 });
  doc.signatures([`Operator: ${who(s.operator)}`, ...s.witnesses.map((w) => `Witness: ${who(w)}`)]);
  doc.gap(14);
  doc.writeLine('End time', 0, 160);
  doc.gap(16);
  return doc.save();
}

// ---------------------------------------------------------------- transcript report

export interface TranscriptReportInput {
  file: string;
  sha256: string;
  ceremony: string;
  kind: string;
  name: string;
  organization: string;
  rehearsal: boolean;
  rosterWords: string[];
  records: AuditRecord[];
  participants: { id: string; name: string; roles: string[]; signingKey: string; words: string[] }[];
  names: Record<string, string>;
  head: string;
  headWords: string[];
  /** The head the witnesses and the operator attested (read aloud at the close). */
  closing: { head: string; words: string[] };
  attestations: { actor: string; time: string }[];
}

/** The facts of a valid, closed ceremony transcript (refused otherwise, as `custos verify` refuses it). */
export function transcriptReportInput(provider: CryptoProvider, text: string, file: string, roster: VerifiedRoster): TranscriptReportInput {
  const report = verifyTranscript(provider, text, { publicKey: roster.publicKey });
  const summary = checkCeremonyTranscript(report, roster);
  const records = recordsOf(report, summary);
  const actors = new Set(records.map((r) => r.actor));
  for (const e of report.events) for (const k of ['custodian', 'participant'] as const) if (typeof e.data[k] === 'string') actors.add(e.data[k]);
  const participants = roster.roster.participants
    .filter((p) => actors.has(p.id))
    .map((p) => ({ id: p.id, name: p.name, roles: p.roles, signingKey: p.signingKey, words: participantWords(provider, p) }));
  const open = report.events[0]!;
  const seqOfAttest = new Set(report.closing?.attestations.map((a) => a.line - 1));
  return {
    file,
    sha256: toHex(provider.sha256(utf8(text))),
    ceremony: report.ceremony,
    kind: summary.kind,
    name: summary.name,
    organization: typeof open.data.organization === 'string' ? open.data.organization : roster.roster.organization,
    rehearsal: summary.rehearsal,
    rosterWords: roster.words,
    records,
    participants,
    names: Object.fromEntries(roster.roster.participants.map((p) => [p.id, p.name])),
    head: report.head,
    headWords: report.headWords,
    closing: { head: summary.closingHead, words: summary.closingWords },
    attestations: report.events.filter((e) => seqOfAttest.has(e.seq)).map((e) => ({ actor: e.actor, time: e.time })),
  };
}

const FIELD_ORDER = ['custodian', 'participant', 'index', 'keyId', 'kcv', 'setId', 'threshold', 'count', 'masterKeyId', 'masterKcv', 'generation', 'state', 'keys', 'file', 'output', 'sha256'];
/** An item's members in this order first: a key by its name, id and KCV. */
const ITEM_ORDER = ['name', 'endpoint', 'id', 'kcv'];

type Json = AuditRecord['fields'][string];
const isItem = (v: Json): v is { [k: string]: Json } => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A list of recorded facts (a bundle's keys, a share's files, a key server's imports): one of its items per element. */
const isItemList = (v: Json): v is { [k: string]: Json }[] => Array.isArray(v) && v.length > 0 && v.every(isItem);

/**
 * The lines of a list of recorded facts, one per item: its first member as it is (a key's
 * name), the others by name (`id ...`, `kcv ...`); a list inside an item on the lines after it,
 * indented one step further (a key server's keys).
 */
function itemLines(items: { [k: string]: Json }[], depth: number): { text: string; depth: number }[] {
  return items.flatMap((item) => {
    const order = (k: string) => (ITEM_ORDER.includes(k) ? ITEM_ORDER.indexOf(k) : ITEM_ORDER.length);
    const members = Object.entries(item).sort(([a], [b]) => order(a) - order(b));
    const nested = members.filter(([, v]) => isItemList(v)) as [string, { [k: string]: Json }[]][];
    const facts = members.filter(([, v]) => !isItemList(v)).map(([k, v], i) => (i === 0 && ITEM_ORDER.slice(0, 2).includes(k) ? flatValue(v) : `${k} ${flatValue(v)}`));
    return [{ text: facts.join(', '), depth }, ...nested.flatMap(([k, list]) => [{ text: `${k}:`, depth: depth + 1 }, ...itemLines(list, depth + 1)])];
  });
}

/** A value on one line: a list's elements comma-joined, an object's members by name. */
function flatValue(v: Json): string {
  if (Array.isArray(v)) return v.map(flatValue).join(', ');
  if (isItem(v)) return Object.entries(v).map(([k, x]) => `${k} ${flatValue(x)}`).join(', ');
  return String(v);
}

export async function renderTranscriptReport(fonts: FontFiles, t: TranscriptReportInput): Promise<Uint8Array> {
  const last = t.records.at(-1)!;
  const doc = await Layout.create(fonts, { title: `Transcript report: ${t.name}`, subject: `Ceremony ${t.ceremony} (${t.kind})`, date: new Date(last.time), reference: `ceremony ${t.ceremony}, closing head ${t.closing.head.slice(0, 16)}...` });
  const who = (id: string) => (t.names[id] ? `${t.names[id]} (${id})` : id);
  doc.text(t.organization, { size: 11, grey: true, after: 2 });
  doc.text(`Transcript report: ${t.name}${t.rehearsal ? ' (REHEARSAL)' : ''}`, { font: 'bold', size: 18, after: 8 });
  doc.rows([
    ['Kind', t.kind],
    ['Ceremony id', t.ceremony, true],
    ['Opened', t.records[0]!.time],
    ['Closed', last.time],
    ['Events', String(t.records.length)],
    ['Transcript file', t.file],
    ['File SHA-256', t.sha256, true],
    ['Roster words', t.rosterWords.join(' '), true],
  ], { size: 9 });
  doc.text('Verified before printing: every line signed by the participant who acted and chained to the one before; a valid ceremony closed by its witnesses and operator.', { size: 8.5, grey: true, after: 4 });

  doc.heading('Participants', 13);
  doc.text('Each person compares their key words with the card they wrote at enrollment.', { size: 8.5, grey: true, after: 4 });
  for (const p of t.participants) entry(doc, `${p.name} (${p.id}), ${p.roles.join(', ')}`, [['Key words', p.words.join(' ')], ['Signing key', p.signingKey]]);

  doc.heading('Events', 13);
  for (const r of t.records) {
    const fields = FIELD_ORDER.filter((k) => r.fields[k] !== undefined && typeof r.fields[k] !== 'object').map((k) => `${k} ${k === 'custodian' || k === 'participant' ? who(String(r.fields[k])) : String(r.fields[k])}`);
    doc.ensure(40);
    doc.text(`${r.seq}.  ${r.time.replace('T', ' ').replace('Z', ' UTC')}   ${r.event}   by ${who(r.actor)}`, { font: 'bold', size: 9, after: 1 });
    if (fields.length) doc.text(fields.join('; '), { size: 8.5, indent: 18, after: 1 });
    for (const [k, v] of Object.entries(r.fields))
      if (isItemList(v)) {
        doc.text(`${k}:`, { size: 8.5, indent: 18, after: 1 });
        for (const l of itemLines(v, 1)) doc.text(l.text, { size: 8.5, indent: 18 + 12 * l.depth, after: 1 });
      }
    doc.text(`line SHA-256 ${r.hash}`, { font: 'mono', size: 7, indent: 18, grey: true, after: 4 });
  }

  doc.heading('Closing head', 13);
  doc.text('The head the witnesses and the operator attested: the hash of the last line before the attestations, which seals every line before it. It was read aloud at the close; compare the words with the ceremony record.', { size: 8.5, grey: true, after: 4 });
  doc.text(t.closing.head, { font: 'mono', size: 9.5, after: 2 });
  doc.text(t.closing.words.join(' '), { font: 'monoBold', size: 13, after: 6 });
  doc.text('The head of the whole file, attestations included (the hash of its last line):', { size: 8.5, grey: true, after: 2 });
  doc.text(t.head, { font: 'mono', size: 9.5, after: 2 });
  doc.text(t.headWords.join(' '), { font: 'mono', size: 10, after: 8 });

  doc.ensure(100 + 34 * t.attestations.length); // the attestations and their signature lines on one page
  doc.heading('Attestations', 13);
  doc.text(`Recorded in the transcript: ${t.attestations.map((a) => `${who(a.actor)} at ${a.time}`).join('; ')}.`, { size: 9, after: 4 });
  doc.text('Each witness signs below: I watched this ceremony; the events above are what happened, and the head words are the ones on the screen.', { size: 9, after: 2 });
  doc.signatures(t.attestations.map((a) => who(a.actor)));
  return doc.save();
}

// ---------------------------------------------------------------- auditor report

export interface AuditReportInput {
  kind: string;
  file: string;
  sha256: string;
  /** When the checks were made (UTC): the result may depend on it (a bundle expires). */
  checkedAt: string;
  ok: boolean;
  checks: Check[];
  facts: [string, string][];
  inputs: Input[];
}

export async function renderAuditReport(fonts: FontFiles, a: AuditReportInput): Promise<Uint8Array> {
  const doc = await Layout.create(fonts, { title: `Verification report: ${a.kind} ${a.file}`, subject: `custos verify ${a.kind}`, date: new Date(a.checkedAt), reference: `${a.kind} SHA-256 ${a.sha256}, checked at ${a.checkedAt}` });
  doc.text('Verification report', { font: 'bold', size: 18, after: 4 });
  doc.text(`${a.kind} ${a.file}`, { size: 11, after: 8 });
  doc.text(a.ok ? 'RESULT: EVERY CHECK PASSED' : 'RESULT: FAILED - this file must not be trusted', { font: 'bold', size: 14, after: 2 });
  doc.text(`Checked at ${a.checkedAt.replace('T', ' ').replace('Z', ' UTC')}; the result is as of that time.`, { size: 9, after: 8 });
  inputsTable(doc, [{ role: a.kind, name: a.file, sha256: a.sha256 }, ...a.inputs]);
  doc.heading('Checks', 12);
  doc.text('In order; each rests on the ones before, so the checks after a failure are not reached.', { size: 8.5, grey: true, after: 4 });
  checksList(doc, a.checks);
  if (a.facts.length) {
    doc.heading('Facts', 12);
    doc.rows(a.facts, { labelWidth: 110, size: 9 });
  }
  doc.ensure(90);
  doc.heading('Auditor', 12);
  doc.text('I ran these checks on the files whose SHA-256 is printed above.', { size: 9, after: 2 });
  doc.signatures(['Auditor (name)']);
  return doc.save();
}

// ---------------------------------------------------------------- import receipt

export interface ReceiptInput {
  file: string;
  sha256: string;
  receipt: Receipt;
  transport: { fingerprint: string; words: string[] };
  checks: Check[];
}

export async function renderReceipt(fonts: FontFiles, r: ReceiptInput): Promise<Uint8Array> {
  const times = r.receipt.servers.map((s) => s.time).sort();
  const doc = await Layout.create(fonts, { title: `Import receipt: ${r.receipt.transport.server}`, subject: `Keys imported from bundle ${r.receipt.bundle.sha256}`, date: new Date(times.at(-1)!), reference: `receipt SHA-256 ${r.sha256}` });
  doc.text(`Import receipt${r.receipt.rehearsal ? ' (REHEARSAL)' : ''}`, { font: 'bold', size: 18, after: 4 });
  doc.text(`Key server ${r.receipt.transport.server}`, { size: 11, after: 8 });
  const ok = r.checks.every((c) => c.status === 'passed');
  doc.text(ok ? 'SIGNATURE CHECKED: signed by the pinned transport key' : 'NOT VERIFIED - this receipt must not be trusted', { font: 'bold', size: 12, after: 6 });
  doc.rows([
    ['Receipt file', r.file],
    ['Receipt SHA-256', r.sha256, true],
    ['Transport key', r.transport.fingerprint, true],
    ['Its words', r.transport.words.join(' '), true],
    ['Bundle SHA-256', r.receipt.bundle.sha256, true],
    ['Export ceremony', r.receipt.bundle.ceremony, true],
    ['Its head', r.receipt.bundle.transcriptHead, true],
  ], { size: 9 });
  for (const s of r.receipt.servers) {
    doc.heading(`${s.endpoint}`, 12);
    doc.rows([['Client', s.subject || '(none)'], ['Time', s.time], ['Key material', s.form === 'unwrapped' ? 'unwrapped on the key-server host, sent over mutual TLS' : 'sent wrapped, unwrapped by the server']], { size: 9 });
    doc.gap(4);
    for (const k of s.keys) entry(doc, `${k.name}: ${k.outcome}`, [['Key id', k.id], ['KCV', k.kcv], ['KMIP uid', k.uid]]);
  }
  doc.heading('Checks', 12);
  checksList(doc, r.checks);
  doc.ensure(110);
  doc.heading('Received by', 12);
  doc.signatures(['Key-server administrator', 'Ceremony operator']);
  return doc.save();
}
