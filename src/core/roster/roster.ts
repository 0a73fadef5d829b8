/**
 * The roster: who may act in ceremonies, with which roles and keys. Canonical JSON, signed by
 * every participant it lists (each proves they hold the key enrolled in their name). Its
 * fingerprint, and each participant's, are shown as words to be read aloud and compared.
 *
 *   { "v": 1, "kind": "custos.roster", "organization": "...", "created": "<UTC>",
 *     "participants": [ { "id", "name", "roles", "signingKey", "ageRecipient", "enrolled", "expires" } ],
 *     ["previous": "<fingerprint of the roster this one succeeds>",]
 *     ["rehearsal": true,]
 *     "signatures": [ { "actor", "sig" } ],
 *     ["endorsements": [ { "actor", "sig" } ]] }
 *
 * Signature message: "custos/roster/v1" || 0x00 || canonical JSON of the roster without
 * "signatures" and "endorsements" (the body).
 *
 * A roster proves only that it is self-consistent: anyone can make one. Every door that trusts
 * a roster takes it pinned (`trustRoster`): its fingerprint equals one the person at the door
 * gives (the words written on paper at enrollment, or a pin recorded once), or it succeeds the
 * pinned roster. A successor names its predecessor's fingerprint in `previous` and carries
 * endorsements of its body by a majority (at least two) of the predecessor's participants:
 * "custos/roster/v1/successor" || 0x00 || canonical body. A roster that is not linked so must
 * be pinned anew. A roster marked `rehearsal` comes from an unattended enrollment file; real
 * ceremonies refuse it.
 */
import { base64 } from '@scure/base';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { InputError, PolicyError, VerifyError } from '../errors';
import { concat, fromHex, toHex, utf8 } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import { canonicalJson, parseCanonicalJson, type Json } from '../transcript/canonical';
import { fingerprintWords } from '../transcript/words';
import { ageRecipientOf, type IdentitySecrets } from './identity';
import { isUtcTime, PARTICIPANT_ID_RE as ID_RE } from '../ids';

export const ROLES = ['operator', 'custodian', 'witness', 'dr-officer'] as const;
export type Role = (typeof ROLES)[number];

export interface Participant {
  id: string;
  name: string;
  roles: Role[];
  /** Ed25519 public key, 64 hex digits. */
  signingKey: string;
  ageRecipient: string;
  enrolled: string;
  expires: string;
}

export interface RosterBody {
  v: 1;
  kind: 'custos.roster';
  organization: string;
  created: string;
  participants: Participant[];
  /** Fingerprint (hex) of the roster this one succeeds, endorsed by a majority of it. */
  previous?: string;
  /** Made from an unattended enrollment file: for rehearsals only. */
  rehearsal?: true;
}

export interface Signature {
  actor: string;
  sig: string;
}

export interface Roster extends RosterBody {
  signatures: Signature[];
  endorsements?: Signature[];
}

const LABEL = utf8('custos/roster/v1\0');
const SUCCESSOR_LABEL = utf8('custos/roster/v1/successor\0');
const AGE_RECIPIENT_RE = /^age1[02-9ac-hj-np-z]{58}$/;

export function participantFrom(provider: CryptoProvider, s: IdentitySecrets, p: { name: string; roles: Role[]; enrolled: Date; expires: Date }): Participant {
  return {
    id: s.id,
    name: p.name,
    roles: [...p.roles].sort(),
    signingKey: toHex(provider.ed25519PublicKey(s.signingSeed)),
    ageRecipient: ageRecipientOf(s.ageSecret),
    enrolled: p.enrolled.toISOString(),
    expires: p.expires.toISOString(),
  };
}

/** Words for a participant's keys, to read aloud when their entry is checked. */
export function participantWords(provider: CryptoProvider, p: Pick<Participant, 'signingKey' | 'ageRecipient'>): string[] {
  return fingerprintWords(provider.sha256(utf8(`${p.signingKey}\n${p.ageRecipient}`)));
}

