/**
 * The ceremony transcript: JSON Lines, one RFC 8785 canonical event per line, each naming the
 * previous line's SHA-256 (a hash chain from 64 zeros) and signed with Ed25519 by the acting
 * participant. A ceremony closes with a trailing block of attestations, each a signed event
 * whose data names the closing head: the hash of the last line before the block, also shown
 * as words for paper sign-off.
 *
 *   {"actor":"alice","ceremony":"<32 hex>","data":{...},"prev":"<64 hex>","seq":0,
 *    "sig":"<base64 of 64 bytes>","time":"2026-11-28T10:00:00.000Z","type":"ceremony.open","v":1}
 *
 * Signature message: "custos/transcript/v1/event" || 0x00 || canonical JSON of the event
 * without "sig". Events never carry a secret, a share, a passphrase or its length: data is
 * checked against a list of forbidden names and sizes before anything is signed.
 */
import { base64 } from '@scure/base';
import { InputError, VerifyError } from '../errors';
import { isUtcTime, PARTICIPANT_ID_RE } from '../ids';
import { assertBytes, concat, fromHex, toHex, utf8 } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import type { Clock, Rng } from '../crypto/random';
import { canonicalJson, parseCanonicalJson, type Json } from './canonical';
import { fingerprintWords } from './words';

export const TRANSCRIPT_VERSION = 1;
export const GENESIS = '0'.repeat(64);
const SIG_LABEL = utf8('custos/transcript/v1/event\0');
const KEYS = ['actor', 'ceremony', 'data', 'prev', 'seq', 'sig', 'time', 'type', 'v'];
const TYPE_RE = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*$/;
const HEX64 = /^[0-9a-f]{64}$/;
const HEX32 = /^[0-9a-f]{32}$/;
export const ATTEST = 'attest';
const MAX_STRING = 4096;
const MAX_DEPTH = 8;
/** Names that must never appear in event data, whatever their value. */
const FORBIDDEN = /passphrase|password|secret|seed|private|^master-?key$|keymaterial|plaintext|^pin$|^shares?$|^sharebytes$|^share-?data$/i;

export interface EventBody {
  v: 1;
  ceremony: string;
  seq: number;
  prev: string;
  time: string;
  actor: string;
  type: string;
  data: { [k: string]: Json };
}

export interface SignedEvent extends EventBody {
  sig: string;
}

/** Where the chain stands: the next sequence number and the hash of the last line. */
export interface ChainState {
  ceremony: string;
  seq: number;
  head: string;
  /** Time of the last event: a later event is never stamped earlier, even if the clock steps back. */
  time?: string;
}

export function newChain(rng: Rng): ChainState {
  return { ceremony: toHex(rng(16)), seq: 0, head: GENESIS };
}

/** Refuse data that could carry a secret: forbidden names, long strings, deep nesting. */
export function checkEventData(data: unknown, field = 'data', depth = 0): void {
  if (depth > MAX_DEPTH) throw new InputError('event.depth', field, `is nested deeper than ${MAX_DEPTH}`);
  if (data === null || typeof data === 'boolean') return;
  if (typeof data === 'number') {
    if (!Number.isFinite(data)) throw new InputError('event.number', field, 'must be a finite number');
    return;
  }
  if (typeof data === 'string') {
    if (data.length > MAX_STRING) throw new InputError('event.string', field, `is longer than ${MAX_STRING} characters (no blobs in a transcript)`);
    return;
  }
  if (Array.isArray(data)) {
    data.forEach((v, i) => checkEventData(v, `${field}[${i}]`, depth + 1));
    return;
  }
  if (typeof data === 'object' && Object.getPrototypeOf(data) === Object.prototype) {
    for (const [k, v] of Object.entries(data)) {
      if (FORBIDDEN.test(k)) throw new InputError('event.secret', `${field}.${k}`, 'names a secret: transcripts never record secrets, shares, passphrases or their lengths');
      checkEventData(v, `${field}.${k}`, depth + 1);
    }
    return;
  }
  throw new InputError('event.type', field, 'must be plain JSON (no bytes, dates or class instances)');
}

function signingMessage(body: EventBody): Uint8Array {
  return concat(SIG_LABEL, utf8(canonicalJson(body, 'event')));
}

export function lineHash(provider: CryptoProvider, line: string): string {
  return toHex(provider.sha256(utf8(line)));
}

export interface AppendRequest {
  actor: string;
  /** Ed25519 seed of the acting participant. */
  signerSeed: Uint8Array;
  type: string;
  data: { [k: string]: Json };
}

