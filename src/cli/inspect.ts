/**
 * `custos inspect FILE`: what a Custos file is and the facts people compare by phone or on
 * paper (fingerprints and their words, names, KCVs, dates, who approved), read without any key
 * and without trusting anything. No signature is checked here and no secret is printed; every
 * answer ends with the `custos verify` command (or the ceremony) that gives a trusted one.
 *
 * Documents are read whole (they are what every other command reads whole, and bounded); a
 * backup archive, which may be gigabytes, is read only at its two ends: the header line at the
 * start and the trailer at the end.
 */
import path from 'node:path';
import { base64 } from '@scure/base';
import { CustosError, InputError } from '../core/errors';
import { fromHex, toHex, utf8, wipe } from '../core/crypto/bytes';
import { parseRsaSpki } from '../core/crypto/der';
import { transportFingerprint, transportSchema } from '../core/documents/transport';
import { bundleManifestSchema } from '../core/documents/bundle';
import { escrowManifestSchema } from '../core/documents/escrow';
import { QUARANTINE_DIR, quarantineManifestSchema } from '../core/ceremony/doctor';
import { receiptSchema } from '../core/documents/receipt';
import { rosterPinSchema } from '../core/documents/roster-pin';
import { parseDocumentLine, parseSignedDocument } from '../core/documents/signed';
import { backupHeaderSchema, backupSealSchema } from '../core/backup/archive';
import { checkRosterBody, participantWords, rosterFingerprint, type Participant } from '../core/roster/roster';
import { requestSchema } from '../core/roster/request';
import { ATTEST, GENESIS, lineHash, type EventBody } from '../core/transcript/transcript';
import { parseCanonicalJson, type Json } from '../core/transcript/canonical';
import { fingerprintWords } from '../core/transcript/words';
import { strictParse } from '../core/plan/strict';
import { MAX_SHARE_FILE_BYTES, parseSharePlaintext } from '../core/shares/file';
import { describeShare, isShareRecordMagic, wipeShareRecord } from '../core/shares/record';
import type { RandomAccess } from '../core/ceremony/ports';
import { nativeProvider } from '../node/native-provider';
import { openRandomAccess } from '../node/medium';
import { systemClock } from '../node/platform';
import { options, printable, type Io } from './io';

/** The largest document (bundle, escrow, transcript, inventory...) read whole. */
const MAX_DOCUMENT = 256 * 1024 * 1024;
/** A backup's header line and trailer are bounded as `custos verify backup` bounds them. */
const MAX_BACKUP_HEADER = 1 << 20;
const MAX_BACKUP_TRAILER = 64 * 1024;
const PIN = '--roster ROSTER --roster-words "the eight words on the enrollment paper"';

/** A value of a text line: a plain string, or rows of a table printed under one label. */
type Value = string | string[][];

interface Inspection {
  /** What the file says it is (`custos.bundle`), or its format (`transcript`, `age file`). */
  type: string;
  /** The same in words, for people. */
  title: string;
  /** What gives a trusted answer: a sentence "custos verify ... gives a trusted answer". */
  verify: string;
  facts: Record<string, unknown>;
  lines: [string, Value][];
}

export function inspectCommand(args: string[], json: boolean, io: Io): void {
  const { positional } = options(args, []);
  if (positional.length !== 1) throw new InputError('cli.usage', 'inspect', 'usage: custos inspect FILE [--json]');
  const file = positional[0]!;
  const f = openRandomAccess(file, 'file');
  let r: Inspection;
  try {
    r = inspect(file, f);
  } finally {
    f.close();
  }
  if (json) io.out(JSON.stringify({ ok: true, file, type: r.type, unverified: true, verify: r.verify, ...r.facts }) + '\n');
  else io.out(render(file, r));
}

function render(file: string, r: Inspection): string {
  // Every value may come from the file: printed only in printable form.
  const safe = (v: Value): Value => (typeof v === 'string' ? printable(v) : v.map((row) => row.map(printable)));
  const lines: [string, Value][] = [['file', file], ['type', `${r.type} (${r.title})`], ...r.lines].map(([l, v]) => [l, safe(v)]);
  const width = Math.max(...lines.map(([l]) => l.length));
  const out: string[] = [];
  for (const [label, value] of lines) {
    const rows = typeof value === 'string' ? [value] : table(value);
    rows.forEach((row, i) => out.push(`${(i === 0 ? label : '').padEnd(width)}  ${row}`.trimEnd()));
  }
  out.push(`unverified: ${r.verify}`);
  return out.join('\n') + '\n';
}

/** Rows with their columns aligned (the last column is not padded). */
function table(rows: string[][]): string[] {
  if (rows.length === 0) return ['none'];
  const widths: number[] = [];
  for (const row of rows) row.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}

