/**
 * The one rule for whether a transcript is a valid ceremony, beyond a valid chain of valid
 * signatures. The auditor's `custos verify transcript` and the vault both apply it; the vault
 * ignores (and reports) any transcript that fails it, so nothing a single person can write
 * (a revocation, a retirement, a share set) changes what the vault knows.
 *
 *  - its kind is known and it opens with the operator named in it, under the roster given;
 *  - the people it names are in the roster with the roles they act in, and the separation of
 *    duties holds: custodians distinct, no custodian or approver as witness, the operator
 *    neither witness nor approver, two distinct approvers where approvals are needed;
 *  - every step its kind requires is there, in order, and nothing that is not a step of its
 *    kind; effects are recorded by the operator, personal steps by the person;
 *  - every event's actor was within their enrollment dates when they signed it;
 *  - it closes with exactly the witnesses it listed, then the operator.
 */
import { PolicyError, VerifyError } from '../errors';
import { checkSeparation, type VerifiedRoster, type Role } from '../roster/roster';
import type { SignedEvent, TranscriptReport } from '../transcript/transcript';

export interface CeremonySummary {
  ceremony: string;
  kind: string;
  name: string;
  rehearsal: boolean;
  operator: string;
  witnesses: string[];
  custodians: string[];
  keyId?: string;
  kcv?: string;
  setId?: string;
  threshold?: number;
  count?: number;
  /** Interruptions recorded and countersigned. */
  deviations: number;
  closingHead: string;
  closingWords: string[];
}

const fail = (code: string, field: string, message: string) => new VerifyError(code, field, message);
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

const COMMON = ['ceremony.open', 'ceremony.resumed', 'deviation.countersigned', 'attempt.failed', 'attest'];
const QUORUM_EVENTS = ['quorum.share', 'quorum.share-refused', 'quorum.unlocked'];
const ISSUE = ['shares.split', 'share.issued', 'share.verified'];
/** Steps each kind must record, each list in this order (generate is checked step by step below). */
const STEPS: Record<string, string[][]> = {
  generate: [['key.generated', 'shares.split', 'inventory.written', 'share.issued', 'share.verified']],
  'add-key': [['quorum.unlocked', 'inventory.written', 'key.added']],
  'change-state': [['quorum.unlocked', 'inventory.written', 'key.state-changed']],
  'export-bundle': [['quorum.unlocked', 'bundle.written'], ['bundle.approved', 'bundle.approved', 'bundle.written']],
  escrow: [['quorum.unlocked', 'escrow.written'], ['escrow.approved', 'escrow.approved', 'escrow.written']],
  backup: [['backup.approved', 'backup.approved', 'backup.written']],
  restore: [['backup.verified', 'restore.files', 'inventory.restored'], ['quorum.unlocked', 'inventory.restored']],
  reshare: [['quorum.unlocked', ...ISSUE, 'shares.revoked']],
  rotate: [['quorum.unlocked', 'key.generated', 'shares.split', 'inventory.written', 'share.issued', 'share.verified', 'shares.revoked', 'master.retired']],
  'confirm-import': [['import.confirmed']],
  enroll: [['participant.enrolled', 'roster.written']],
};
/** Steps a person signs for themselves; every other event is the operator's record. */
const PERSONAL = new Set(['participant.enrolled', 'quorum.share', 'quorum.share-refused', 'share.issued', 'share.verified', 'bundle.approved', 'escrow.approved', 'backup.approved', 'deviation.countersigned', 'attest']);

