/**
 * Policy refusals through the CLI, each with its reason and nothing written: one person
 * approving twice, the requester approving, a custodian as witness, M-1 shares, a share brought
 * by someone it was not issued to, an expired enrollment, an expired transport key, a transport
 * key that is not the one pinned.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTransportKey } from '../../src/core/documents/transport';
import { planTemplate } from '../../src/core/plan/templates';
import { nativeProvider as provider } from '../../src/node/native-provider';
import { custos, TRANSPORT_PEM, workstation } from '../helpers/lifecycle';
import { signedTransport } from '../helpers/vectors';
import { makeRoster } from '../helpers/roster';
import { openIdentity } from '../../src/core/roster/identity';
import { ATTEST, newChain, signEvent, type ChainState } from '../../src/core/transcript/transcript';
import { osRng } from '../../src/node/platform';
import type { Json } from '../../src/core/transcript/canonical';
import { transcriptWriter } from '../helpers/forge';
import { base64 } from '@scure/base';
import { BUNDLE_SCHEME } from '../../src/core/documents/bundle';
import { approve, documentToText } from '../../src/core/documents/signed';
import { kcv } from '../../src/core/crypto/kcv';
import { rsaAesWrap } from '../../src/core/crypto/rsa-aes-wrap';
import { toHex, utf8 } from '../../src/core/crypto/bytes';

const dir = mkdtempSync(join(tmpdir(), 'custos-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
let w: Awaited<ReturnType<typeof workstation>>;
let fingerprint = '';

/** Everything in the vault and the output directories, to prove a refusal wrote nothing. */
const snapshot = () =>
  readdirSync(dir)
    .filter((d) => d.startsWith('vault') || d.startsWith('out-'))
    .flatMap((d) => readdirSync(at(d)).map((f) => `${d}/${f}`))
    .sort();

beforeAll(async () => {
  w = await workstation(dir);
  const gen = w.plan('generate', 'generate', (t) => t.replace('forms: [file, paper]', 'forms: [file]'));
  expect((await custos('rehearse', gen, '--answers', w.answersFile('generate', 'out-generate', []), '--work-factor', '10')).code).toBe(0);
  const add = w.plan('add-key', 'add-key', (t) => t.replace('"vsphere-kek-2026"', 'kek'));
  expect((await custos('rehearse', add, '--answers', w.answersFile('add-key', 'out-generate', ['alice', 'bob', 'carol']))).code).toBe(0);
  fingerprint = parseTransportKey(provider, readFileSync(at('kms.transport.json'), 'utf8')).fingerprint;
}, 120_000);

const exportPlan = (name: string, edit: (t: string) => string = (t) => t) =>
  w.plan(name, 'export-bundle', (t) =>
    edit(
      t
        .replace('keys: ["vsphere-kek-2026"]', 'keys: [kek]')
        .replace('file: kms-prod-1.transport.json', 'file: kms.transport.json')
        .replace('"REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"', `"${fingerprint}"`),
    ),
  );

/**
 * Refused with `reason`; nothing written. A refusal that comes once the ceremony is open (a
 * quorum short of shares) is recorded in its own transcript, and that is the only new file.
 */
async function refused(plan: string, quorum: string[], code: number, reason: RegExp, recorded = false) {
  const before = snapshot();
  const r = await custos('rehearse', plan, '--answers', w.answersFile('refused', 'out-generate', quorum));
  expect(r.code, r.err).toBe(code);
  expect(r.err).toMatch(reason);
  const added = snapshot().filter((f) => !before.includes(f));
  expect(added).toEqual(recorded ? [expect.stringMatching(/^vault\/[a-z0-9-]+\.jsonl$/)] : []);
  return r;
}