function inspect(file: string, f: RandomAccess): Inspection {
  const head = f.read(0, Math.min(f.size, 4096));
  const text = new TextDecoder().decode(head);
  if (text.startsWith('age-encryption.org/v1') || text.startsWith('-----BEGIN AGE')) return ageFile(file, f.size, text);
  if (isShareRecordMagic(head)) return paperShare(file, f, 'share record');
  if (/^(CUSTOS (?:REHEARSAL )?SHARE |CUSTOS:SHARE:)/.test(text) || /^\s*0?1\s+([0-9A-Za-z]{4}\s+){6}[0-9A-Za-z]{2}\s*$/m.test(text.split('\n')[0] ?? '')) return paperShare(file, f, 'paper share');
  if (text.startsWith('{"actor"')) return transcript(file, documentText(file, f, 'a transcript'));
  if (text.startsWith('{"ceremony"')) return backup(file, f);
  if (text.startsWith('{')) return jsonDocument(file, documentText(file, f, 'a Custos document'));
  throw notCustos(file);
}

const notCustos = (file: string) => new InputError('inspect.unknown', file, 'is not a file Custos recognises');

/** A recognised file that does not parse: an input error naming the file and what is wrong. */
function damaged(file: string, what: string, e: unknown): never {
  if (e instanceof CustosError) throw new InputError('inspect.damaged', file, `looks like ${what}, but ${e.message}`, { cause: e });
  throw e;
}

function documentText(file: string, f: RandomAccess, what: string): string {
  if (f.size > MAX_DOCUMENT) throw new InputError('inspect.size', file, `is ${f.size} bytes: too large to be ${what}`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(f.read(0, f.size));
  } catch (e) {
    if (e instanceof TypeError) throw new InputError('inspect.utf8', file, `starts like ${what} but is not UTF-8 text`);
    throw e;
  }
}

// ---- small helpers ----------------------------------------------------------------------------