export function rosterFingerprint(provider: CryptoProvider, body: RosterBody): Uint8Array {
  return provider.sha256(utf8(canonicalJson(bodyOf(body), 'roster')));
}

function bodyOf(r: RosterBody): RosterBody {
  return {
    v: r.v,
    kind: r.kind,
    organization: r.organization,
    created: r.created,
    participants: r.participants,
    ...(r.previous !== undefined && { previous: r.previous }),
    ...(r.rehearsal !== undefined && { rehearsal: r.rehearsal }),
  };
}

function message(body: RosterBody): Uint8Array {
  return concat(LABEL, utf8(canonicalJson(bodyOf(body), 'roster')));
}

function checkParticipant(p: unknown, field: string): Participant {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw new InputError('roster.participant', field, 'must be an object');
  const keys = ['ageRecipient', 'enrolled', 'expires', 'id', 'name', 'roles', 'signingKey'];
  for (const k of Object.keys(p)) if (!keys.includes(k)) throw new InputError('roster.unknown', `${field}.${k}`, 'is not a field of a participant');
  for (const k of keys) if (!(k in p)) throw new InputError('roster.missing', `${field}.${k}`, 'is missing');
  const q = p as Participant;
  if (typeof q.id !== 'string' || !ID_RE.test(q.id)) throw new InputError('roster.id', `${field}.id`, 'must be lowercase letters, digits, . _ -');
  if (typeof q.name !== 'string' || q.name.trim() === '' || q.name.length > 200) throw new InputError('roster.name', `${field}.name`, 'must be 1 to 200 characters');
  if (!Array.isArray(q.roles) || q.roles.length === 0 || q.roles.some((r) => !(ROLES as readonly string[]).includes(r)))
    throw new InputError('roster.roles', `${field}.roles`, `must list roles from: ${ROLES.join(', ')}`);
  if (new Set(q.roles).size !== q.roles.length || q.roles.join() !== [...q.roles].sort().join())
    throw new InputError('roster.roles', `${field}.roles`, 'must be sorted and without repeats');
  if (typeof q.signingKey !== 'string' || !/^[0-9a-f]{64}$/.test(q.signingKey)) throw new InputError('roster.signingKey', `${field}.signingKey`, 'must be 64 hex digits');
  if (typeof q.ageRecipient !== 'string' || !AGE_RECIPIENT_RE.test(q.ageRecipient)) throw new InputError('roster.ageRecipient', `${field}.ageRecipient`, 'must be an age X25519 recipient');
  for (const t of ['enrolled', 'expires'] as const)
    if (!isUtcTime(q[t])) throw new InputError('roster.time', `${field}.${t}`, 'must be a UTC time');
  if (q.expires <= q.enrolled) throw new InputError('roster.expires', `${field}.expires`, 'must be after enrolled');
  return q;
}

