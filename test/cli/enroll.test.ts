/**
 * The enrollment ceremony through the CLI: each person makes their own identity at the
 * terminal (or brings a request made on their own machine), proves their keys, and signs; the
 * roster's words go on paper; renewing the pinned roster needs a majority of it.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planTemplate } from '../../src/core/plan/templates';
import { verifyRoster } from '../../src/core/roster/roster';
import { nativeProvider as provider } from '../../src/node/native-provider';
import { parsePlan } from '../../src/core/plan/schema';
import { verifyTranscript } from '../../src/core/transcript/transcript';
import { describeSteps, progress, stepOf } from '../../src/core/ceremony/steps';
import { custos, custosTyping, enrollmentCeremony, PEOPLE, typing, withoutPaperMedium } from '../helpers/lifecycle';

const dir = mkdtempSync(join(tmpdir(), 'custos-enroll-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
const FIVE = PEOPLE.filter(([id]) => ['oscar', 'wendy', 'alice', 'bob', 'carol'].includes(id));
let first: Awaited<ReturnType<typeof enrollmentCeremony>>;

/** An enrollment plan of `participants` (YAML flow lines), written to dir. */
function enrollPlan(name: string, participants: string[], extra = '') {
  for (const d of [`out-${name}`, 'vault']) mkdirSync(at(d), { recursive: true });
  const text =
    planTemplate('enroll')
      .replace(/^participants:\n(?: {2}- .*\n)+/m, 'participants:\n' + participants.map((p) => `  - ${p}\n`).join(''))
      .replace('directory: /media/ceremony', `directory: out-${name}`)
      .replace('vault: /var/lib/custos/vault', 'vault: vault')
      .replace('transcript: enroll-2026.jsonl', `transcript: ${name}.jsonl`)
      .replace('airgap: strict', 'airgap: warn') + extra;
  writeFileSync(at(`${name}.yaml`), text);
  return at(`${name}.yaml`);
}

/** A plan of `kind` under the roster of `out-<rosterDir>`, in the vault. */
function planUnder(name: string, kind: string, rosterDir: string, words: string, edit: (t: string) => string) {
  mkdirSync(at(`out-${name}`), { recursive: true });
  const text = withoutPaperMedium(edit(
    planTemplate(kind)
      .replace('"REPLACE WITH THE EIGHT ROSTER FINGERPRINT WORDS READ ALOUD AT ENROLLMENT"', `"${words}"`)
      .replace('file: roster.json', `file: ${rosterDir}/roster.json`)
      .replace('directory: /media/ceremony', `directory: out-${name}`)
      .replace('vault: /var/lib/custos/vault', 'vault: vault')
      .replace('airgap: strict', 'airgap: warn')
      .replace(/^transcript: \S+/m, `transcript: ${name}.jsonl`),
  ));
  writeFileSync(at(`${name}.yaml`), text);
  return at(`${name}.yaml`);
}

beforeAll(async () => {
  first = await enrollmentCeremony(dir, FIVE, { idsDir: 'ids', out: 'out-first', vault: 'vault' });
  // A master key made under the first roster.
  const gen = planUnder('generate', 'generate', 'out-first', first.words, (t) =>
    t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]').replace('forms: [file, paper]', 'forms: [file]'),
  );
  const r = await custosTyping(typing(dir, {}, 'ids'), 'run', gen);
  if (r.code !== 0) throw new Error(r.err + r.out);
}, 180_000);