const wordsOf = (hex: string) => fingerprintWords(fromHex(hex)).join(' ');
const isExpired = (iso: string) => new Date(iso) <= systemClock();
const dated = (iso: string) => (isExpired(iso) ? `${iso}  EXPIRED` : iso);
const yesNo = (rehearsal: boolean) => (rehearsal ? 'yes: REHEARSAL (real ceremonies and imports refuse it)' : 'no');
const list = (xs: readonly string[]) => (xs.length ? xs.join(', ') : 'none');
const sha256 = (text: string) => toHex(nativeProvider.sha256(utf8(text)));
const trusted = (command: string, why = '') => `${command} gives a trusted answer${why}`;
/** A path as it may be pasted into a shell. */
const arg = (file: string) => (/^[\w./@:+,=-]+$/.test(file) ? file : `'${file.replaceAll("'", `'\\''`)}'`);
const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

// ---- JSON documents -------------------------------------------------------------------------

function jsonDocument(file: string, text: string): Inspection {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw notCustos(file);
  }
  if (!isObject(value)) throw notCustos(file);
  const keys = Object.keys(value).sort().join();
  const manifestKind = isObject(value.manifest) ? value.manifest.kind : undefined;
  if (value.kind === 'custos.roster') return roster(file, text);
  if (value.kind === 'custos.transport-key') return transport(file, text);
  if (value.kind === 'custos.inventory') return inventory(file, text);
  if (keys === 'approvals,manifest' && manifestKind === 'custos.bundle') return bundle(file, text);
  if (keys === 'approvals,manifest' && manifestKind === 'custos.escrow') return escrow(file, text);
  if (keys === 'approvals,manifest' && manifestKind === 'custos.quarantine') return deviation(file, text);
  if (keys === 'receipt,sig') return receipt(file, text);
  if (keys === 'pin,sig') return rosterPin(file, text);
  if (keys === 'request,sig') return request(file, text);
  throw notCustos(file);
}

/** One line of canonical JSON, as every Custos document is. */
function canonicalLine(file: string, text: string, what: string, root: string): Json {
  try {
    if (!text.endsWith('\n') || text.indexOf('\n') !== text.length - 1) throw new InputError(`${root}.text`, root, 'must be one line of canonical JSON ending in a newline');
    return parseCanonicalJson(text.slice(0, -1), root);
  } catch (e) {
    return damaged(file, what, e);
  }
}

function roster(file: string, text: string): Inspection {
  const what = 'a roster';
  const value = canonicalLine(file, text, what, 'roster');
  let body;
  try {
    body = checkRosterBody(value);
  } catch (e) {
    return damaged(file, what, e);
  }
  const v = value as Record<string, Json>;
  const fingerprint = rosterFingerprint(nativeProvider, body);
  const words = fingerprintWords(fingerprint).join(' ');
  const hex = toHex(fingerprint);
  const rehearsal = body.rehearsal === true;
  const signers = Array.isArray(v.signatures) ? v.signatures.map((s) => (isObject(s) ? String(s.actor) : '?')) : [];
  const endorsers = Array.isArray(v.endorsements) ? v.endorsements.map((s) => (isObject(s) ? String(s.actor) : '?')) : undefined;
  const people = body.participants.map((p: Participant) => ({ id: p.id, name: p.name, roles: p.roles, enrolled: p.enrolled, expires: p.expires, expired: isExpired(p.expires), keyWords: participantWords(nativeProvider, p).join(' ') }));
  // The window in which every participant's enrollment is in force.
  const from = body.participants.map((p) => p.enrolled).sort().at(-1)!;
  const to = body.participants.map((p) => p.expires).sort()[0]!;
  const sameDates = body.participants.every((p) => p.enrolled === from && p.expires === to);
  return {
    type: 'custos.roster',
    title: rehearsal ? 'a REHEARSAL roster' : 'a roster',
    verify: trusted(`custos verify transcript ENROLL-TRANSCRIPT --roster ${arg(file)} --roster-words "the eight words on the enrollment paper"`, ' (so does custos plan check on a plan that pins it)'),
    facts: {
      words,
      fingerprint: hex,
      organization: body.organization,
      rehearsal,
      created: body.created,
      valid: { from, to, expired: isExpired(to) },
      ...(body.previous !== undefined && { previous: body.previous, previousWords: wordsOf(body.previous) }),
      participants: people,
      signedBy: signers,
      ...(endorsers && { endorsedBy: endorsers }),
    },
    lines: [
      ['words', words],
      ['fingerprint', hex],
      ['organization', body.organization],
      ['rehearsal', yesNo(rehearsal)],
      ['created', body.created],
      ['valid', `${from} to ${dated(to)}`],
      ...(body.previous !== undefined ? ([['renews', `${wordsOf(body.previous)} (roster ${body.previous})`]] as [string, Value][]) : []),
      // Each participant's dates only when they are not all those of the line "valid".
      ['participants', people.map((p) => [p.id, p.name, p.roles.join(','), ...(sameDates ? [] : [`${p.enrolled} to ${p.expires}${p.expired ? ' EXPIRED' : ''}`]), `key words ${p.keyWords}`])],
      ['signed by', `${list(signers)} (${signers.length} of ${people.length} participants)`],
      ...(endorsers ? ([['endorsed by', list(endorsers)]] as [string, Value][]) : []),
    ],
  };
}

function transport(file: string, text: string): Inspection {
  const what = 'a transport-key enrollment';
  const value = canonicalLine(file, text, what, 'transport');
  let t;
  let spki: Uint8Array;
  let bits: number;
  try {
    const { sig, ...rest } = value as Record<string, Json>;
    if (sig === undefined) throw new InputError('transport.unsigned', 'transport.sig', 'is missing: this enrollment is not signed by its key');
    t = strictParse(transportSchema, rest, 'transport', what);
    spki = base64.decode(t.publicKey);
    bits = parseRsaSpki(spki, 'transport.publicKey').n.toString(2).length;
  } catch (e) {
    return damaged(file, what, e);
  }
  const fingerprint = transportFingerprint(nativeProvider, spki);
  const words = wordsOf(fingerprint);
  const expired = isExpired(t.expires);
  return {
    type: 'custos.transport-key',
    title: `the transport-key enrollment of key server ${t.server.name}`,
    verify: trusted(`custos verify bundle BUNDLE ${PIN} --transport ${arg(file)} --fingerprint HEX`, ", HEX being the fingerprint confirmed by phone with the key server's administrator"),
    facts: { fingerprint, words, server: t.server.name, kmip: t.server.kmip, key: `RSA-${bits}`, created: t.created, expires: t.expires, expired },
    lines: [
      ['fingerprint', fingerprint],
      ['words', words],
      ['server', t.server.name],
      ['kmip', list(t.server.kmip)],
      ['key', `RSA-${bits}`],
      ['created', t.created],
      ['expires', dated(t.expires)],
    ],
  };
}

function keyRows(keys: readonly { name: string; kcv: string; usage: readonly string[]; state: string; id: string }[]): string[][] {
  return keys.map((k) => [k.name, k.kcv, k.usage.join(','), k.state, `id ${k.id}`]);
}

const keyFacts = (keys: readonly { id: string; name: string; kcv: string; usage: readonly string[]; state: string }[]) => keys.map((k) => ({ id: k.id, name: k.name, kcv: k.kcv, usage: k.usage, state: k.state }));

function bundle(file: string, text: string): Inspection {
  const what = 'an export bundle';
  let doc;
  try {
    doc = parseSignedDocument(text, 'bundle', bundleManifestSchema, 'a bundle manifest');
  } catch (e) {
    return damaged(file, what, e);
  }
  const m = doc.manifest;
  const approvers = doc.approvals.map((a) => a.approver);
  const recipientWords = wordsOf(m.recipient.fingerprint);
  const headWords = wordsOf(m.transcript.head);
  const sha = sha256(text);
  return {
    type: 'custos.bundle',
    title: `${m.rehearsal ? 'a REHEARSAL ' : 'an '}export bundle for key server ${m.recipient.server}`,
    verify: trusted(`custos verify bundle ${arg(file)} ${PIN} --fingerprint HEX`, ', HEX being the transport key fingerprint confirmed by phone'),
    facts: {
      ceremony: m.ceremony,
      organization: m.organization,
      rehearsal: m.rehearsal,
      recipient: { server: m.recipient.server, fingerprint: m.recipient.fingerprint, words: recipientWords },
      created: m.created,
      expires: m.expires,
      expired: isExpired(m.expires),
      keys: keyFacts(m.keys),
      approvers,
      masterKeyId: m.masterKeyId,
      transcript: { head: m.transcript.head, words: headWords, seq: m.transcript.seq },
      sha256: sha,
    },
    lines: [
      ['recipient', `${m.recipient.server}, transport key ${m.recipient.fingerprint}`],
      ['read aloud', recipientWords],
      ['keys', keyRows(m.keys)],
      ['created', m.created],
      ['expires', dated(m.expires)],
      ['approvers', `${list(approvers)} (their signatures not checked)`],
      ['ceremony', m.ceremony],
      ['organization', m.organization],
      ['rehearsal', yesNo(m.rehearsal)],
      ['master key', m.masterKeyId],
      ['after head', `${headWords} (transcript event ${m.transcript.seq})`],
      ['sha256', sha],
    ],
  };
}

function escrow(file: string, text: string): Inspection {
  const what = 'an escrow manifest';
  let doc;
  try {
    doc = parseSignedDocument(text, 'escrow', escrowManifestSchema, 'an escrow manifest');
  } catch (e) {
    return damaged(file, what, e);
  }
  const m = doc.manifest;
  const a = m.agent;
  const approvers = doc.approvals.map((x) => x.approver);
  const agentLine = a.type === 'age' ? `${a.name}, age recipient ${a.recipient}` : `${a.name}, RSA key ${a.fingerprint}`;
  const payload = m.payload ? `${m.payload.file}, SHA-256 ${m.payload.sha256}` : 'none: each key is wrapped inside the manifest';
  const sha = sha256(text);
  return {
    type: 'custos.escrow',
    title: `${m.rehearsal ? 'a REHEARSAL ' : 'an '}escrow manifest for agent ${a.name}`,
    verify: trusted(`custos verify escrow ${arg(file)} ${PIN}${m.payload ? ` --payload ${arg(path.join(path.dirname(file), m.payload.file))}` : ''}`),
    facts: {
      ceremony: m.ceremony,
      organization: m.organization,
      rehearsal: m.rehearsal,
      agent: { ...a, ...(a.type === 'rsa' && { words: wordsOf(a.fingerprint) }) },
      payload: m.payload,
      created: m.created,
      keys: keyFacts(m.keys),
      approvers,
      masterKeyId: m.masterKeyId,
      transcript: { head: m.transcript.head, words: wordsOf(m.transcript.head), seq: m.transcript.seq },
      sha256: sha,
    },
    lines: [
      ['agent', agentLine],
      ...(a.type === 'rsa' ? ([['read aloud', wordsOf(a.fingerprint)]] as [string, Value][]) : []),
      ['payload', payload],
      ['keys', keyRows(m.keys)],
      ['created', m.created],
      ['approvers', `${list(approvers)} (their signatures not checked)`],
      ['ceremony', m.ceremony],
      ['organization', m.organization],
      ['rehearsal', yesNo(m.rehearsal)],
      ['master key', m.masterKeyId],
      ['after head', `${wordsOf(m.transcript.head)} (transcript event ${m.transcript.seq})`],
      ['sha256', sha],
    ],
  };
}

function receipt(file: string, text: string): Inspection {
  const what = 'an import receipt';
  let r;
  try {
    r = parseDocumentLine(text, 'receipt', ['receipt', 'sig'], (v) => strictParse(receiptSchema, v.receipt, 'receipt', 'a receipt'));
  } catch (e) {
    return damaged(file, what, e);
  }
  const keys = r.servers.flatMap((s) => s.keys.map((k) => ({ server: s.endpoint, time: s.time, name: k.name, kcv: k.kcv, uid: k.uid, outcome: k.outcome, id: k.id })));
  return {
    type: 'custos.receipt',
    title: `${r.rehearsal ? 'a REHEARSAL ' : 'an '}import receipt from key server ${r.transport.server}`,
    verify: trusted(`custos verify receipt ${arg(file)} --transport ENROLLMENT --fingerprint HEX --bundle BUNDLE`, ', HEX being the transport key fingerprint confirmed by phone'),
    facts: {
      server: r.transport.server,
      transport: { fingerprint: r.transport.fingerprint, words: wordsOf(r.transport.fingerprint) },
      rehearsal: r.rehearsal,
      bundle: r.bundle,
      servers: r.servers.map((s) => ({ endpoint: s.endpoint, subject: s.subject, time: s.time, form: s.form, keys: s.keys.length })),
      keys,
    },
    lines: [
      ['server', `${r.transport.server}, transport key ${r.transport.fingerprint}`],
      ['read aloud', wordsOf(r.transport.fingerprint)],
      ['bundle', `SHA-256 ${r.bundle.sha256}`],
      ['ceremony', `${r.bundle.ceremony} (the export)`],
      ['imported', keys.map((k) => [k.server, k.time, k.name, k.kcv, `uid ${k.uid}`, k.outcome])],
      ['rehearsal', yesNo(r.rehearsal)],
    ],
  };
}

function rosterPin(file: string, text: string): Inspection {
  const what = 'a roster pin';
  let p;
  try {
    p = parseDocumentLine(text, 'pin', ['pin', 'sig'], (v) => strictParse(rosterPinSchema, v.pin, 'pin.pin', what));
  } catch (e) {
    return damaged(file, what, e);
  }
  const words = wordsOf(p.roster);
  return {
    type: 'custos.roster-pin',
    title: `the pin of the roster of ${p.organization}, kept on a key server`,
    verify: trusted(`custos import BUNDLE --trust ${arg(file)} --transport ENROLLMENT ...`, ": it checks the pin's signature by the transport key (there is no custos verify for a pin)"),
    facts: { organization: p.organization, roster: p.roster, words, wordsAsRecorded: p.words, pinned: p.pinned, transport: { fingerprint: p.transport, words: wordsOf(p.transport) }, rehearsal: p.rehearsal },
    lines: [
      ['roster words', words + (p.words === words ? '' : `  (the pin records "${p.words}", which differs)`)],
      ['roster', p.roster],
      ['organization', p.organization],
      ['pinned', p.pinned],
      ['transport key', `${p.transport} (${wordsOf(p.transport)})`],
      ['rehearsal', yesNo(p.rehearsal)],
    ],
  };
}

function request(file: string, text: string): Inspection {
  const what = 'an enrollment request';
  let r;
  try {
    r = parseDocumentLine(text, 'request', ['request', 'sig'], (v) => strictParse(requestSchema, v.request, 'request.request', what));
  } catch (e) {
    return damaged(file, what, e);
  }
  const words = participantWords(nativeProvider, r).join(' ');
  return {
    type: 'custos.enrollment-request',
    title: `the enrollment request of ${r.id}`,
    verify: trusted('the enrollment ceremony that names it (custos run ENROLL-PLAN)', `: it checks the request's signature and that ${r.id} holds both keys; compare these key words with ${r.id} there`),
    facts: { id: r.id, name: r.name, created: r.created, keyWords: words, signingKey: r.signingKey, ageRecipient: r.ageRecipient },
    lines: [
      ['id', r.id],
      ['name', r.name],
      ['key words', words],
      ['signing key', r.signingKey],
      ['age recipient', r.ageRecipient],
      ['created', r.created],
    ],
  };
}