/** Events of kinds, types and actors only the engine writes; the required steps in order; revocations of the very set the quorum unlocked. */
function checkSteps(ev: SignedEvent[], kind: string, operator: string): void {
  const steps = STEPS[kind]!;
  const quorumKind = QUORUM_KINDS.includes(kind);
  const allowed = new Set([...COMMON, ...(quorumKind ? QUORUM_EVENTS : []), ...steps.flat()]);
  ev.forEach((e, i) => {
    if (!allowed.has(e.type)) throw fail('transcript.step', `transcript.line[${i + 1}].type`, `${e.type} is not a step of a ${kind} ceremony`);
    if (!PERSONAL.has(e.type) && e.actor !== operator) throw fail('transcript.step', `transcript.line[${i + 1}].actor`, `${e.type} is recorded by the operator (${operator}), not ${e.actor}`);
  });
  // generate's order is checked step by step, with the person of each step, by the caller.
  for (const list of kind === 'generate' ? [] : steps) {
    let k = 0;
    for (const e of ev) if (e.type === list[k]) k++;
    if (k < list.length) throw fail('transcript.step', 'transcript', `a ${kind} ceremony records ${list.join(', then ')}; ${list[k]} is missing${k ? ` after ${list[k - 1]}` : ''}`);
  }
  const once = (type: string) => {
    const all = ev.filter((e) => e.type === type);
    if (all.length > 1) throw fail('transcript.step', 'transcript', `records ${type} ${all.length} times`);
    return all[0];
  };
  ev.forEach((e, i) => {
    if (['share.issued', 'share.verified', 'quorum.share', 'quorum.share-refused'].includes(e.type) && e.data.custodian !== e.actor)
      throw fail('transcript.step', `transcript.line[${i + 1}]`, `${e.type} is signed by ${e.actor} for ${String(e.data.custodian)}: each custodian signs their own`);
  });
  if (kind === 'reshare' || kind === 'rotate') checkIssue(ev, 'transcript');
  if (kind === 'enroll') {
    // Every participant of the roster proved their keys and signed it, themselves, once.
    const enrolled = ev.filter((e) => e.type === 'participant.enrolled');
    enrolled.forEach((e) => {
      if (e.data.id !== e.actor) throw fail('transcript.enroll', 'transcript', `${e.actor} recorded the enrollment of ${String(e.data.id)}`);
    });
    const ids = enrolled.map((e) => e.actor);
    const expected = isStringList(ev[0]!.data.participants) ? ev[0]!.data.participants : [];
    if (ids.join() !== expected.join()) throw fail('transcript.enroll', 'transcript', `records the enrollment of ${ids.join(', ')}; the ceremony opened with ${expected.join(', ')}`);
    once('roster.written');
  }
  if (quorumKind) {
    const unlocked = once('quorum.unlocked')!;
    const revoked = once('shares.revoked');
    if (revoked && revoked.data.setId !== unlocked.data.setId) throw fail('transcript.revoked', 'transcript', 'revokes another share set than the one its quorum brought');
    const retired = once('master.retired');
    if (retired && retired.data.keyId !== unlocked.data.keyId) throw fail('transcript.retired', 'transcript', 'retires another master key than the one its quorum unlocked');
  }
}

/** A new set (reshare, rotate): split among exactly the custodians opened with, each share issued to and re-opened by its own custodian, in order. */
function checkIssue(ev: SignedEvent[], field: string): void {
  const custodians = isStringList(ev[0]!.data.custodians) ? ev[0]!.data.custodians : [];
  const split = ev.find((e) => e.type === 'shares.split')!;
  if (!isStringList(split.data.custodians) || split.data.custodians.join() !== custodians.join() || custodians.length < 2)
    throw fail('transcript.split', field, 'the new set is split among other custodians than the ceremony opened with');
  for (const step of ['share.issued', 'share.verified'])
    custodians.forEach((c, i) => {
      const mine = ev.filter((e) => e.type === step && e.data.custodian === c && e.data.setId === split.data.setId);
      if (mine.length !== 1 || mine[0]!.actor !== c || mine[0]!.data.index !== i + 1) throw fail('transcript.share', field, `must record ${step} of share ${i + 1} of set ${String(split.data.setId)} by ${c}, once`);
    });
}

/** Every signer was enrolled, and not expired, when they signed. */
function checkEnrollmentDates(ev: SignedEvent[], roster: VerifiedRoster): void {
  ev.forEach((e, i) => {
    const p = roster.participant(e.actor);
    if (!p) throw fail('transcript.unknown', `transcript.line[${i + 1}].actor`, `"${e.actor}" is not in the roster`);
    if (e.time < p.enrolled || e.time >= p.expires) throw fail('transcript.enrollment', `transcript.line[${i + 1}]`, `${e.actor} signed at ${e.time}, outside their enrollment (${p.enrolled} to ${p.expires})`);
  });
}

/** The separation of duties of the people the opening names, as at the time it was opened. */
function checkOpeningDuties(open: SignedEvent, roster: VerifiedRoster): void {
  const d = open.data;
  const list = (v: unknown) => (isStringList(v) ? v : []);
  const quorum = list(d.quorum);
  const dupQ = quorum.find((x, i) => quorum.indexOf(x) !== i);
  if (dupQ) throw fail('transcript.duties', 'transcript.line[1].data.quorum', `${dupQ} is listed twice in the quorum`);
  const issued = list(d.custodians);
  const dupC = issued.find((x, i) => issued.indexOf(x) !== i);
  if (dupC) throw fail('transcript.duties', 'transcript.line[1].data.custodians', `${dupC} would hold two shares of one set`);
  const approvers = isStringList(d.approvers) ? d.approvers : undefined;
  try {
    checkSeparation(
      roster,
      {
        operator: String(d.operator),
        custodians: [...new Set([...quorum, ...issued])],
        witnesses: list(d.witnesses),
        ...(approvers && { approvers, requester: String(d.operator) }),
        ...(d.kind === 'restore' && { operatorRoles: ['operator', 'dr-officer'] as Role[] }),
      },
      new Date(open.time),
    );
  } catch (e) {
    if (e instanceof PolicyError) throw fail('transcript.duties', `transcript.line[1].data.${e.field}`, e.detail);
    throw e;
  }
  const witnesses = list(d.witnesses);
  const both = approvers?.find((a) => witnesses.includes(a));
  if (both) throw fail('transcript.duties', 'transcript.line[1].data.approvers', `${both} cannot approve and witness the same ceremony`);
}