/** Strict structural check of a roster body (no signatures checked). */
export function checkRosterBody(value: unknown, field = 'roster'): RosterBody {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InputError('roster.shape', field, 'must be an object');
  const keys = ['created', 'endorsements', 'kind', 'organization', 'participants', 'previous', 'rehearsal', 'signatures', 'v'];
  for (const k of Object.keys(value)) if (!keys.includes(k)) throw new InputError('roster.unknown', `${field}.${k}`, 'is not a field of a roster');
  const r = value as Roster;
  if (r.v !== 1) throw new InputError('roster.version', `${field}.v`, 'version must be 1');
  if (r.kind !== 'custos.roster') throw new InputError('roster.kind', `${field}.kind`, 'must be "custos.roster"');
  if (typeof r.organization !== 'string' || r.organization.trim() === '' || r.organization.length > 200) throw new InputError('roster.organization', `${field}.organization`, 'must be 1 to 200 characters');
  if (!isUtcTime(r.created))
    throw new InputError('roster.time', `${field}.created`, 'must be a UTC time');
  if (!Array.isArray(r.participants) || r.participants.length === 0) throw new InputError('roster.participants', `${field}.participants`, 'must list at least one participant');
  if ('previous' in r && (typeof r.previous !== 'string' || !/^[0-9a-f]{64}$/.test(r.previous)))
    throw new InputError('roster.previous', `${field}.previous`, 'must be the 64-hex-digit fingerprint of the roster this one succeeds');
  if ('rehearsal' in r && r.rehearsal !== true) throw new InputError('roster.rehearsal', `${field}.rehearsal`, 'is true or absent');
  const ids = new Set<string>();
  // Each key names the participant who holds it, so a duplicate is refused naming both.
  const keysSeen = new Map<string, string>();
  const recipients = new Map<string, string>();
  r.participants.forEach((p, i) => {
    const q = checkParticipant(p, `${field}.participants[${i}]`);
    if (ids.has(q.id)) throw new InputError('roster.duplicate', `${field}.participants[${i}].id`, `"${q.id}" is listed twice`);
    const keyOf = keysSeen.get(q.signingKey);
    if (keyOf !== undefined) throw new InputError('roster.duplicate', `${field}.participants[${i}].signingKey`, `is the signing key of "${keyOf}" too: "${keyOf}" and "${q.id}" cannot share one identity (one identity per person)`);
    const recipientOf = recipients.get(q.ageRecipient);
    if (recipientOf !== undefined) throw new InputError('roster.duplicate', `${field}.participants[${i}].ageRecipient`, `is the age recipient of "${recipientOf}" too: "${recipientOf}" and "${q.id}" cannot share one identity (one identity per person)`);
    ids.add(q.id);
    keysSeen.set(q.signingKey, q.id);
    recipients.set(q.ageRecipient, q.id);
  });
  return bodyOf(r);
}

/** One participant's signature over a roster body. */
export function signRoster(provider: CryptoProvider, body: RosterBody, s: IdentitySecrets): { actor: string; sig: string } {
  checkRosterBody(body);
  const me = body.participants.find((p) => p.id === s.id);
  if (!me || me.signingKey !== toHex(provider.ed25519PublicKey(s.signingSeed)))
    throw new InputError('roster.signer', 'identity', `${s.id} is not in this roster with this key`);
  return { actor: s.id, sig: base64.encode(provider.ed25519Sign(s.signingSeed, message(body))) };
}

const byActor = (list: Signature[]) => [...list].sort((a, b) => (a.actor < b.actor ? -1 : 1));

export function assembleRoster(body: RosterBody, signatures: Signature[], endorsements?: Signature[]): Roster {
  return { ...bodyOf(body), signatures: byActor(signatures), ...(endorsements && { endorsements: byActor(endorsements) }) };
}

/** How many of a roster's participants must endorse its successor: a majority, at least two. */
export function successionQuorum(previous: RosterBody): number {
  return Math.max(2, Math.floor(previous.participants.length / 2) + 1);
}

/** A participant of the pinned (previous) roster endorses its successor's body. */
export function endorseRoster(provider: CryptoProvider, body: RosterBody, previous: VerifiedRoster, s: IdentitySecrets): Signature {
  checkRosterBody(body);
  if (body.previous !== previous.fingerprint) throw new InputError('roster.previous', 'roster.previous', 'must be the fingerprint of the roster whose participants endorse it');
  const me = previous.participant(s.id);
  if (!me || me.signingKey !== toHex(provider.ed25519PublicKey(s.signingSeed)))
    throw new InputError('roster.endorser', 'identity', `${s.id} is not in the previous roster with this key`);
  return { actor: s.id, sig: base64.encode(provider.ed25519Sign(s.signingSeed, concat(SUCCESSOR_LABEL, utf8(canonicalJson(bodyOf(body), 'roster'))))) };
}

/** A list of {actor, sig} signatures, strictly. */
function signatureList(v: unknown, field: string): Signature[] {
  if (!Array.isArray(v)) throw new InputError('roster.signatures', field, 'must be a list');
  return v.map((s, i) => {
    if (typeof s !== 'object' || s === null || Object.keys(s).sort().join() !== 'actor,sig' || typeof (s as Signature).actor !== 'string' || typeof (s as Signature).sig !== 'string')
      throw new InputError('roster.signature', `${field}[${i}]`, 'must be {"actor","sig"}');
    return s as Signature;
  });
}