function inventory(file: string, text: string): Inspection {
  const what = 'a key inventory';
  const v = canonicalLine(file, text, what, 'inventory') as Record<string, Json>;
  const bad = (field: string, why: string) => damaged(file, what, new InputError('inventory.shape', `inventory.${field}`, why));
  if (typeof v.masterKeyId !== 'string' || typeof v.masterKcv !== 'string') return bad('masterKeyId', 'must name the master key and its KCV');
  if (typeof v.generation !== 'number') return bad('generation', 'must be a number');
  if (!Array.isArray(v.keys) || !v.keys.every((k) => isObject(k) && typeof k.name === 'string' && typeof k.kcv === 'string' && typeof k.state === 'string' && typeof k.id === 'string'))
    return bad('keys', 'must list keys with id, name, kcv and state');
  const keys = (v.keys as Record<string, Json>[]).map((k) => ({ id: String(k.id), name: String(k.name), kcv: String(k.kcv), usage: strings(k.usage), state: String(k.state) }));
  const sha = sha256(text);
  return {
    type: 'custos.inventory',
    title: `the sealed key inventory of master key ${v.masterKeyId}, generation ${v.generation}`,
    verify: trusted(`custos verify transcript TRANSCRIPT ${PIN}`, ' for the ceremony that wrote it, whose inventory.written event names this SHA-256 (the MAC is checked only with the master key)'),
    facts: { masterKeyId: v.masterKeyId, masterKcv: v.masterKcv, generation: v.generation, keys, sha256: sha },
    lines: [
      ['master key', `${v.masterKeyId} ${v.masterKcv}`],
      ['generation', String(v.generation)],
      ['keys', keyRows(keys)],
      ['sha256', sha],
    ],
  };
}