export function checkCeremonyTranscript(report: TranscriptReport, roster: VerifiedRoster): CeremonySummary {
  const ev = report.events;
  const open = ev[0]!;
  const role = (id: string, r: Role, field: string) => {
    if (!roster.participant(id)?.roles.includes(r)) throw fail('transcript.role', field, `${id} is not enrolled as ${r}`);
  };
  if (open.type !== 'ceremony.open') throw fail('transcript.open', 'transcript.line[1].type', 'the first event must open the ceremony');
  const d = open.data;
  if (d.roster !== roster.fingerprint) throw fail('transcript.roster', 'transcript.line[1].data.roster', 'names another roster than the one given: verify against the roster the ceremony used');
  if (typeof d.operator !== 'string' || open.actor !== d.operator) throw fail('transcript.operator', 'transcript.line[1].actor', 'the ceremony must be opened by the operator it names');
  if (d.kind !== 'restore') role(open.actor, 'operator', 'transcript.line[1].actor');
  else if (!roster.participant(open.actor)?.roles.some((r) => r === 'operator' || r === 'dr-officer')) throw fail('transcript.role', 'transcript.line[1].actor', `${open.actor} is not enrolled as operator or dr-officer`);
  if (!isStringList(d.witnesses) || d.witnesses.length === 0) throw fail('transcript.open', 'transcript.line[1].data.witnesses', 'must list the witnesses: a ceremony is witnessed');
  if (typeof d.kind !== 'string' || !(d.kind in STEPS)) throw fail('transcript.kind', 'transcript.line[1].data.kind', `${String(d.kind)} is not a kind of ceremony`);
  checkOpeningDuties(open, roster);
  checkEnrollmentDates(ev, roster);
  const custodians = isStringList(d.custodians) ? d.custodians : [];
  const witnesses = d.witnesses;
  const operator = d.operator;

  const last = ev.at(-1)!;
  if (!report.closing) {
    if (last.type === 'ceremony.aborted')
      throw fail('transcript.aborted', `transcript.line[${ev.length}]`, `records an aborted ceremony (${String(last.data.code)} at ${String(last.data.field)}): nothing it issued may be used`);
    throw fail('transcript.unclosed', 'transcript', `has no closing attestations: the ceremony did not finish (${ev.length} events)`);
  }
  const attesters = report.closing.attestations.map((a) => a.actor);
  const expected = [...witnesses, operator];
  if (attesters.join() !== expected.join())
    throw fail('transcript.attestations', 'transcript.closing', `is attested by ${attesters.join(', ')}; the ceremony needs ${expected.join(', ')}, in that order`);
  witnesses.forEach((w, i) => role(w, 'witness', `transcript.line[1].data.witnesses[${i}]`));

  // Every interruption is recorded by the operator and countersigned by the first witness.
  let deviations = 0;
  ev.forEach((e, i) => {
    if (e.type !== 'ceremony.resumed') return;
    deviations++;
    const c = ev[i + 1];
    if (e.actor !== operator || !c || c.type !== 'deviation.countersigned' || c.actor !== witnesses[0] || c.data.event !== e.seq)
      throw fail('transcript.deviation', `transcript.line[${i + 1}]`, 'an interruption must be recorded by the operator and countersigned by the first witness');
  });
  const common = {
    ceremony: report.ceremony,
    kind: String(d.kind),
    name: String(d.name),
    rehearsal: d.rehearsal === true,
    operator,
    witnesses,
    custodians,
    deviations,
    closingHead: report.closing.head,
    closingWords: report.closing.words,
  };
  if (d.kind !== 'generate') {
    checkQuorumAndApprovals(ev, d, roster);
    checkSteps(ev, String(d.kind), operator);
    return common;
  }
  checkSteps(ev, 'generate', operator);
  // The steps of a generate ceremony, each exactly once, by the right person, in order.
  const body = ev.slice(1, ev.length - attesters.length).filter((e) => !['ceremony.resumed', 'deviation.countersigned', 'attempt.failed'].includes(e.type));
  const at = (i: number) => `transcript.line[${i + 2}]`;
  let k = 0;
  const next = (type: string, actor: string): SignedEvent => {
    const e = body[k];
    if (!e || e.type !== type || e.actor !== actor) throw fail('transcript.step', e ? at(k) : 'transcript', `expected ${type} by ${actor}${e ? `, found ${e.type} by ${e.actor}` : ''}`);
    k++;
    return e;
  };
  const gen = next('key.generated', operator);
  const split = next('shares.split', operator);
  const sd = split.data;
  next('inventory.written', operator);
  if (!isStringList(sd.custodians) || sd.custodians.join() !== custodians.join()) throw fail('transcript.split', `${at(1)}.data.custodians`, 'differ from the custodians the ceremony opened with');
  if (sd.keyId !== gen.data.keyId || sd.kcv !== gen.data.kcv) throw fail('transcript.split', `${at(1)}.data`, 'names another key than the one generated');
  custodians.forEach((c, i) => role(c, 'custodian', `transcript.line[1].data.custodians[${i}]`));
  for (const step of ['share.issued', 'share.verified'])
    custodians.forEach((c, i) => {
      const e = next(step, c);
      if (e.data.custodian !== c || e.data.index !== i + 1 || e.data.setId !== sd.setId) throw fail('transcript.share', `${at(k - 1)}.data`, `must record share ${i + 1} of set ${String(sd.setId)} for ${c}`);
    });
  if (k !== body.length) throw fail('transcript.step', at(k), `unexpected ${body[k]!.type} by ${body[k]!.actor}`);
  return {
    ...common,
    keyId: String(sd.keyId),
    kcv: String(sd.kcv),
    setId: String(sd.setId),
    threshold: Number(sd.threshold),
    count: Number(sd.count),
  };
}