export interface Appended {
  /** The canonical line, with its trailing newline, to append to the transcript file. */
  line: string;
  event: SignedEvent;
  state: ChainState;
}

export function signEvent(ctx: { provider: CryptoProvider; clock: Clock }, state: ChainState, req: AppendRequest): Appended {
  if (!HEX32.test(state.ceremony)) throw new InputError('chain.ceremony', 'state.ceremony', 'must be 32 hex digits');
  if (!HEX64.test(state.head)) throw new InputError('chain.head', 'state.head', 'must be 64 hex digits');
  if (!Number.isSafeInteger(state.seq) || state.seq < 0) throw new InputError('chain.seq', 'state.seq', 'must be a non-negative integer');
  if (typeof req.actor !== 'string' || !PARTICIPANT_ID_RE.test(req.actor)) throw new InputError('event.actor', 'actor', 'must be a participant id: lowercase letters, digits, . _ -');
  if (typeof req.type !== 'string' || !TYPE_RE.test(req.type)) throw new InputError('event.typeName', 'type', 'must be dotted lowercase words, e.g. "share.issued"');
  if (typeof req.data !== 'object' || req.data === null || Array.isArray(req.data)) throw new InputError('event.data', 'data', 'must be an object');
  checkEventData(req.data);
  assertBytes(req.signerSeed, 'signerSeed', 32);
  const body: EventBody = {
    v: TRANSCRIPT_VERSION,
    ceremony: state.ceremony,
    seq: state.seq,
    prev: state.head,
    time: laterOf(ctx.clock().toISOString(), state.time),
    actor: req.actor,
    type: req.type,
    data: req.data,
  };
  const sig = base64.encode(ctx.provider.ed25519Sign(req.signerSeed, signingMessage(body)));
  const event: SignedEvent = { ...body, sig };
  const text = canonicalJson(event, 'event');
  return { line: text + '\n', event, state: { ceremony: state.ceremony, seq: state.seq + 1, head: lineHash(ctx.provider, text), time: body.time } };
}

function laterOf(now: string, last: string | undefined): string {
  return last !== undefined && last > now ? last : now;
}

export interface Attestation {
  actor: string;
  line: number;
}

export interface TranscriptReport {
  ceremony: string;
  events: SignedEvent[];
  /** Hash of the last line. */
  head: string;
  headWords: string[];
  /** Set when the transcript ends with attestations: the head they sign and who signed it. */
  closing?: { head: string; words: string[]; attestations: Attestation[] };
  state: ChainState;
}

export interface VerifyOptions {
  /** The Ed25519 public key of a participant, from the trusted roster; undefined if unknown. */
  publicKey(actor: string): Uint8Array | undefined;
  /** Expected ceremony id. */
  ceremony?: string;
}

const fail = (code: string, field: string, message: string) => new VerifyError(code, field, message);

function checkShape(value: Json, field: string): SignedEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError('event.shape', field, 'must be a JSON object');
  const keys = Object.keys(value).sort();
  const unknown = keys.filter((k) => !KEYS.includes(k));
  if (unknown.length) throw new InputError('event.unknown', `${field}.${unknown[0]}`, 'is not a field of a transcript event');
  const missing = KEYS.filter((k) => !keys.includes(k));
  if (missing.length) throw new InputError('event.missing', `${field}.${missing[0]}`, 'is missing');
  const e = value as unknown as SignedEvent;
  if (e.v !== TRANSCRIPT_VERSION) throw new InputError('event.version', `${field}.v`, `version ${JSON.stringify(e.v)} is not supported (this Custos reads 1)`);
  if (typeof e.ceremony !== 'string' || !HEX32.test(e.ceremony)) throw new InputError('event.ceremony', `${field}.ceremony`, 'must be 32 hex digits');
  if (!Number.isSafeInteger(e.seq) || e.seq < 0) throw new InputError('event.seq', `${field}.seq`, 'must be a non-negative integer');
  if (typeof e.prev !== 'string' || !HEX64.test(e.prev)) throw new InputError('event.prev', `${field}.prev`, 'must be 64 hex digits');
  if (!isUtcTime(e.time))
    throw new InputError('event.time', `${field}.time`, 'must be a UTC time like 2026-11-28T10:00:00.000Z');
  if (typeof e.actor !== 'string' || !PARTICIPANT_ID_RE.test(e.actor)) throw new InputError('event.actor', `${field}.actor`, 'is not a participant id');
  if (typeof e.type !== 'string' || !TYPE_RE.test(e.type)) throw new InputError('event.typeName', `${field}.type`, 'is not an event type');
  if (typeof e.data !== 'object' || e.data === null || Array.isArray(e.data)) throw new InputError('event.data', `${field}.data`, 'must be an object');
  checkEventData(e.data, `${field}.data`);
  if (typeof e.sig !== 'string' || !/^[A-Za-z0-9+/]{86}==$/.test(e.sig)) throw new InputError('event.sig', `${field}.sig`, 'must be a base64 Ed25519 signature');
  return e;
}