describe('policy refusals name their reason and write nothing', () => {
  it('one person approving twice', async () => {
    await refused(exportPlan('twice', (t) => t.replace('approvers: [dave, erin]', 'approvers: [dave, dave]')), ['alice', 'bob', 'carol'], 2, /plan\.approvers\[1\]: dave cannot approve twice/);
  });
  it('the requester approving their own request', async () => {
    await refused(exportPlan('self', (t) => t.replace('approvers: [dave, erin]', 'approvers: [dave, oscar]')), ['alice', 'bob', 'carol'], 2, /plan\.approvers\[1\]: oscar requests this export as operator and cannot approve it/);
  });
  it('a custodian as witness', async () => {
    await refused(exportPlan('witness', (t) => t.replace('witnesses: [wendy]', 'witnesses: [bob]')), ['alice', 'bob', 'carol'], 2, /plan\.witnesses\[0\]: bob is a custodian and cannot also witness/);
  });
  it('a witness who is not enrolled as one (roles are checked against the roster)', async () => {
    await refused(exportPlan('role', (t) => t.replace('witnesses: [wendy]', 'witnesses: [frank]')), ['alice', 'bob', 'carol'], 1, /witnesses\[0\]: frank is not enrolled as witness/);
  });
  it('a quorum of M-1 custodians is refused before the ceremony opens: nothing is asked, nothing written', async () => {
    const plan = exportPlan('short', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]'));
    await refused(plan, ['alice', 'bob'], 1, /plan\.quorum: names 2 custodians, but share set [0-9a-f]{32} \(master key cmac-aes:[0-9a-f]{6}\) needs 3 of its 5/);
    expect(existsSync(at('vault', 'short.jsonl'))).toBe(false);
  });
  it('M-1 usable shares (one damaged): the transcript records the refusal, the inventory and outputs are untouched', async () => {
    const plan = exportPlan('damaged', (t) => t);
    const bad = readFileSync(at('out-generate', 'carol.share.age'));
    bad[bad.length - 5]! ^= 1;
    writeFileSync(at('carol-damaged.share.age'), bad);
    const answers = w.answersFile('damaged', 'out-generate', ['alice', 'bob', 'carol']);
    writeFileSync(answers, readFileSync(answers, 'utf8').replace('out-generate/carol.share.age', 'carol-damaged.share.age'));
    const before = snapshot();
    const r = await custos('rehearse', plan, '--answers', answers);
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(/quorum: share set [0-9a-f]{32} needs 3 shares; 2 were accepted \(refused: .*damaged or truncated/) });
    expect(r.err).not.toMatch(/passphrase/);
    expect(snapshot().filter((f) => !before.includes(f))).toEqual(['vault/damaged.jsonl']);
    expect((await custos('verify', 'transcript', at('vault', 'damaged.jsonl'), '--roster', w.roster, '--roster-words', w.words)).err).toMatch(/records an aborted ceremony \(quorum\.short/);
  });
  it('a share brought by someone it was not issued to', async () => {
    const plan = exportPlan('holder', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob, frank]'));
    const answers = w.answersFile('holder', 'out-generate', ['alice', 'bob']);
    writeFileSync(answers, readFileSync(answers, 'utf8') + '  frank: { file: out-generate/carol.share.age, passphrase: "carol share passphrase" }\n');
    const before = snapshot();
    const r = await custos('rehearse', plan, '--answers', answers);
    // frank holds no share of the set: refused before anyone is asked (the check at the share itself is in the core tests)
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.quorum: frank holds no share of a live set; the live set [0-9a-f]{32} \(master key cmac-aes:[0-9a-f]{6}\), held by alice, bob, carol, dave, erin/) });
    expect(snapshot().filter((f) => !before.includes(f) && !f.endsWith('holder.jsonl'))).toEqual([]);
  });
  it('a transport key that is not the pinned one, and an expired one', async () => {
    await refused(exportPlan('pin', (t) => t.replace(fingerprint, 'ab'.repeat(32))), ['alice', 'bob', 'carol'], 1, /plan\.recipient: the key's fingerprint is [0-9a-f]{64}, not the (ab)+ pinned in the plan/);
    writeFileSync(at('old.transport.json'), signedTransport(TRANSPORT_PEM, { server: { name: 'kms-test-1', kmip: ['127.0.0.1:5696'] }, created: '2025-01-01T00:00:00.000Z', expires: '2025-02-01T00:00:00.000Z' }));
    await refused(exportPlan('expired-transport', (x) => x.replace('file: kms.transport.json', 'file: old.transport.json')), ['alice', 'bob', 'carol'], 1, /plan\.recipient\.expires: the enrollment of kms-test-1 expired on 2025-02-01/);
    // Its expiry pushed back by hand: the key did not sign that, so the enrollment is refused.
    writeFileSync(at('extended.transport.json'), readFileSync(at('old.transport.json'), 'utf8').replace('"expires":"2025-02-01T00:00:00.000Z"', '"expires":"2099-02-01T00:00:00.000Z"'));
    await refused(exportPlan('extended-transport', (x) => x.replace('file: kms.transport.json', 'file: extended.transport.json')), ['alice', 'bob', 'carol'], 1, /plan\.recipient\.file\.sig: is not the signature of this key over this enrollment/);
  });
  it('an expired enrollment', async () => {
    const r = makeRoster('expired', new Date('2025-12-31T00:00:00.000Z'), new Date('2025-01-01T00:00:00.000Z'));
    mkdirSync(at('expired'), { recursive: true });
    writeFileSync(at('expired', 'roster.json'), r.text);
    const plan = planTemplate('backup')
      .replace('"REPLACE WITH THE EIGHT ROSTER FINGERPRINT WORDS READ ALOUD AT ENROLLMENT"', `"${r.verified.words.join(' ')}"`)
      .replace('directory: /media/ceremony', 'directory: .')
      .replace('vault: /var/lib/custos/vault', 'vault: .');
    writeFileSync(at('expired', 'plan.yaml'), plan);
    const res = await custos('rehearse', at('expired', 'plan.yaml'), '--answers', w.answersFile('expired', 'out-generate', []));
    expect(res).toMatchObject({ code: 1, err: expect.stringMatching(/operator: oscar's enrollment expired on 2025-12-31/) });
    expect(readdirSync(at('expired')).sort()).toEqual(['plan.yaml', 'roster.json']);
  });
  it('a backup of a vault whose inventory is not the recorded file: refused, no archive published', async () => {
    cpSync(at('vault'), at('vault-bad'), { recursive: true });
    const inv = readdirSync(at('vault-bad')).filter((n) => n.startsWith('inventory-')).sort().at(-1)!;
    const text = readFileSync(at('vault-bad', inv), 'utf8');
    writeFileSync(at('vault-bad', inv), text.replace('"kind":"custos.inventory"', '"kind":"custos.inventorY"'));
    const plan = w.plan('bad-backup', 'backup', (t) => t, { vault: 'vault-bad' });
    const r = await custos('rehearse', plan, '--answers', w.answersFile('bad-backup', 'out-generate', []));
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(new RegExp(`${inv}: is not the file the transcripts recorded`)) });
    expect(readdirSync(at('out-bad-backup'))).toEqual([]);
  });
});

