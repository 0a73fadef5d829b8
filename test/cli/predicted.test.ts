/**
 * What `custos run` would refuse, `custos plan check` reports, and the run refuses it before the
 * first question, writing nothing: a resumed run with outputs its transcript does not record, a
 * split whose master key died with the run, a restore whose backup or quorum cannot open it. A
 * resumed run whose transcript records its outputs goes on without asking for them again.
 */
import { copyFileSync, cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../helpers/scratch';
import { parseTransportKey } from '../../src/core/documents/transport';
import { planTemplate } from '../../src/core/plan/templates';
import { nativeProvider as provider } from '../../src/node/native-provider';
import { custos, custosOk, custosTyping, typing, workstation } from '../helpers/lifecycle';

const dir = scratchDir('custos-predicted-'); // it holds a paper medium: never a temporary folder
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
const ok = custosOk;
/** Every file under these folders, with its bytes: what "nothing was written" compares. */
const snapshot = (...dirs: string[]) => Object.fromEntries(dirs.flatMap((d) => readdirSync(at(d)).sort().map((f) => [`${d}/${f}`, readFileSync(at(d, f)).toString('base64')])));

let w: Awaited<ReturnType<typeof workstation>>;
/** A 2-of-3 set of recipient share files and paper cards. */
const small = (t: string) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]').replace('protection: passphrase', 'protection: recipient');

/** The vault's master key: a 2-of-3 set of alice, bob and carol (recipient share files), and an active key added by alice and bob. */
let master: { setId: string; kcv: string };
/** The key server's transport key, as confirmed by phone. */
const transportFingerprint = () => parseTransportKey(provider, readFileSync(at('kms.transport.json'), 'utf8')).fingerprint;
const quorum = (...who: string[]) => typing(dir, Object.fromEntries(who.map((c) => [c, `identity:out-generate/${c}.share.age`])));

