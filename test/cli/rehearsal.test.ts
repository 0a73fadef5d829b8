/**
 * Rehearsals and real ceremonies never mix: a real run takes no answers file, nor does verify
 * shares for real shares; a rehearsal
 * refuses a real vault and a real run a rehearsal vault (one that verifies under its roster;
 * a file that does not verify is ignored, so it blocks nothing); a real restore refuses a rehearsal
 * backup. (A real import refusing a rehearsal bundle is in test/kmip/import.test.ts.)
 */
import { createPrivateKey } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { custos, custosTyping, enrollmentCeremony, PEOPLE, TRANSPORT_PEM, typing, workstation } from '../helpers/lifecycle';
import { nativeProvider as provider } from '../../src/node/native-provider';
import { parseTransportKey } from '../../src/core/documents/transport';
import { signReceipt } from '../../src/kmip/receipt';

const dir = mkdtempSync(join(tmpdir(), 'custos-rehearsal-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
let w: Awaited<ReturnType<typeof workstation>>;
let real: Awaited<ReturnType<typeof enrollmentCeremony>>;
const REAL_PEOPLE = PEOPLE.filter(([id]) => ['oscar', 'wendy', 'alice', 'bob', 'carol'].includes(id));
const small = (t: string) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]').replace('forms: [file, paper]', 'forms: [file]');

beforeAll(async () => {
  w = await workstation(dir);
  // A real roster from the enrollment ceremony, a real generate, each person typing at the
  // terminal; and a rehearsal with its backup in a vault of its own (the unattended roster).
  real = await enrollmentCeremony(dir, REAL_PEOPLE, { idsDir: 'real-ids', out: 'out-enroll', vault: 'vault-real' });
  const gen = await custosTyping(typing(dir, {}, 'real-ids'), 'run', w.plan('real-generate', 'generate', small, { vault: 'vault-real', out: 'out-real', roster: { file: 'out-enroll/roster.json', words: real.words } }));
  expect(gen.code, gen.err).toBe(0);
  const ok = async (...args: string[]) => expect((await custos(...args)).code).toBe(0);
  await ok('rehearse', w.plan('drill-generate', 'generate', small, { vault: 'vault-drill', out: 'out-drill' }), '--answers', w.answersFile('drill', 'out-drill', []), '--work-factor', '10');
  await ok('rehearse', w.plan('drill-backup', 'backup', (t) => t, { vault: 'vault-drill', out: 'out-drill-backup' }), '--answers', w.answersFile('drill-b', 'out-drill', []));
}, 180_000);

const files = (d: string) => readdirSync(at(d)).sort();

describe('rehearsal and real never mix', { timeout: 180_000 }, () => {
  it('a real run refuses an answers file, naming it (exit 2)', async () => {
    const r = await custos('run', w.plan('real-answers', 'add-key', (t) => t, { vault: 'vault-real', roster: { file: 'out-enroll/roster.json', words: real.words } }), '--answers', w.answersFile('x', 'out-real', ['alice', 'bob']));
    expect(r).toMatchObject({ code: 2, err: expect.stringMatching(/--answers: holds passphrases, so it is for rehearsals only \(custos rehearse\)/) });
  });
  it('verify shares refuses an answers file for real shares, naming it (exit 2), against the vault or the transcript', async () => {
    const answers = w.answersFile('real-shares', 'out-real', ['alice']);
    for (const from of [['--vault', at('vault-real')], ['--transcript', at('vault-real', 'real-generate.jsonl')]]) {
      const r = await custos('verify', 'shares', at('out-real', 'alice.share.age'), ...from, '--roster', at('out-enroll', 'roster.json'), '--roster-words', real.words, '--answers', answers);
      expect(r, from[0]).toMatchObject({ code: 2, err: expect.stringMatching(/--answers: holds passphrases, so it is for rehearsal shares only: share set [0-9a-f]{32} was issued by a real ceremony; each custodian types their own passphrase at the terminal/) });
    }
  });
  it('a rehearsal pointed at the real vault is refused before anyone is asked, and writes nothing', async () => {
    const before = files('vault-real');
    const t = typing(dir);
    const r = await custosTyping(t, 'rehearse', w.plan('drill-in-real', 'add-key', (x) => x.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]'), { vault: 'vault-real', roster: { file: 'out-enroll/roster.json', words: real.words } }));
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(/vault\/[a-z0-9-]+\.jsonl: is a real ceremony: a rehearsal never runs in a real vault; give the rehearsal a vault of its own/) });
    expect(t.asked).toEqual([]);
    expect(files('vault-real')).toEqual(before);
  });
  it('a real run refuses a rehearsal roster (made from an unattended enrollment file)', async () => {
    const t = typing(dir);
    const r = await custosTyping(t, 'run', w.plan('real-drill-roster', 'generate', small, { vault: 'vault-empty', out: 'out-empty' }));
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.roster\.file: is a rehearsal roster \(made by custos enroll from an unattended file\): a real ceremony needs the roster of an enrollment ceremony/) });
    expect(t.asked).toEqual([]);
    expect(files('vault-empty')).toEqual([]);
  });
  it('a real run pointed at a rehearsal vault trusts nothing the rehearsals made (their roster is not the pinned one): it names them, is refused, and writes nothing', async () => {
    const before = files('vault-drill');
    const t = typing(dir, {}, 'real-ids');
    const r = await custosTyping(t, 'run', w.plan('real-in-drill', 'add-key', (x) => x.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]'), { vault: 'vault-drill', roster: { file: 'out-enroll/roster.json', words: real.words } }));
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.quorum: this vault knows no live share set .*; it ignores drill-[a-z]+\.jsonl, drill-[a-z]+\.jsonl \(not valid ceremonies under this roster: custos vault doctor says why\): check plan\.vault/) });
    expect(t.asked).toEqual([]);
    expect(files('vault-drill')).toEqual(before);
  });
  it('an unsigned file that says it is a rehearsal, dropped into the real vault, blocks nothing: ignored and named, the next real ceremony runs, the doctor reports it', async () => {
    cpSync(at('vault-real'), at('vault-dropped'), { recursive: true });
    const roster = JSON.parse(readFileSync(at('vault-real', 'real-generate.jsonl'), 'utf8').split('\n')[0]!).data.roster as string;
    const open = { v: 1, ceremony: 'ab'.repeat(16), seq: 0, time: new Date().toISOString(), actor: 'oscar', type: 'ceremony.open', prev: '00'.repeat(32), data: { kind: 'generate', name: 'drill', roster, operator: 'oscar', witnesses: ['wendy'], rehearsal: true }, sig: 'AAAA' };
    writeFileSync(at('vault-dropped', 'dropped.jsonl'), JSON.stringify(open) + '\n');
    const plan = w.plan('after-drop', 'add-key', (x) => x.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('"vsphere-kek-2026"', 'kek-after-drop'), { vault: 'vault-dropped', roster: { file: 'out-enroll/roster.json', words: real.words } });
    const r = await custosTyping(typing(dir, { alice: 'out-real/alice.share.age', bob: 'out-real/bob.share.age' }, 'real-ids'), 'run', plan);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Vault: dropped\.jsonl is ignored: it does not verify/);
    const d = await custos('vault', 'doctor', at('vault-dropped'), '--roster', at('out-enroll', 'roster.json'), '--roster-words', real.words, '--json');
    expect(d.code, d.err).toBe(0);
    const report = JSON.parse(d.out) as { closed: string[]; findings: { file: string; status: string; why: string }[] };
    expect(report.findings).toEqual([expect.objectContaining({ file: 'dropped.jsonl', status: 'ignored', why: expect.stringMatching(/^it does not verify/) })]);
    expect(report.closed).toEqual(expect.arrayContaining(['real-generate.jsonl', 'after-drop.jsonl']));
  });
  it('a real restore refuses a rehearsal backup, and plan check says so, before anyone is asked', async () => {
    const plan = w.plan('restore-drill', 'restore', (t) => t.replace('file: /media/backup/vault-backup-2026-01.custos-backup', `file: ${at('out-drill-backup', 'vault-backup-2026-01.custos-backup')}`).replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]'), { vault: 'vault-new', roster: { file: 'out-enroll/roster.json', words: real.words } });
    const re = /plan\.backup\.file: is a rehearsal backup: a real restore never trusts what a rehearsal made/;
    expect(await custos('plan', 'check', plan)).toMatchObject({ code: 1, err: expect.stringMatching(re) });
    const t = typing(dir);
    const r = await custosTyping(t, 'run', plan);
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(re) });
    expect(t.asked).toEqual([]);
    expect(files('vault-new')).toEqual([]);
  });
  it('a rehearsed restore refuses a real backup, and plan check --rehearsal yes says so, before anyone is asked', async () => {
    const backup = w.plan('real-backup', 'backup', (t) => t.replace('approvers: [dave, erin]', 'approvers: [alice, bob]'), { vault: 'vault-real', out: 'out-real-backup', roster: { file: 'out-enroll/roster.json', words: real.words } });
    const made = await custosTyping(typing(dir, {}, 'real-ids'), 'run', backup);
    expect(made.code, made.err).toBe(0);
    const plan = w.plan('restore-real', 'restore', (t) => t.replace('file: /media/backup/vault-backup-2026-01.custos-backup', `file: ${at('out-real-backup', 'vault-backup-2026-01.custos-backup')}`).replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]'), { vault: 'vault-new-drill', roster: { file: 'out-enroll/roster.json', words: real.words } });
    const re = /plan\.backup\.file: is a real backup: a rehearsal never opens real keys/;
    expect(await custos('plan', 'check', plan, '--rehearsal', 'yes')).toMatchObject({ code: 1, err: expect.stringMatching(re) });
    const t = typing(dir, {}, 'real-ids');
    expect(await custosTyping(t, 'rehearse', plan)).toMatchObject({ code: 1, err: expect.stringMatching(re) });
    expect(t.asked).toEqual([]);
    expect(files('vault-new-drill')).toEqual([]);
  });
  it('a real confirm-import refuses the receipt of a rehearsal import before anyone is asked', async () => {
    const transport = parseTransportKey(provider, readFileSync(at('kms.transport.json'), 'utf8'));
    const pkcs8 = new Uint8Array(createPrivateKey(TRANSPORT_PEM).export({ type: 'pkcs8', format: 'der' }));
    const receipt = signReceipt(
      {
        v: 1,
        kind: 'custos.receipt',
        bundle: { sha256: 'ab'.repeat(32), ceremony: 'cd'.repeat(16), transcriptHead: 'ef'.repeat(32) },
        transport: { server: transport.file.server.name, fingerprint: transport.fingerprint },
        rehearsal: true,
        servers: [{ endpoint: '127.0.0.1:5696', subject: 'kmip', time: new Date().toISOString(), form: 'unwrapped', keys: [{ id: '01'.repeat(16), name: 'k', uid: '1', kcv: 'cmac-aes:abcdef', outcome: 'registered' }] }],
      },
      pkcs8,
    );
    writeFileSync(at('drill.receipt.json'), receipt);
    const plan = w.plan('confirm-drill', 'confirm-import', (t) =>
      t
        .replace('file: /media/courier/kms-1.receipt.json', `file: ${at('drill.receipt.json')}`)
        .replace('file: kms-1.transport.json', 'file: kms.transport.json')
        .replace('"REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"', `"${transport.fingerprint}"`),
      { vault: 'vault-real', roster: { file: 'out-enroll/roster.json', words: real.words } },
    );
    const before = files('vault-real');
    const t = typing(dir);
    const r = await custosTyping(t, 'run', plan);
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.receipt\.file: is the receipt of a rehearsal import: a real ceremony never records it/) });
    expect(t.asked).toEqual([]);
    expect(files('vault-real')).toEqual(before);
  });
  it("a rehearsal's share says so in every form, and a real quorum refuses it, naming whose it is", async () => {
    // The drill's share of alice opened as the rehearsal made it: its record and its card say REHEARSAL.
    const shown = await custos('verify', 'shares', at('out-drill', 'alice.share.age'), '--vault', at('vault-drill'), '--roster', w.roster, '--roster-words', w.words, '--answers', w.answersFile('drill-alice', 'out-drill', ['alice']), '--json');
    expect(shown.code, shown.out + shown.err).toBe(0);
    expect(JSON.parse(shown.out.trim().split('\n').at(-1)!)).toMatchObject({ shares: [expect.objectContaining({ rehearsal: true })] });
    const before = files('vault-real');
    const t = typing(dir, { alice: 'out-drill/alice.share.age', bob: 'out-real/bob.share.age' }, 'real-ids');
    const r = await custosTyping(t, 'run', w.plan('real-with-drill-share', 'add-key', (x) => x.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]'), { vault: 'vault-real', roster: { file: 'out-enroll/roster.json', words: real.words } }));
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(/alice's share is a REHEARSAL share \(of a rehearsal's throwaway key\): a real ceremony never takes it; bring your real share/);
    // Nothing was unlocked: the refusal is recorded, and the run stopped short of the quorum.
    const events = readFileSync(at('vault-real', 'real-with-drill-share.jsonl'), 'utf8');
    expect(events).toContain('"code":"quorum.rehearsal"');
    expect(events).not.toContain('quorum.unlocked');
    expect(files('vault-real')).toEqual([...before, 'real-with-drill-share.jsonl'].sort());
  });
  it('the same plan file rehearsed, then run: the run says to give the rehearsal a vault of its own, having asked nothing', async () => {
    const plan = w.plan('same-plan', 'generate', small, { vault: 'vault-same', out: 'out-same', roster: { file: 'out-enroll/roster.json', words: real.words } });
    expect((await custosTyping(typing(dir, {}, 'real-ids'), 'rehearse', plan)).code).toBe(0);
    const t = typing(dir, {}, 'real-ids');
    const r = await custosTyping(t, 'run', plan);
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(/transcript: was written by a rehearsal of this plan: a rehearsal and a real ceremony never continue each other; give the rehearsal a vault of its own \(plan\.vault\)/) });
    expect(t.asked).toEqual([]);
    // Copied into the real vault by an insider, the rehearsal is the one the doctor names, however many copies.
    cpSync(at('vault-real'), at('vault-mixed'), { recursive: true });
    for (const n of ['a', 'b', 'c']) cpSync(at('vault-same', 'same-plan.jsonl'), at('vault-mixed', `same-plan-${n}.jsonl`));
    const d = await custos('vault', 'doctor', at('vault-mixed'), '--roster', at('out-enroll', 'roster.json'), '--roster-words', real.words, '--json');
    expect(d.code).toBe(1);
    const report = JSON.parse(d.out.split('\n')[0]!) as { closed: string[]; findings: { file: string; status: string }[] };
    expect(report.findings.filter((f) => f.status === 'mixed').map((f) => f.file).sort()).toEqual(['same-plan-a.jsonl', 'same-plan-b.jsonl', 'same-plan-c.jsonl']);
    expect(report.closed.length).toBeGreaterThan(0);
  });
});