function decodeSig(s: string, field: string): Uint8Array {
  try {
    return base64.decode(s);
  } catch (e) {
    throw new InputError('roster.signature', field, 'is not base64', { cause: e });
  }
}

export function rosterToText(r: Roster): string {
  return canonicalJson(r as unknown as Json, 'roster') + '\n';
}

export interface VerifiedRoster {
  roster: Roster;
  fingerprint: string;
  words: string[];
  /** Marked as made from an unattended enrollment file (rehearsals only). */
  rehearsal: boolean;
  publicKey(id: string): Uint8Array | undefined;
  participant(id: string): Participant | undefined;
}

/**
 * Verify a roster file: canonical, well-formed, signed by every participant it lists. This
 * proves self-consistency only; a door that trusts a roster calls `trustRoster`. If
 * `expectedWords` (read aloud or pinned in a plan) are given, the fingerprint must match.
 */
export function verifyRoster(provider: CryptoProvider, text: string, opts: { expectedWords?: string[] } = {}): VerifiedRoster {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new InputError('roster.text', 'roster', 'must be one line of canonical JSON ending in a newline');
  const value = parseCanonicalJson(text.slice(0, -1), 'roster');
  const body = checkRosterBody(value);
  const r = value as unknown as Roster;
  const signatures = signatureList(r.signatures, 'roster.signatures');
  if ('endorsements' in r) {
    signatureList(r.endorsements, 'roster.endorsements');
    if (body.previous === undefined) throw new InputError('roster.endorsements', 'roster.endorsements', 'are only for a roster that succeeds another (previous)');
  }
  const msg = message(body);
  const signed = new Set<string>();
  signatures.forEach((s, i) => {
    const f = `roster.signatures[${i}]`;
    const p = body.participants.find((q) => q.id === s.actor);
    if (!p) throw new VerifyError('roster.signer', `${f}.actor`, `"${s.actor}" is not a participant of this roster`);
    if (signed.has(s.actor)) throw new InputError('roster.signature', `${f}.actor`, `${s.actor} signed twice`);
    const sig = decodeSig(s.sig, `${f}.sig`);
    if (sig.length !== 64 || !provider.ed25519Verify(fromHex(p.signingKey), msg, sig))
      throw new VerifyError('roster.signature', `${f}.sig`, `is not a valid signature by ${s.actor}`);
    signed.add(s.actor);
  });
  const unsigned = body.participants.filter((p) => !signed.has(p.id)).map((p) => p.id);
  if (unsigned.length) throw new VerifyError('roster.unsigned', 'roster.signatures', `missing the signature of ${unsigned.join(', ')}`);
  const fp = rosterFingerprint(provider, body);
  const words = fingerprintWords(fp);
  // The actual words are not printed next to the expected ones: a person comparing would copy them.
  if (opts.expectedWords && opts.expectedWords.join(' ') !== words.join(' '))
    throw new VerifyError('roster.fingerprint', 'roster', 'its fingerprint words differ from the pinned ones: this is not the roster that was pinned');
  return verifiedView(r, fp);
}

function verifiedView(r: Roster, fp: Uint8Array): VerifiedRoster {
  const byId = new Map(r.participants.map((p) => [p.id, p]));
  return {
    roster: r,
    fingerprint: toHex(fp),
    words: fingerprintWords(fp),
    rehearsal: r.rehearsal === true,
    publicKey: (id) => (byId.has(id) ? fromHex(byId.get(id)!.signingKey) : undefined),
    participant: (id) => byId.get(id),
  };
}

/**
 * A roster being enrolled: its body is complete (so its fingerprint is final) but nobody has
 * signed it yet. The enrollment ceremony runs against it; nothing else may.
 */
export function draftRoster(provider: CryptoProvider, body: RosterBody): VerifiedRoster {
  const b = checkRosterBody(body);
  return verifiedView({ ...b, signatures: [] }, rosterFingerprint(provider, b));
}