/**
 * Verify a whole transcript. Every refusal names the line (1-based) and the field; the first
 * failure stops the check, since nothing after a broken link can be trusted.
 */
export function verifyTranscript(provider: CryptoProvider, text: string, opts: VerifyOptions): TranscriptReport {
  if (typeof text !== 'string') throw new InputError('transcript.type', 'transcript', 'must be text');
  if (text.length === 0) throw new InputError('transcript.empty', 'transcript', 'is empty');
  const lines = text.split('\n');
  const tail = lines.pop();
  if (tail !== '') throw fail('transcript.truncated', `transcript.line[${lines.length + 1}]`, 'ends without a newline: the last event was not completely written');
  const events: SignedEvent[] = [];
  let head = GENESIS;
  let ceremony = opts.ceremony;
  let lastTime = '';
  let closingStart = -1;
  for (let i = 0; i < lines.length; i++) {
    const field = `transcript.line[${i + 1}]`;
    let e: SignedEvent;
    try {
      e = checkShape(parseCanonicalJson(lines[i]!, field), field);
    } catch (err) {
      // In a transcript, a line that does not parse is damage or tampering: a failed verification.
      if (err instanceof InputError) throw new VerifyError(err.code, err.field, err.detail, { cause: err });
      throw err;
    }
    if (ceremony === undefined) ceremony = e.ceremony;
    if (e.ceremony !== ceremony) throw fail('transcript.ceremony', `${field}.ceremony`, `belongs to ceremony ${e.ceremony}, not ${ceremony}`);
    if (e.seq !== i) throw fail('transcript.seq', `${field}.seq`, `is ${e.seq}, expected ${i}: an event was removed, repeated or reordered`);
    if (e.prev !== head) throw fail('transcript.chain', `${field}.prev`, i === 0 ? 'the first event must chain from 64 zeros' : `does not name line ${i}'s hash: the chain is broken`);
    if (e.time < lastTime) throw fail('transcript.time', `${field}.time`, `goes back in time (${e.time} after ${lastTime})`);
    const pub = opts.publicKey(e.actor);
    if (!pub) throw fail('transcript.actor', `${field}.actor`, `"${e.actor}" is not in the trusted roster`);
    const { sig, ...body } = e;
    let sigBytes: Uint8Array;
    try {
      sigBytes = base64.decode(sig);
    } catch (err) {
      throw new VerifyError('event.sig', `${field}.sig`, 'is not canonical base64', { cause: err });
    }
    if (!provider.ed25519Verify(pub, signingMessage(body), sigBytes))
      throw fail('transcript.signature', `${field}.sig`, `is not a valid signature by ${e.actor}`);
    if (e.type === ATTEST) {
      if (closingStart < 0) closingStart = i;
      const d = e.data;
      if (Object.keys(d).length !== 1 || typeof d.head !== 'string' || !HEX64.test(d.head))
        throw new InputError('attest.data', `${field}.data`, 'an attestation holds exactly {"head": <64 hex>}');
      const closingHead = events[closingStart]?.prev ?? e.prev;
      if (d.head !== closingHead) throw fail('attest.head', `${field}.data.head`, 'does not name the closing head of the transcript');
      if (events.slice(closingStart).some((a) => a.actor === e.actor)) throw fail('attest.duplicate', `${field}.actor`, `${e.actor} already attested`);
    } else if (closingStart >= 0) {
      throw fail('transcript.closed', `${field}`, 'an event after the closing attestations: the ceremony was already closed');
    }
    events.push(e);
    head = lineHash(provider, lines[i]!);
    lastTime = e.time;
  }
  const report: TranscriptReport = {
    ceremony: ceremony!,
    events,
    head,
    headWords: fingerprintWords(fromHex(head)),
    state: { ceremony: ceremony!, seq: events.length, head, ...(lastTime && { time: lastTime }) },
  };
  if (closingStart >= 0) {
    const closingHead = events[closingStart]!.prev;
    report.closing = {
      head: closingHead,
      words: fingerprintWords(fromHex(closingHead)),
      attestations: events.slice(closingStart).map((a, k) => ({ actor: a.actor, line: closingStart + k + 1 })),
    };
  }
  return report;
}