/** A deviation record of `custos vault quarantine`: a file of the vault moved aside, and why. */
function deviation(file: string, text: string): Inspection {
  const what = 'a quarantine deviation record';
  let doc;
  try {
    doc = parseSignedDocument(text, 'deviation', quarantineManifestSchema, what);
  } catch (e) {
    return damaged(file, what, e);
  }
  const m = doc.manifest;
  const signers = doc.approvals.map((x) => x.approver);
  // The record sits in VAULT/quarantine/; the vault doctor checks it against the pinned roster.
  const folder = path.dirname(file);
  const vault = path.basename(path.resolve(folder)) === QUARANTINE_DIR ? path.dirname(folder) : 'VAULT';
  const sha = sha256(text);
  return {
    type: 'custos.quarantine',
    title: `a deviation record: ${m.file} moved aside into the vault's quarantine folder`,
    verify: trusted(`custos vault doctor ${arg(vault)} ${PIN}`, ' (signatures of an operator and a witness of that roster, and the moved file against this SHA-256)'),
    facts: { moved: m.file, movedSha256: m.sha256, movedSize: m.size, reason: m.reason, time: m.time, signers, roster: m.roster, sha256: sha },
    lines: [
      ['moved', `${m.file} (${m.size} bytes)`],
      ['its sha256', m.sha256],
      ['reason', m.reason],
      ['time', m.time],
      ['signed by', `${list(signers)} (operator, then witness; their signatures not checked)`],
      ['roster', m.roster],
      ['sha256', sha],
    ],
  };
}