describe('every verify door takes the roster pinned', () => {
  it('transcript, shares: no pin is a usage error saying how to pin (2); a swapped roster against the pin fails (1) without printing its words', async () => {
    const transcript = at('vault', 'generate.jsonl');
    const other = makeRoster('swapped', new Date(Date.now() + 86_400_000 * 30), new Date(Date.now() - 86_400_000));
    writeFileSync(at('swapped.roster.json'), other.text);
    for (const args of [
      ['verify', 'transcript', transcript],
      ['verify', 'shares', at('out-generate', 'alice.share.age'), '--transcript', transcript, '--answers', at('add-key.answers.yaml')],
      ['verify', 'backup', transcript],
      ['verify', 'bundle', transcript],
      ['verify', 'escrow', transcript],
    ]) {
      const unpinned = await custos(...args, '--roster', w.roster);
      expect(unpinned.code, args.join(' ')).toBe(2);
      expect(unpinned.err).toMatch(/--roster: is not pinned, and a roster proves nothing by itself .*--roster-words/);
      const swapped = await custos(...args, '--roster', at('swapped.roster.json'), '--roster-words', w.words);
      expect(swapped.code, args.join(' ')).toBe(1);
      expect(swapped.err).toMatch(/roster: its fingerprint differs from the pinned one/);
      expect(swapped.err).not.toContain(other.verified.words.join(' '));
    }
    const bySha = await custos('verify', 'transcript', transcript, '--roster', w.roster, '--roster-sha256', JSON.parse(readFileSync(transcript, 'utf8').split('\n')[0]!).data.roster);
    expect(bySha.code, bySha.err).toBe(0);
    expect((await custos('verify', 'transcript', transcript, '--roster', w.roster, '--roster-words', 'not eight words')).code).toBe(2);
  });

  it('a roster in which two participants, under different ids, share one signing key is refused naming both (exit 2)', async () => {
    const r = JSON.parse(readFileSync(w.roster, 'utf8')) as { participants: { id: string; signingKey: string }[] };
    expect(r.participants.slice(1, 3).map((p) => p.id)).toEqual(['alice', 'bob']);
    r.participants[2]!.signingKey = r.participants[1]!.signingKey;
    writeFileSync(at('twin.roster.json'), JSON.stringify(r) + '\n');
    const v = await custos('verify', 'transcript', at('vault', 'generate.jsonl'), '--roster', at('twin.roster.json'), '--roster-words', w.words);
    expect(v).toMatchObject({ code: 2, err: expect.stringMatching(/roster\.participants\[2\]\.signingKey: is the signing key of "alice" too: "alice" and "bob" cannot share one identity \(one identity per person\)/) });
  });
});