describe('the enrollment ceremony', { timeout: 180_000 }, () => {
  it('each person chooses their own passphrase and medium; each proves their keys and signs; the transcript verifies against the pinned roster', async () => {
    // Each was asked for their own passphrase (twice) and their own medium, in turn, then to unlock and sign.
    const chose = first.asked.filter((q) => /choose the passphrase of your identity/.test(q)).map((q) => q.split(':')[0]);
    expect(chose).toEqual(FIVE.map(([id]) => id));
    expect(first.asked.filter((q) => /the folder on your own medium/.test(q))).toHaveLength(5);
    expect(readdirSync(at('ids')).sort()).toEqual(FIVE.map(([id]) => `${id}.identity.age`).sort());
    const roster = verifyRoster(provider, readFileSync(first.roster, 'utf8'));
    expect(roster.rehearsal).toBe(false);
    expect(roster.words.join(' ')).toBe(first.words);
    // The enrollment followed its script: every signature step in order, then the roster, then the attestations.
    const plan = parsePlan(readFileSync(at('out-first.enroll.yaml'), 'utf8'));
    const steps = describeSteps(plan, roster);
    const recorded = verifyTranscript(provider, readFileSync(first.transcript, 'utf8'), { publicKey: roster.publicKey }).events;
    const order = recorded.map((e) => stepOf(steps, e)).filter((x) => x !== undefined).map((x) => steps.indexOf(x));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(steps.filter((x) => x.recordedBy).every((x) => order.includes(steps.indexOf(x)))).toBe(true);
    expect(progress(steps, recorded).current).toBeUndefined();
    expect(roster.roster.signatures.map((s) => s.actor).sort()).toEqual(FIVE.map(([id]) => id).sort());
    const v = await custos('verify', 'transcript', first.transcript, '--roster', first.roster, '--roster-words', first.words, '--json');
    expect(v.code, v.err).toBe(0);
    expect(JSON.parse(v.out)).toMatchObject({ kind: 'enroll', attestedBy: ['wendy', 'oscar'] });
    // Each participant's own event records where their identity went and their proof of the age key; no passphrase anywhere.
    const transcript = readFileSync(first.transcript, 'utf8');
    const events = transcript.trim().split('\n').map((l) => JSON.parse(l) as { actor: string; type: string; data: Record<string, unknown> });
    const enrolled = events.filter((e) => e.type === 'participant.enrolled');
    expect(enrolled.map((e) => [e.actor, e.data.source])).toEqual(FIVE.map(([id]) => [id, 'created']));
    expect(enrolled[0]!.data).toMatchObject({ identityFile: { location: at('ids', 'oscar.identity.age'), sha256: expect.stringMatching(/^[0-9a-f]{64}$/) }, possession: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(transcript).not.toMatch(/identity passphrase/);
    // The roster is real: a real ceremony may use it.
    const check = await custos('plan', 'check', enrollPlan('again', ['{ id: oscar, name: "O", roles: [operator] }', '{ id: wendy, name: "W", roles: [witness] }']), '--json');
    expect(check.code, check.err).toBe(0);
  });

  it('someone with keys made elsewhere brings a signed request; a request altered on the way is refused before anyone types anything', async () => {
    mkdirSync(at('dave-usb'));
    const t = typing(dir, {}, 'dave-usb');
    const req = await custosTyping(t, 'identity', 'request', '--id', 'dave', '--name', 'Dave Custodian', '--out', at('dave-usb'), '--json');
    expect(req.code, req.err).toBe(0);
    expect(t.asked).toEqual(['dave: choose the passphrase of your identity (only you know it; at least 12 characters): ', 'dave: type it again: ']);
    writeFileSync(at('dave.request.json'), readFileSync(at('dave-usb', 'dave.request.json')));
    const people = ['{ id: oscar, name: "Oscar Operator", roles: [operator] }', '{ id: wendy, name: "Wendy Witness", roles: [witness] }', '{ id: dave, name: "Dave Custodian", roles: [custodian], request: dave.request.json }'];
    // Altered: refused (exit 1) with nothing asked and nothing written.
    writeFileSync(at('forged.request.json'), readFileSync(at('dave.request.json'), 'utf8').replace('"name":"Dave Custodian"', '"name":"Dave Custodiam"'));
    const forgedPlan = enrollPlan('forged', people.map((p) => p.replace('dave.request.json', 'forged.request.json')));
    const ft = typing(dir, {}, 'ids-forged');
    const forged = await custosTyping(ft, 'run', forgedPlan);
    expect(forged).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.participants\[2\]\.request\.sig: is not a signature by the key the request carries/) });
    expect(ft.asked).toEqual([]);
    expect(readdirSync(at('out-forged'))).toEqual([]);
    // Genuine: oscar and wendy make identities here; dave unlocks the identity he made at home.
    mkdirSync(at('ids-req'));
    const terminal = typing(dir, {}, 'ids-req');
    const withDave = (q: string, f: string, s: boolean) => (q.startsWith('dave: path of your identity file') ? at('dave-usb', 'dave.identity.age') : terminal(q, f, s));
    const r = await custosTyping(withDave, 'run', enrollPlan('with-request', people), '--json');
    expect(r.code, r.err + r.out).toBe(0);
    expect(terminal.asked.some((q) => q.startsWith('dave: choose the passphrase'))).toBe(false);
    const roster = verifyRoster(provider, readFileSync(at('out-with-request', 'roster.json'), 'utf8'));
    const request = JSON.parse(readFileSync(at('dave.request.json'), 'utf8')).request as { signingKey: string; ageRecipient: string };
    expect(roster.participant('dave')).toMatchObject({ signingKey: request.signingKey, ageRecipient: request.ageRecipient });
  });

  it('renewing the pinned roster: the continuing majority endorses it, and every door trusts it through the old pin', async () => {
    // erin joins; the five keep their keys.
    mkdirSync(at('ids-renew'));
    const keep = FIVE.map(([id, name, role]) => `{ id: ${id}, name: "${name}", roles: [${role}], keep: true }`);
    const previous = `previous:\n  file: out-first/roster.json\n  fingerprint: "${first.words}"\n`;
    const plan = enrollPlan('renew', [...keep, '{ id: erin, name: "Erin Custodian", roles: [custodian] }'], previous);
    const terminal = typing(dir, {}, 'ids');
    const erinsUsb = (q: string, f: string, s: boolean) => (q.startsWith('erin: the folder on your own medium') ? at('ids-renew') : q.startsWith('erin: path of your identity') ? at('ids-renew', 'erin.identity.age') : terminal(q, f, s));
    const renew = await custosTyping(erinsUsb, 'run', plan, '--json');
    expect(renew.code, renew.err + renew.out).toBe(0);
    const next = at('out-renew', 'roster.json');
    const r = verifyRoster(provider, readFileSync(next, 'utf8'));
    expect(r.roster.previous).toBe(verifyRoster(provider, readFileSync(first.roster, 'utf8')).fingerprint);
    expect(r.roster.endorsements?.map((e) => e.actor).sort()).toEqual(FIVE.map(([id]) => id).sort());
    // The old words still open the door, with the old roster given; without it, the door says what to give.
    const t = at('vault', 'renew.jsonl');
    expect((await custos('verify', 'transcript', t, '--roster', next, '--roster-words', first.words, '--previous-roster', first.roster)).code).toBe(0);
    expect(await custos('verify', 'transcript', t, '--roster', next, '--roster-words', first.words)).toMatchObject({ code: 1, err: expect.stringMatching(/give that roster file too \(--previous-roster\), or pin this roster anew/) });
    // The vault keeps both rosters, and the key made under the first is used under the renewed one.
    expect(readdirSync(at('vault'))).toEqual(expect.arrayContaining([first.result.roster, r.fingerprint].map((f) => `roster-${f}.json`)));
    const add = planUnder('add-after-renewal', 'add-key', 'out-renew', r.words.join(' '), (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('"vsphere-kek-2026"', 'kek-renewed'));
    const shares = { alice: 'out-generate/alice.share.age', bob: 'out-generate/bob.share.age' };
    const added = await custosTyping(typing(dir, shares, 'ids'), 'run', add);
    expect(added.code, added.err).toBe(0);
    expect(added.out).not.toMatch(/(generate|enroll-2026|renew)\.jsonl is ignored/); // only the unrelated with-request enrollment is
    // Too few of the pinned roster continue: refused before anyone is asked.
    const few = enrollPlan('few', [...keep.filter((p) => /id: (oscar|wendy),/.test(p)), '{ id: frank, name: "Frank", roles: [custodian] }'], previous);
    const ft = typing(dir, {}, 'ids-few');
    const refused = await custosTyping(ft, 'run', few);
    expect(refused).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.participants: 2 of the previous roster's 5 participants continue; 3 must/) });
    expect(ft.asked).toEqual([]);
  });

  it('the unattended enrollment file makes a REHEARSAL roster, and says so', async () => {
    mkdirSync(at('drill-ids'));
    writeFileSync(at('drill.yaml'), `organization: Example Bank KMS\nvalidDays: 30\nparticipants:\n  - { id: oscar, name: "O", roles: [operator], passphrase: "oscar identity passphrase" }\n  - { id: wendy, name: "W", roles: [witness], passphrase: "wendy identity passphrase" }\n`);
    const r = await custos('enroll', at('drill.yaml'), '--out', at('drill-ids'), '--rehearsal', 'yes', '--work-factor', '10');
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/^REHEARSAL roster written: .*\n.*\nThis roster is for custos rehearse only/) });
    expect(verifyRoster(provider, readFileSync(at('drill-ids', 'roster.json'), 'utf8')).rehearsal).toBe(true);
  });
});