const QUORUM_KINDS = ['add-key', 'change-state', 'export-bundle', 'escrow', 'restore', 'reshare', 'rotate'];
const APPROVAL_EVENT: Record<string, string> = { 'export-bundle': 'bundle.approved', escrow: 'escrow.approved', backup: 'backup.approved' };

/**
 * Ceremonies that need the master key record a quorum: each share step signed by a custodian
 * of the opening's quorum, then the unlock by the operator. Dual-control ceremonies record one
 * approval by each named approver, custodians distinct from each other and from the operator.
 */
function checkQuorumAndApprovals(ev: SignedEvent[], d: SignedEvent['data'], roster: VerifiedRoster): void {
  const kind = String(d.kind);
  const closed = ev.filter((e) => e.type !== 'attest');
  if (QUORUM_KINDS.includes(kind)) {
    const quorum = isStringList(d.quorum) ? d.quorum : [];
    const unlock = closed.findIndex((e) => e.type === 'quorum.unlocked');
    if (unlock < 0) throw fail('transcript.quorum', 'transcript', `this ${kind} ceremony must record the quorum that unlocked the master key`);
    if (closed[unlock]!.actor !== d.operator) throw fail('transcript.quorum', `transcript.line[${unlock + 1}].actor`, 'the unlock is recorded by the operator');
    closed.forEach((e, i) => {
      if ((e.type === 'quorum.share' || e.type === 'quorum.share-refused') && (!quorum.includes(e.actor) || e.data.custodian !== e.actor))
        throw fail('transcript.quorum', `transcript.line[${i + 1}]`, `${e.actor} is not in the quorum the ceremony opened with`);
    });
    const u = closed[unlock]!.data;
    const used = u.custodians;
    // At least two distinct members of the quorum, each with their own share step of the set unlocked
    // (the vault further checks they reach the set's threshold and are its custodians).
    if (!isStringList(used) || used.length < 2 || new Set(used).size !== used.length || used.some((c) => !quorum.includes(c)))
      throw fail('transcript.quorum', `transcript.line[${unlock + 1}].data.custodians`, 'must name at least two distinct custodians of the quorum');
    if (used.some((c) => !closed.some((e) => e.type === 'quorum.share' && e.actor === c && e.data.setId === u.setId)))
      throw fail('transcript.quorum', `transcript.line[${unlock + 1}].data.custodians`, 'names a custodian whose share step of this set is not recorded');
  }
  const approval = APPROVAL_EVENT[kind];
  if (approval) {
    const approvers = isStringList(d.approvers) ? d.approvers : [];
    if (approvers.length !== 2 || approvers[0] === approvers[1] || approvers.includes(String(d.operator)))
      throw fail('transcript.approvers', 'transcript.line[1].data.approvers', 'a dual-control ceremony names two distinct approvers other than the operator');
    for (const a of approvers) {
      if (!roster.participant(a)?.roles.includes('custodian')) throw fail('transcript.role', 'transcript.line[1].data.approvers', `${a} is not enrolled as custodian`);
      if (!closed.some((e) => e.type === approval && e.actor === a && e.data.approver === a)) throw fail('transcript.approval', 'transcript', `has no ${approval} signed by ${a}`);
    }
    if (closed.some((e) => e.type === approval && !approvers.includes(e.actor))) throw fail('transcript.approval', 'transcript', `records a ${approval} by someone who is not an approver`);
  }
}