// ---- transcript ---------------------------------------------------------------------------

/** An event as read here: parsed, not verified. */
type Event = Omit<EventBody, 'v'>;

function transcript(file: string, text: string): Inspection {
  const what = 'a transcript';
  if (!text.endsWith('\n')) throw new InputError('inspect.transcript', file, 'starts like a transcript but ends without a newline: its last event was not completely written');
  const lines = text.slice(0, -1).split('\n');
  const events: Event[] = [];
  const hashes: string[] = [];
  lines.forEach((line, i) => {
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      throw new InputError('inspect.transcript', file, `starts like a transcript but its ${i === 0 ? 'first line' : `line ${i + 1}`} is not JSON`);
    }
    if (!isObject(e) || !isObject(e.data) || typeof e.type !== 'string' || typeof e.actor !== 'string' || typeof e.time !== 'string' || typeof e.prev !== 'string' || typeof e.ceremony !== 'string')
      throw new InputError('inspect.transcript', file, `starts like a transcript but its ${i === 0 ? 'first line' : `line ${i + 1}`} is not an event`);
    events.push(e as unknown as Event);
    hashes.push(lineHash(nativeProvider, line));
  });
  const open = events[0]!;
  if (open.type !== 'ceremony.open') damaged(file, what, new InputError('transcript.open', 'transcript.line[1].type', `is ${open.type}: a transcript opens with ceremony.open`));
  const d = open.data;
  // The hash chain, hashes only: each line names the one before it.
  const broken = events.findIndex((e, i) => e.prev !== (i === 0 ? GENESIS : hashes[i - 1]));
  const head = hashes.at(-1)!;
  // Closed, as a valid ceremony closes: a trailing block of attestations of one closing head,
  // by every witness the opening named and then its operator (checkCeremonyTranscript).
  let k = events.length;
  while (k > 0 && events[k - 1]!.type === ATTEST) k--;
  const attestations = events.slice(k);
  const closingHead = attestations.length ? attestations[0]!.prev : undefined;
  const attesters = attestations.map((e) => e.actor);
  const witnesses = strings(d.witnesses);
  const operator = typeof d.operator === 'string' ? d.operator : open.actor;
  const expected = [...witnesses, operator];
  const sameHead = attestations.every((e) => e.data.head === closingHead);
  const closed = attestations.length > 0 && sameHead && witnesses.length > 0 && attesters.join() === expected.join();
  const last = events.at(-1)!;
  const state = closed
    ? `closed: attested by ${attesters.join(', then ')} (their signatures not checked)`
    : last.type === 'ceremony.aborted'
      ? `aborted (${String(last.data.code)} at ${String(last.data.field)}): nothing it issued may be used`
      : attestations.length
        ? `being closed: attested by ${attesters.join(', ')} of ${expected.join(', ')}`
        : 'not closed: the ceremony did not finish (running the plan again resumes it)';
  // Event types in order, repeats counted.
  const steps: { type: string; count: number }[] = [];
  for (const e of events) {
    const s = steps.at(-1);
    if (s && s.type === e.type) s.count++;
    else steps.push({ type: e.type, count: 1 });
  }
  const actors = [...new Set(events.map((e) => e.actor))];
  const rehearsal = d.rehearsal === true;
  const roles: [string, string[]][] = (['custodians', 'quorum', 'approvers'] as const).filter((r) => Array.isArray(d[r])).map((r) => [r, strings(d[r])]);
  const rosterHex = typeof d.roster === 'string' && /^[0-9a-f]{64}$/.test(d.roster) ? d.roster : undefined;
  const kind = String(d.kind);
  const name = String(d.name);
  return {
    type: 'transcript',
    title: `${rehearsal ? 'the REHEARSAL ' : 'the '}transcript of ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} ceremony, "${name}"`,
    verify: trusted(`custos verify transcript ${arg(file)} ${PIN}`),
    facts: {
      ceremony: open.ceremony,
      kind,
      name,
      ...(typeof d.organization === 'string' && { organization: d.organization }),
      rehearsal,
      opened: open.time,
      lastEvent: last.time,
      ...(rosterHex && { roster: { fingerprint: rosterHex, words: wordsOf(rosterHex) } }),
      operator,
      witnesses,
      ...Object.fromEntries(roles),
      actors,
      events: events.length,
      steps,
      head,
      headWords: wordsOf(head),
      closed,
      state,
      ...(closingHead && { closingHead, closingWords: wordsOf(closingHead) }),
      attestedBy: attesters,
      chain: broken < 0 ? 'intact' : `broken at line ${broken + 1}`,
    },
    lines: [
      ['ceremony', open.ceremony],
      ['kind', kind],
      ['name', name],
      ...(typeof d.organization === 'string' ? ([['organization', d.organization]] as [string, Value][]) : []),
      ['rehearsal', yesNo(rehearsal)],
      ['opened', open.time],
      ['last event', last.time],
      ...(rosterHex ? ([['roster words', `${wordsOf(rosterHex)} (roster ${rosterHex})`]] as [string, Value][]) : []),
      ['operator', operator],
      ['witnesses', list(witnesses)],
      ...roles.map(([r, ids]) => [r, list(ids)] as [string, Value]),
      ['signed by', list(actors)],
      ['events', `${events.length}`],
      ['steps', steps.map((s) => [s.type, s.count > 1 ? `x${s.count}` : ''])],
      ['state', state],
      ...(closingHead ? ([['closing head', wordsOf(closingHead)], ['', closingHead]] as [string, Value][]) : []),
      ['last head', wordsOf(head)],
      ['', head],
      ['hash chain', broken < 0 ? 'intact (hashes only)' : `broken at line ${broken + 1}`],
    ],
  };
}