beforeAll(async () => {
  w = await workstation(dir);
  master = (await ok('rehearse', w.plan('generate', 'generate', (t) => small(t).replace('forms: [file, paper]', 'forms: [file]')), '--answers', w.answersFile('generate', 'out-generate', []), '--json')) as typeof master;
  const add = await custosTyping(quorum('alice', 'bob'), 'rehearse', w.plan('add-key', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]')), '--json');
  expect(add.code, add.err).toBe(0);
}, 120_000);

/**
 * `plan check` fails with `re` (exit `code`), and a run with people at the terminal fails the
 * same way having asked nothing and written nothing in `folders`.
 */
async function predicted(plan: string, re: RegExp, folders: string[], code = 1) {
  const before = snapshot(...folders);
  const check = await custos('plan', 'check', plan);
  expect(check.code, check.out).toBe(code);
  expect(check.err).toMatch(re);
  const people = typing(dir, {});
  const run = await custosTyping(people, 'rehearse', plan);
  expect(run.code, run.out).toBe(code);
  expect(run.err).toMatch(re);
  expect(people.asked).toEqual([]);
  expect(snapshot(...folders)).toEqual(before);
}

/** The transcript cut back to its events up to (and with) the last one `keep` accepts, as a run stopped there leaves it. */
function cutAfter(transcript: string, full: string, keep: (type: string) => boolean) {
  const lines = full.split('\n').filter((l) => l !== '');
  let last = lines.length - 1;
  while (last >= 0 && !keep((JSON.parse(lines[last]!) as { type: string }).type)) last--;
  writeFileSync(transcript, lines.slice(0, last + 1).join('\n') + '\n');
}

describe('a resumed generate: the outputs its transcript records, and only those', () => {
  let plan: string;
  let full: string;
  const transcript = () => at('vault-cut', 'gen-cut.jsonl');
  const folders = ['vault-cut', 'out-gen-cut', 'paper-gen-cut'];
  beforeAll(async () => {
    plan = w.plan('gen-cut', 'generate', small, { vault: 'vault-cut' });
    await ok('rehearse', plan, '--answers', w.answersFile('gen-cut', 'out-gen-cut', []), '--json');
    full = readFileSync(transcript(), 'utf8');
  }, 120_000);

  it('cut back to its first event with the share files left: refused, naming the files the transcript does not record', async () => {
    cutAfter(transcript(), full, (t) => t === 'ceremony.open');
    await predicted(
      plan,
      /plan\.outputs: alice\.share\.age, bob\.share\.age, carol\.share\.age, alice\.share\.pdf, alice\.share\.txt, .*carol\.share\.txt exist, and the interrupted run did not record writing them .*move them aside/,
      folders,
    );
  }, 60_000);

  it('cut after the split, before every share was written: the master key is gone, said before anyone is asked', async () => {
    cutAfter(transcript(), full, (t) => t === 'shares.split');
    await predicted(plan, /transcript: the run stopped before every share of set [0-9a-f]{32} was written: the master key is gone/, folders);
  }, 60_000);

  it('a share file the transcript records, changed since: refused, naming it', async () => {
    cutAfter(transcript(), full, (t) => t === 'share.issued');
    const bob = readFileSync(at('out-gen-cut', 'bob.share.age'));
    writeFileSync(at('out-gen-cut', 'bob.share.age'), Buffer.concat([bob, Buffer.from('\n')]));
    try {
      await predicted(plan, /plan\.outputs: bob\.share\.age is not the file the interrupted run wrote \(the SHA-256 differs from the one its transcript records\)/, folders);
    } finally {
      writeFileSync(at('out-gen-cut', 'bob.share.age'), bob);
    }
  }, 60_000);

  it('cut after every share was written: plan check says it resumes, and the run asks for no share again and closes', async () => {
    cutAfter(transcript(), full, (t) => t === 'share.issued');
    const shares = snapshot('out-gen-cut', 'paper-gen-cut');
    const check = await custos('plan', 'check', plan);
    expect(check.code, check.err).toBe(0);
    expect(check.out).toMatch(/^resumes the interrupted run in /m);
    const people = typing(dir, { alice: 'identity:x', bob: 'identity:x', carol: 'identity:x' });
    const run = await custosTyping(people, 'rehearse', plan, '--json');
    expect(run.code, run.err).toBe(0);
    expect(people.asked.filter((q) => !/: (path of your identity file|identity passphrase) /.test(q))).toEqual([]);
    expect(snapshot('out-gen-cut', 'paper-gen-cut')).toEqual(shares);
  }, 60_000);
});

describe('a resumed export: the bundle its transcript records is not made again', () => {
  let plan: string;
  let full: string;
  const transcript = () => at('vault', 'export.jsonl');
  beforeAll(async () => {
    plan = w.plan('export', 'export-bundle', (t) =>
      t
        .replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]')
        .replace('file: kms-prod-1.transport.json', 'file: kms.transport.json')
        .replace('"REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"', `"${transportFingerprint()}"`),
    );
    const r = await custosTyping(quorum('alice', 'bob'), 'rehearse', plan, '--json');
    expect(r.code, r.err).toBe(0);
    full = readFileSync(transcript(), 'utf8');
  }, 120_000);

  it('cut back to its first event with the bundle left: refused, naming it', async () => {
    cutAfter(transcript(), full, (t) => t === 'ceremony.open');
    await predicted(plan, /plan\.outputs: kms-prod-1\.bundle\.json exists, and the interrupted run did not record writing it/, ['vault', 'out-export']);
  }, 60_000);

  it('stopped after the bundle was recorded, before the witnesses attested: the rerun asks no quorum and no approver, and closes', async () => {
    cutAfter(transcript(), full, (t) => t === 'bundle.written');
    const bundle = snapshot('out-export');
    const check = await custos('plan', 'check', plan);
    expect(check.code, check.err).toBe(0);
    expect(check.out).toMatch(/^resumes the interrupted run in /m);
    const people = typing(dir, {});
    const run = await custosTyping(people, 'rehearse', plan, '--json');
    expect(run.code, run.err).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ ok: true, kind: 'export-bundle', file: 'kms-prod-1.bundle.json' });
    expect(new Set(people.asked.map((q) => q.split(':')[0]))).toEqual(new Set(['oscar', 'wendy'])); // no custodian, no approver
    expect(snapshot('out-export')).toEqual(bundle);
    expect((await custos('verify', 'transcript', transcript(), '--roster', w.roster, '--roster-words', w.words)).code).toBe(0);
  }, 60_000);
});

