/** An auditor's check of quorum and dual-control ceremonies, beyond the signatures. */
import { describe, expect, it } from 'vitest';
import { checkCeremonyTranscript } from '../../../src/core/ceremony/verify';
import { seededRng } from '../../../src/core/crypto/random';
import { ATTEST, newChain, signEvent, verifyTranscript, type ChainState } from '../../../src/core/transcript/transcript';
import type { Json } from '../../../src/core/transcript/canonical';
import { nativeProvider as provider } from '../../../src/node/native-provider';
import { makeRoster } from '../../helpers/roster';

const { ids, verified } = makeRoster('verify kinds');

/** A closed transcript of the given events (actor, type, data), opened by oscar and attested by wendy and oscar. */
function transcript(open: { [k: string]: Json }, steps: [string, string, { [k: string]: Json }][]): string {
  let chain: ChainState = newChain(seededRng('kinds'));
  let t = Date.parse('2026-11-28T10:00:00.000Z');
  let text = '';
  const add = (actor: string, type: string, data: { [k: string]: Json }) => {
    const r = signEvent({ provider, clock: () => new Date((t += 1000)) }, chain, { actor, signerSeed: ids.get(actor)!.signingSeed, type, data });
    text += r.line;
    chain = r.state;
  };
  add('oscar', 'ceremony.open', { kind: 'export-bundle', name: 'x', roster: verified.fingerprint, operator: 'oscar', witnesses: ['wendy'], rehearsal: true, ...open });
  for (const [a, type, d] of steps) add(a, type, d);
  const head = chain.head;
  add('wendy', ATTEST, { head });
  add('oscar', ATTEST, { head });
  return text;
}
const check = (text: string) => checkCeremonyTranscript(verifyTranscript(provider, text, { publicKey: verified.publicKey }), verified);
const quorum: [string, string, { [k: string]: Json }][] = [
  ['alice', 'quorum.share', { custodian: 'alice', setId: 'ab'.repeat(16), index: 1 }],
  ['bob', 'quorum.share', { custodian: 'bob', setId: 'ab'.repeat(16), index: 2 }],
  ['oscar', 'quorum.unlocked', { setId: 'ab'.repeat(16), keyId: 'cd'.repeat(16), kcv: 'cmac-aes:000000', custodians: ['alice', 'bob'] }],
];
const open = { quorum: ['alice', 'bob'], approvers: ['dave', 'erin'] };

describe('verifying quorum and dual-control transcripts', () => {
  it('accepts a quorum and two approvals by the named approvers', () => {
    const t = transcript(open, [...quorum, ['dave', 'bundle.approved', { approver: 'dave' }], ['erin', 'bundle.approved', { approver: 'erin' }]]);
    expect(check(t)).toMatchObject({ kind: 'export-bundle', operator: 'oscar' });
  });
  it('refuses a missing approval, an approval by someone else, and a missing quorum', () => {
    expect(() => check(transcript(open, [...quorum, ['dave', 'bundle.approved', { approver: 'dave' }]]))).toThrowError(/^transcript: has no bundle\.approved signed by erin/);
    expect(() => check(transcript(open, [...quorum, ['dave', 'bundle.approved', { approver: 'dave' }], ['erin', 'bundle.approved', { approver: 'erin' }], ['carol', 'bundle.approved', { approver: 'carol' }]]))).toThrowError(
      /^transcript: records a bundle\.approved by someone who is not an approver/,
    );
    expect(() => check(transcript(open, [['dave', 'bundle.approved', { approver: 'dave' }], ['erin', 'bundle.approved', { approver: 'erin' }]]))).toThrowError(/^transcript: this export-bundle ceremony must record the quorum/);
  });
  it('refuses a share step by someone outside the quorum, and approvers that are the operator', () => {
    const intruder: [string, string, { [k: string]: Json }] = ['carol', 'quorum.share', { custodian: 'carol', setId: 'ab'.repeat(16), index: 3 }];
    expect(() => check(transcript(open, [intruder, ...quorum, ['dave', 'bundle.approved', { approver: 'dave' }], ['erin', 'bundle.approved', { approver: 'erin' }]]))).toThrowError(/carol is not in the quorum/);
    expect(() => check(transcript({ ...open, approvers: ['dave', 'oscar'] }, [...quorum]))).toThrowError(/^transcript\.line\[1\]\.data\.approvers: a dual-control ceremony names two distinct approvers other than the operator/);
  });
});