/** How a door is told which roster to trust: its fingerprint as words or as SHA-256 hex. */
export type RosterPin = { words: string[] } | { sha256: string };

const WORDLIST = new Set(wordlist);

/** The eight fingerprint words of a roster as a person types them (any case, any spacing); an InputError naming `field` otherwise. */
export function parseRosterWords(text: string, field: string, code = 'roster.pin'): string[] {
  const w = text.trim().toLowerCase().split(/\s+/);
  if (w.length !== 8 || !w.every((x) => WORDLIST.has(x))) throw new InputError(code, field, 'must be the eight fingerprint words of the roster, as written at enrollment');
  return w;
}

function pinMatches(r: VerifiedRoster, pin: RosterPin): boolean {
  return 'words' in pin ? pin.words.join(' ') === r.words.join(' ') : pin.sha256.toLowerCase() === r.fingerprint;
}

export interface TrustedRoster extends VerifiedRoster {
  /** Fingerprints from this roster back to the pinned one (one entry: it is the pinned one). */
  chain: string[];
}

/**
 * The roster a door may trust: `text` verifies and is the pinned roster, or succeeds it through
 * `ancestors` (older roster files, any order), each link endorsed by a majority of the roster it
 * succeeds. Anything else is a VerifyError: a wrong pin never prints the actual words.
 */
export function trustRoster(provider: CryptoProvider, text: string, pin: RosterPin, ancestors: string[] = []): TrustedRoster {
  const current = verifyRoster(provider, text);
  const known = ancestors.map((t, i) => {
    try {
      return verifyRoster(provider, t);
    } catch (e) {
      if (e instanceof InputError || e instanceof VerifyError) throw new VerifyError(e.code, `previous roster ${i + 1}: ${e.field}`, e.detail, { cause: e });
      throw e;
    }
  });
  const chain = [current.fingerprint];
  let r = current;
  for (;;) {
    if (pinMatches(r, pin)) return { ...current, chain };
    const prev = r.roster.previous;
    if (prev === undefined)
      throw new VerifyError('roster.pin', 'roster', chain.length === 1 ? 'its fingerprint differs from the pinned one: this is not the roster that was pinned' : 'is linked to older rosters, but none of them is the pinned one');
    const parent = known.find((k) => k.fingerprint === prev);
    if (!parent)
      throw new VerifyError('roster.pin', 'roster', `is not the pinned roster; it succeeds roster ${prev.slice(0, 16)}…: give that roster file too (--previous-roster), or pin this roster anew`);
    if (chain.includes(parent.fingerprint)) throw new VerifyError('roster.pin', 'roster', 'its chain of previous rosters loops');
    checkSuccession(provider, r, parent);
    chain.push(parent.fingerprint);
    r = parent;
  }
}

/**
 * `successor` succeeds `previous`: it names it, it is of the same kind (rehearsal or real), and
 * it carries endorsements by distinct participants of `previous`, a majority of it, each in
 * force when the successor was made and each a valid signature.
 */