describe('an enrollment whose transcript exists', () => {
  it('is never resumed: plan check says so, and the run refuses having asked nothing', async () => {
    for (const d of ['vault-enroll', 'out-enroll']) mkdirSync(at(d), { recursive: true });
    writeFileSync(at('vault-enroll', 'enroll-2026.jsonl'), '{"type":"ceremony.open"}\n');
    const plan = at('enroll-again.yaml');
    writeFileSync(
      plan,
      planTemplate('enroll')
        .replace(/^participants:\n(?: {2}- .*\n)+/m, 'participants:\n  - { id: oscar, name: "O", roles: [operator] }\n  - { id: wendy, name: "W", roles: [witness] }\n')
        .replace('directory: /media/ceremony', 'directory: out-enroll')
        .replace('vault: /var/lib/custos/vault', 'vault: vault-enroll')
        .replace('airgap: strict', 'airgap: warn'),
    );
    const re = /plan\.transcript: exists: an interrupted enrollment is not resumed/;
    const before = snapshot('vault-enroll', 'out-enroll');
    const check = await custos('plan', 'check', plan);
    expect(check).toMatchObject({ code: 1, err: expect.stringMatching(re) });
    const people = typing(dir, {});
    expect(await custosTyping(people, 'run', plan)).toMatchObject({ code: 1, err: expect.stringMatching(re) });
    expect(people.asked).toEqual([]);
    expect(snapshot('vault-enroll', 'out-enroll')).toEqual(before);
  });
});