// ---- backup archive -----------------------------------------------------------------------

function backup(file: string, f: RandomAccess): Inspection {
  const what = 'a backup archive';
  const probe = f.read(0, Math.min(f.size, MAX_BACKUP_HEADER));
  const nl = probe.indexOf(10);
  if (nl < 0) throw notCustos(file);
  let headerText: string;
  let loose: unknown;
  try {
    headerText = new TextDecoder('utf-8', { fatal: true }).decode(probe.subarray(0, nl));
    loose = JSON.parse(headerText);
  } catch {
    throw notCustos(file);
  }
  if (!isObject(loose) || loose.kind !== 'custos.backup') throw notCustos(file);
  let h;
  try {
    h = strictParse(backupHeaderSchema, parseCanonicalJson(headerText, 'backup.header'), 'backup.header', 'a backup header');
  } catch (e) {
    return damaged(file, what, e);
  }
  // The trailer, from the end: the approvals and the seal (length and SHA-256 of what precedes it).
  let trailer: { approvers: string[]; length: number; sha256: string } | undefined;
  let trailerProblem = '';
  if (f.size >= nl + 1 + 4) {
    const tl = new DataView(f.read(f.size - 4, 4).buffer).getUint32(0);
    if (tl >= 2 && tl <= MAX_BACKUP_TRAILER && tl <= f.size - 4 - nl - 1) {
      try {
        const doc = parseSignedDocument(new TextDecoder().decode(f.read(f.size - 4 - tl, tl)), 'backup.trailer', backupSealSchema, 'a backup seal');
        if (doc.manifest.ceremony !== h.ceremony) trailerProblem = 'names another ceremony than the header';
        else if (doc.manifest.length !== f.size - 4 - tl) trailerProblem = `seals ${doc.manifest.length} bytes, but ${f.size - 4 - tl} precede it`;
        else trailer = { approvers: doc.approvals.map((a) => a.approver), length: doc.manifest.length, sha256: doc.manifest.sha256 };
      } catch (e) {
        if (!(e instanceof CustosError)) throw e;
        trailerProblem = 'cannot be read';
      }
    } else trailerProblem = 'its length field is out of range';
  } else trailerProblem = 'is missing';
  const trailerText = trailer ? `${trailer.length} bytes sealed, SHA-256 ${trailer.sha256}` : `${trailerProblem}: the archive is truncated or damaged`;
  const total = h.files.reduce((a, x) => a + x.size, 0);
  return {
    type: 'custos.backup',
    title: `${h.rehearsal ? 'a REHEARSAL ' : 'a '}backup archive of master key ${h.masterKeyId}`,
    verify: trusted(`custos verify backup ${arg(file)} ${PIN}`),
    facts: {
      ceremony: h.ceremony,
      organization: h.organization,
      rehearsal: h.rehearsal,
      created: h.created,
      masterKeyId: h.masterKeyId,
      masterKcv: h.masterKcv,
      size: f.size,
      files: h.files.map((x) => ({ name: x.name, role: x.role, size: x.size, sha256: x.sha256 })),
      shareSets: h.shareSets.map((s) => ({ setId: s.setId, keyId: s.keyId, kcv: s.kcv, threshold: s.threshold, count: s.count, custodians: s.custodians, ceremony: s.ceremony })),
      revoked: h.revoked,
      approvers: trailer?.approvers ?? null,
      seal: trailer ? { length: trailer.length, sha256: trailer.sha256 } : null,
      ...(trailer === undefined && { trailer: trailerText }),
    },
    lines: [
      ['created', h.created],
      ['master key', `${h.masterKeyId} ${h.masterKcv}`],
      ['files', h.files.map((x) => [x.name, x.role, `${x.size} bytes`])],
      ['content', `${h.files.length} files, ${total} bytes; archive ${f.size} bytes`],
      ['share sets', h.shareSets.map((s) => [`set ${s.setId}`, `${s.threshold} of ${s.count}`, s.kcv, list(s.custodians)])],
      ...(h.revoked.length ? ([['revoked sets', h.revoked.join(', ')]] as [string, Value][]) : []),
      ['approvers', trailer ? `${list(trailer.approvers)} (their signatures not checked)` : 'unknown'],
      ['trailer', trailerText],
      ['ceremony', h.ceremony],
      ['organization', h.organization],
      ['rehearsal', yesNo(h.rehearsal)],
    ],
  };
}