describe('a transcript one person forges into the vault', () => {
  it('is refused by the auditor (exit 1), ignored and reported by the vault, and the next ceremony is unaffected', async () => {
    const oscar = await openIdentity(provider, new Uint8Array(readFileSync(join(w.ids, 'oscar.identity.age'))), 'oscar identity passphrase');
    const generate = readFileSync(at('vault', 'generate.jsonl'), 'utf8').split('\n')[0]!;
    const roster = JSON.parse(generate).data.roster as string;
    const events = readFileSync(at('vault', 'generate.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: { setId?: string } });
    const setId = events.find((e) => e.type === 'shares.split')!.data.setId!;
    expect(setId).toMatch(/^[0-9a-f]{32}$/);
    let chain: ChainState = newChain(osRng);
    let text = '';
    for (const [type, data] of [
      ['ceremony.open', { kind: 'reshare', name: 'revoke', organization: 'Example Bank KMS', roster, operator: 'oscar', witnesses: ['wendy'], quorum: ['alice', 'bob', 'carol'], rehearsal: true }],
      ['shares.revoked', { setId, keyId: 'x' }],
    ] as [string, { [k: string]: Json }][]) {
      const r = signEvent({ provider, clock: () => new Date() }, chain, { actor: 'oscar', signerSeed: oscar.signingSeed, type, data });
      text += r.line;
      chain = r.state;
    }
    text += signEvent({ provider, clock: () => new Date() }, chain, { actor: 'oscar', signerSeed: oscar.signingSeed, type: ATTEST, data: { head: chain.head } }).line;
    writeFileSync(at('vault', 'revoke.jsonl'), text);
    const audit = await custos('verify', 'transcript', at('vault', 'revoke.jsonl'), '--roster', w.roster, '--roster-words', w.words);
    expect(audit).toMatchObject({ code: 1, err: expect.stringMatching(/transcript\.closing: is attested by oscar; the ceremony needs wendy, oscar/) });
    // The set it claims to revoke still opens the master key.
    const next = await custos('rehearse', w.plan('after-forgery', 'add-key', (t) => t.replace('"vsphere-kek-2026"', 'kek-after')), '--answers', w.answersFile('after-forgery', 'out-generate', ['alice', 'bob', 'carol']));
    expect(next.code, next.err).toBe(0);
    expect(next.out).toMatch(/Vault: revoke\.jsonl is ignored: it is not a valid ceremony \(transcript\.closing: is attested by oscar/);
  });
});

describe('a bundle that a transcript one person signed alone "records"', () => {
  it('is refused by verify bundle --transcript (exit 1), which takes a transcript only as a valid ceremony', async () => {
    const open = (id: string) => openIdentity(provider, new Uint8Array(readFileSync(join(w.ids, `${id}.identity.age`))), `${id} identity passphrase`);
    const [oscar, dave, erin] = [await open('oscar'), await open('dave'), await open('erin')];
    const roster = JSON.parse(readFileSync(at('vault', 'generate.jsonl'), 'utf8').split('\n')[0]!).data.roster as string;
    // The operator alone opens an export, writes a bundle two custodians approved, and closes it himself.
    const t = transcriptWriter(new Map([['oscar', oscar]]), 'one signer', new Date().toISOString());
    t.add('oscar', 'ceremony.open', { kind: 'export-bundle', name: 'export', roster, operator: 'oscar', witnesses: ['wendy'], quorum: ['alice', 'bob', 'carol'], approvers: ['dave', 'erin'], rehearsal: true });
    const transport = parseTransportKey(provider, readFileSync(at('kms.transport.json'), 'utf8'));
    const material = new Uint8Array(32).fill(0x42);
    const now = new Date();
    const manifest = {
      v: 1 as const,
      kind: 'custos.bundle' as const,
      ceremony: t.ceremony,
      organization: 'Example Bank KMS',
      created: now.toISOString(),
      expires: new Date(now.getTime() + 86_400_000).toISOString(),
      rehearsal: true,
      masterKeyId: 'cd'.repeat(16),
      recipient: { server: transport.file.server.name, fingerprint },
      scheme: BUNDLE_SCHEME,
      transcript: { head: t.head, seq: 1 },
      keys: [{ id: '01'.repeat(16), name: 'planted-key', algorithm: 'AES' as const, length: 256 as const, usage: ['wrap-key' as const], state: 'active' as const, cryptoperiodDays: 365, kcv: kcv(provider, material), wrapped: base64.encode(rsaAesWrap(provider, osRng, transport.spki, material)) }],
    };
    const bundle = documentToText({ manifest, approvals: [dave, erin].map((s) => approve(provider, 'bundle', manifest, s)) });
    writeFileSync(at('one-signer.bundle.json'), bundle);
    t.add('oscar', 'bundle.written', { file: 'one-signer.bundle.json', sha256: toHex(provider.sha256(utf8(bundle))) });
    t.attest(['oscar']);
    writeFileSync(at('one-signer.jsonl'), t.text);
    const args = ['verify', 'bundle', at('one-signer.bundle.json'), '--roster', w.roster, '--roster-words', w.words, '--fingerprint', fingerprint];
    expect((await custos(...args)).code).toBe(0); // its approvals hold: only the transcript says how it was made
    const r = await custos(...args, '--transcript', at('one-signer.jsonl'));
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(/transcript\.closing: is attested by oscar; the ceremony needs wendy, oscar/) });
    expect(r.out).toBe('');
  });
});