describe('a restore: the backup and the quorum are checked against each other before anyone is asked', () => {
  let archive: string;
  const restore = (name: string, edit: (t: string) => string, file?: string) =>
    w.plan(name, 'restore', (t) => edit(t.replace('operator: oscar', 'operator: rita').replace('file: /media/backup/vault-backup-2026-01.custos-backup', `file: ${file ?? archive}`)), { vault: `vault-${name}` });
  const folders = (name: string) => [`vault-${name}`, 'out-backup'];
  beforeAll(async () => {
    await ok('rehearse', w.plan('backup', 'backup'), '--answers', w.answersFile('backup', 'out-generate', []), '--json');
    archive = at('out-backup', 'vault-backup-2026-01.custos-backup');
  }, 60_000);

  it('a quorum that can: plan check names the share set the backup holds for it', async () => {
    const r = await ok('plan', 'check', restore('restore-ok', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [bob, carol]')), '--json');
    expect(r).toMatchObject({ kind: 'restore', set: { setId: master.setId, kcv: master.kcv, threshold: 2, count: 3 } });
  }, 60_000);
  it('a quorum smaller than the threshold of the backup’s share set', async () => {
    await predicted(
      restore('restore-short', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice]')),
      new RegExp(`plan\\.quorum: names 1 custodian, but share set ${master.setId} \\(master key ${master.kcv}\\) needs 2 of its 3`),
      folders('restore-short'),
    );
  }, 60_000);
  it('a quorum member who is not a custodian of the backup’s share set', async () => {
    await predicted(
      restore('restore-outsider', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, dave]')),
      new RegExp(`plan\\.quorum: dave holds no share of a live set; the live set ${master.setId} \\(master key ${master.kcv}\\), held by alice, bob, carol`),
      folders('restore-outsider'),
    );
  }, 60_000);
  it('a backup file that is not there (exit 2)', async () => {
    await predicted(restore('restore-missing', (t) => t, at('out-backup', 'missing.custos-backup')), /plan\.backup\.file: .*missing\.custos-backup cannot be read \(ENOENT\)/, folders('restore-missing'), 2);
  }, 60_000);
  it('a backup altered after its approvers signed it', async () => {
    const altered = at('out-backup', 'altered.custos-backup');
    copyFileSync(archive, altered);
    const bytes = readFileSync(altered);
    bytes[Math.floor(bytes.length / 2)]! ^= 1;
    writeFileSync(altered, bytes);
    await predicted(restore('restore-altered', (t) => t, altered), /backup: its content does not match the SHA-256 the approvers signed: the archive was altered/, folders('restore-altered'));
  }, 60_000);
});

describe('a quorum ceremony: the inventory it opens, an export’s transport key and the keys it names, before anyone is asked', () => {
  const exportPlan = (name: string, edit: (t: string) => string, fingerprint?: string) =>
    w.plan(name, 'export-bundle', (t) =>
      edit(
        t
          .replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]')
          .replace('file: kms-prod-1.transport.json', 'file: kms.transport.json')
          .replace('"REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"', `"${fingerprint ?? transportFingerprint()}"`),
      ),
    );
  const folders = (name: string) => ['vault', `out-${name}`];

  it('a transport key that is not the one pinned', async () => {
    await predicted(exportPlan('export-other', (t) => t, 'ab'.repeat(32)), new RegExp(`plan\\.recipient: the key's fingerprint is ${transportFingerprint()}, not the ${'ab'.repeat(32)} pinned in the plan`), folders('export-other'));
  }, 60_000);
  it('an escrow agent’s RSA key that is not the one pinned', async () => {
    const plan = w.plan('escrow-other', 'escrow', (t) =>
      t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace(`age: "REPLACE WITH THE AGENT'S age1... RECIPIENT"`, `rsa: { file: kms.transport.json, fingerprint: "${'cd'.repeat(32)}" }`),
    );
    await predicted(plan, new RegExp(`plan\\.agent\\.rsa: the key's fingerprint is ${transportFingerprint()}, not the ${'cd'.repeat(32)} pinned in the plan`), folders('escrow-other'));
  }, 60_000);
  it('a key that is not in the inventory, and one that is not active: read from the inventory the transcripts recorded, before the quorum', async () => {
    await predicted(exportPlan('export-unknown', (t) => t.replace('keys: ["vsphere-kek-2026"]', 'keys: ["vsphere-kek-2026", no-such-key]')), /plan\.keys\[1\]: no key named "no-such-key" in the inventory/, folders('export-unknown'));
    const add = await custosTyping(quorum('alice', 'bob'), 'rehearse', w.plan('add-later', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('"vsphere-kek-2026"', 'kek-later').replace('state: active', 'state: pre-active')), '--json');
    expect(add.code, add.err).toBe(0);
    await predicted(exportPlan('export-later', (t) => t.replace('keys: ["vsphere-kek-2026"]', 'keys: [kek-later]')), /plan\.keys\[0\]: kek-later is pre-active: only active keys are exported/, folders('export-later'));
  }, 60_000);
  it('an add-key of a name the inventory holds, a change of a key it does not hold, and a transition SP 800-57 forbids: found before the quorum', async () => {
    const quorum2 = (t: string) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]');
    await predicted(w.plan('add-again', 'add-key', quorum2), /plan\.keys\[0\]\.name: a key named "vsphere-kek-2026" already exists/, ['vault']);
    await predicted(w.plan('change-unknown', 'change-state', (t) => quorum2(t).replace('key: "vsphere-kek-2026"', 'key: no-such-key')), /plan\.changes\[0\]\.key: no key named "no-such-key" in the inventory of master key [0-9a-f]{32}/, ['vault']);
    await predicted(w.plan('change-back', 'change-state', (t) => quorum2(t).replace('to: deactivated ', 'to: pre-active ')), /plan\.changes\[0\]\.to: vsphere-kek-2026 cannot go from active to pre-active \(allowed: /, ['vault']);
  }, 60_000);
  it('the current inventory missing from the vault', async () => {
    cpSync(at('vault'), at('vault-lost'), { recursive: true });
    const latest = readdirSync(at('vault-lost')).filter((n) => n.startsWith('inventory-')).sort().at(-1)!;
    rmSync(at('vault-lost', latest));
    const plan = w.plan('add-lost', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('"vsphere-kek-2026"', 'kek-lost'), { vault: 'vault-lost' });
    await predicted(plan, new RegExp(`vault/${latest.replace(/\./g, '\\.')}: is missing: generation \\d+ is recorded in the transcripts`), ['vault-lost']);
  }, 60_000);
});
