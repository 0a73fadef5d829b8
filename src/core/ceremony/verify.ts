/**
 * What a closed ceremony transcript must contain, beyond a valid chain of valid signatures:
 * it opens with the operator named in it, under the roster it names; every step of its kind
 * is there, done by the right person; and it closes with exactly the witnesses it listed,
 * then the operator. An auditor's `custos verify transcript` runs this.
 */
import { VerifyError } from '../errors';
import type { VerifiedRoster, Role } from '../roster/roster';
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
  if (!isStringList(d.witnesses)) throw fail('transcript.open', 'transcript.line[1].data', 'must list the witnesses');
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
    return common;
  }
  // The steps of a generate ceremony, each exactly once, by the right person, in order.
  const body = ev.slice(1, ev.length - attesters.length).filter((e) => e.type !== 'ceremony.resumed' && e.type !== 'deviation.countersigned');
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
    const used = closed[unlock]!.data.custodians;
    if (!isStringList(used) || used.some((c) => !closed.some((e) => e.type === 'quorum.share' && e.actor === c)))
      throw fail('transcript.quorum', `transcript.line[${unlock + 1}].data.custodians`, 'names a custodian whose share step is not recorded');
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