// ---- shares and age files -------------------------------------------------------------------

function paperShare(file: string, f: RandomAccess, form: 'paper share' | 'share record'): Inspection {
  if (f.size > MAX_SHARE_FILE_BYTES) throw new InputError('inspect.size', file, `is ${f.size} bytes: too large to be a ${form}`);
  const bytes = f.read(0, f.size); // the share in the clear: wiped below, never printed
  let d;
  try {
    const record = parseSharePlaintext(nativeProvider, bytes, 'share');
    try {
      d = describeShare(record);
    } finally {
      wipeShareRecord(record);
    }
  } catch (e) {
    return damaged(file, `a ${form}`, e);
  } finally {
    wipe(bytes);
  }
  return {
    type: form,
    title: `share ${d.index} of ${d.count} of set ${d.setId}, any ${d.threshold} restore; the share itself is not printed`,
    verify: trusted(`custos verify shares ${arg(file)} --vault VAULT ${PIN}`),
    facts: { share: d },
    lines: [
      ['share', `${d.index} of ${d.count} (any ${d.threshold} restore)`],
      ...(d.rehearsal ? [['REHEARSAL', 'a rehearsal’s share, of a throwaway key: no real ceremony takes it'] as [string, string]] : []),
      ['set', d.setId],
      ['key', d.keyId],
      ['kcv', d.kcv],
      ['signer', d.signer],
      ['checks', 'every line check and the digest match (the signature is not checked)'],
    ],
  };
}

function ageFile(file: string, size: number, text: string): Inspection {
  const armored = text.startsWith('-----BEGIN AGE');
  const stanzas = armored ? [] : text.split('\n').filter((l) => l.startsWith('-> ')).map((l) => l.slice(3).split(' '));
  const scrypt = stanzas.find((s) => s[0] === 'scrypt');
  const x25519 = stanzas.filter((s) => s[0] === 'X25519').length;
  const protection = armored
    ? 'unknown (ASCII-armored)'
    : scrypt
      ? `a passphrase (scrypt, work factor 2^${scrypt[2] ?? '?'})`
      : x25519
        ? `${x25519} age X25519 recipient${x25519 > 1 ? 's' : ''}`
        : stanzas.length
          ? `recipients of type ${[...new Set(stanzas.map((s) => s[0]))].join(', ')}`
          : 'unknown';
  const name = path.basename(file);
  const named = name.endsWith('.share.age') ? 'a share file' : name.endsWith('.identity.age') ? 'an identity' : name.endsWith('.transport-key.age') ? 'a transport private key' : undefined;
  const verify =
    named === 'an identity'
      ? trusted('the ceremony that unlocks it (custos run PLAN)', ': it checks that both keys inside are the ones the roster enrolled; nothing inside is read without its passphrase')
      : named === 'a transport private key'
        ? trusted('custos server trust or custos import with --transport-key', ': they check that it is the pair of the enrolled transport key; nothing inside is read without its passphrase')
        : named === 'a share file'
          ? trusted(`custos verify shares ${arg(file)} --vault VAULT ${PIN}`, ', which asks for its passphrase or its custodian\'s identity (a rehearsal\'s share with --answers ANSWERS); nothing inside is read without it')
          : trusted(
              `custos verify shares ${arg(file)} --vault VAULT ${PIN} (a share file) or custos verify escrow MANIFEST ${PIN} --payload ${arg(file)} (an escrow payload)`,
              '; nothing inside is read without its passphrase or identity',
            );
  return {
    type: 'age file',
    title: 'a share file, an identity or an escrow payload; open it with its passphrase or identity',
    verify,
    facts: { sealedTo: protection, size, ...(named && { namedLike: named }) },
    lines: [['sealed to', protection], ['size', `${size} bytes`], ...(named ? ([['named like', named]] as [string, Value][]) : [])],
  };
}