export function checkSuccession(provider: CryptoProvider, successor: VerifiedRoster, previous: VerifiedRoster): void {
  if (successor.roster.previous !== previous.fingerprint) throw new VerifyError('roster.previous', 'roster.previous', 'does not name this roster as the one it succeeds');
  const at = `roster ${successor.fingerprint.slice(0, 16)}…`;
  if (successor.rehearsal !== previous.rehearsal)
    throw new VerifyError('roster.rehearsal', `${at}.rehearsal`, 'a rehearsal roster and a real one never succeed each other');
  const msg = concat(SUCCESSOR_LABEL, utf8(canonicalJson(bodyOf(successor.roster), 'roster')));
  const seen = new Set<string>();
  (successor.roster.endorsements ?? []).forEach((e, i) => {
    const f = `${at}.endorsements[${i}]`;
    const p = previous.participant(e.actor);
    if (!p) throw new VerifyError('roster.endorser', `${f}.actor`, `"${e.actor}" is not a participant of the previous roster`);
    // An endorsement counts only from someone whose enrollment was in force when the new roster was made.
    if (successor.roster.created < p.enrolled || successor.roster.created >= p.expires)
      throw new VerifyError('roster.endorser', `${f}.actor`, `${e.actor}'s enrollment (${p.enrolled} to ${p.expires}) was not in force when this roster was made (${successor.roster.created})`);
    if (seen.has(e.actor)) throw new VerifyError('roster.endorser', `${f}.actor`, `${e.actor} endorsed twice`);
    const sig = decodeSig(e.sig, `${f}.sig`);
    if (sig.length !== 64 || !provider.ed25519Verify(fromHex(p.signingKey), msg, sig)) throw new VerifyError('roster.endorsement', `${f}.sig`, `is not a valid endorsement by ${e.actor}`);
    seen.add(e.actor);
  });
  const need = successionQuorum(previous.roster);
  if (seen.size < need)
    throw new VerifyError('roster.endorsements', `${at}.endorsements`, `${seen.size} of the previous roster's ${previous.roster.participants.length} participants endorsed this roster; ${need} must, or it must be pinned anew`);
}

export interface Assignment {
  operator: string;
  custodians?: string[];
  witnesses?: string[];
  /** Approvers of a dual-control request, and who requested it. */
  approvers?: string[];
  requester?: string;
  /** Roles that may operate (default: operator; a restore may be run by a DR officer). */
  operatorRoles?: Role[];
}

/**
 * Separation of duties, checked rather than assumed. Refusals are PolicyErrors naming the
 * rule and the person.
 */
export function checkSeparation(roster: VerifiedRoster, a: Assignment, now: Date): void {
  const need = (id: string, role: Role | Role[], as: string) => {
    const p = roster.participant(id);
    const roles = Array.isArray(role) ? role : [role];
    if (!p) throw new PolicyError('policy.unknown', as, `"${id}" is not in the roster`);
    if (new Date(p.expires) <= now) throw new PolicyError('policy.expired', as, `${id}'s enrollment expired on ${p.expires}`);
    if (new Date(p.enrolled) > now) throw new PolicyError('policy.not-yet', as, `${id}'s enrollment starts only on ${p.enrolled} (check the clock)`);
    if (!roles.some((r) => p.roles.includes(r))) throw new PolicyError('policy.role', as, `${id} is not enrolled as ${roles.join(' or ')}`);
  };
  need(a.operator, a.operatorRoles ?? 'operator', 'operator');
  const custodians = a.custodians ?? [];
  const witnesses = a.witnesses ?? [];
  custodians.forEach((c, i) => need(c, 'custodian', `custodians[${i}]`));
  witnesses.forEach((w, i) => need(w, 'witness', `witnesses[${i}]`));
  const dup = (list: string[]) => list.find((x, i) => list.indexOf(x) !== i);
  const twice = dup(custodians);
  if (twice) throw new PolicyError('policy.two-shares', 'custodians', `${twice} would hold two shares of one set`);
  const w2 = dup(witnesses);
  if (w2) throw new PolicyError('policy.duplicate', 'witnesses', `${w2} is listed twice as witness`);
  const both = custodians.find((c) => witnesses.includes(c));
  if (both) throw new PolicyError('policy.custodian-witness', 'witnesses', `${both} cannot be custodian and witness in the same ceremony`);
  if (witnesses.includes(a.operator)) throw new PolicyError('policy.operator-witness', 'witnesses', `${a.operator} operates this ceremony and cannot also witness it`);
  if (a.approvers) {
    a.approvers.forEach((x, i) => need(x, 'custodian', `approvers[${i}]`));
    const ap = dup(a.approvers);
    if (ap) throw new PolicyError('policy.same-approver', 'approvers', `${ap} cannot approve twice: approvals must come from distinct people`);
    if (a.requester && a.approvers.includes(a.requester))
      throw new PolicyError('policy.self-approval', 'approvers', `${a.requester} cannot approve their own request`);
  }
}
