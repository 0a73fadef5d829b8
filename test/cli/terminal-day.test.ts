/**
 * The ceremony day at the terminal: what a team meets with the README and --help only. A
 * participant's age identity exported for the standard `age` tool; a share brought to a
 * quorum in each form it exists in; `plan check` refusing what `run` would refuse; errors
 * that name the culprit and say what to do.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSharePlaintext } from '../../src/core/shares/file';
import { describeShare } from '../../src/core/shares/record';
import { shareToQrPayload } from '../../src/core/shares/qr';
import { textToShare } from '../../src/core/shares/text';
import { nativeProvider as provider } from '../../src/node/native-provider';
import { custos, custosOk, custosTyping, typing, workstation } from '../helpers/lifecycle';
import { tool } from '../helpers/tools';
import { scratchDir } from '../helpers/scratch';

const dir = scratchDir('custos-day-'); // it holds a paper medium: never a temporary folder
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
const ok = custosOk;

let w: Awaited<ReturnType<typeof workstation>>;
/** A 2-of-3 set, recipient-protected files and paper cards. */
let set: { setId: string; kcv: string; keyId: string };

beforeAll(async () => {
  w = await workstation(dir);
  const plan = w.plan('generate', 'generate', (t) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]').replace('protection: passphrase', 'protection: recipient'));
  set = (await ok('rehearse', plan, '--answers', w.answersFile('generate', 'out-generate', []), '--json')) as typeof set;
  // A second vault: a passphrase-protected 2-of-2 set, files only.
  const p2 = w.plan('gen-pass', 'generate', (t) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob]').replace('forms: [file, paper]', 'forms: [file]'), { vault: 'vault-p' });
  await ok('rehearse', p2, '--answers', w.answersFile('gen-pass', 'out-gen-pass', []), '--work-factor', '10', '--json');
  mkdirSync(at('usb-alice'));
  writeFileSync(at('alice.pass'), 'alice identity passphrase\n');
  writeFileSync(at('export.pass'), 'a passphrase for age alone\n');
}, 120_000);

describe('custos identity export-age: the standard age tool opens a recipient share', () => {
  it.runIf(tool('age'))('unprotected: age -d -i opens alice’s share file to the very record Custos issued', async () => {
    const r = await ok('identity', 'export-age', at('ids', 'alice.identity.age'), '--out', at('usb-alice'), '--unprotected', 'yes', '--passphrase-file', at('alice.pass'), '--json');
    expect(r).toMatchObject({ id: 'alice', protected: false, file: at('usb-alice', 'alice.age-identity.txt') });
    expect(statSync(at('usb-alice', 'alice.age-identity.txt')).mode & 0o077).toBe(0); // its owner's alone
    const d = spawnSync('age', ['-d', '-i', at('usb-alice', 'alice.age-identity.txt'), at('out-generate', 'alice.share.age')]);
    expect(d.status, d.stderr.toString()).toBe(0);
    expect(describeShare(parseSharePlaintext(provider, new Uint8Array(d.stdout), 'share'))).toMatchObject({ setId: set.setId, kcv: set.kcv, index: 1 });
    // and not bob's: the identity is alice's alone
    expect(spawnSync('age', ['-d', '-i', at('usb-alice', 'alice.age-identity.txt'), at('out-generate', 'bob.share.age')]).status).not.toBe(0);
  }, 60_000);

  it.runIf(tool('age') && tool('python3'))('sealed (the default): age asks for the export passphrase, then opens the share', async () => {
    await ok('identity', 'export-age', at('ids', 'alice.identity.age'), '--out', at('usb-alice'), '--passphrase-file', at('alice.pass'), '--export-passphrase-file', at('export.pass'), '--json');
    const exported = at('usb-alice', 'alice.age-identity.age');
    expect(readFileSync(exported, 'utf8')).not.toContain('AGE-SECRET-KEY');
    const out = at('alice.share.bin');
    const r = spawnSync('python3', ['test/helpers/keyboard.py', JSON.stringify([{ wait: 'passphrase' }, { send: 'a passphrase for age alone\r' }]), 'age', '-d', '-i', exported, '-o', out, at('out-generate', 'alice.share.age')], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(describeShare(parseSharePlaintext(provider, new Uint8Array(readFileSync(out)), 'share'))).toMatchObject({ setId: set.setId, index: 1 });
  }, 60_000);

  it('a wrong identity passphrase names the identity file, an existing export is never overwritten, and nothing is written', async () => {
    writeFileSync(at('wrong.pass'), 'not alice at all\n');
    const before = readdirSync(at('usb-alice')).sort();
    const wrong = await custos('identity', 'export-age', at('ids', 'alice.identity.age'), '--out', at('usb-alice'), '--unprotected', 'yes', '--passphrase-file', at('wrong.pass'));
    expect(wrong).toMatchObject({ code: 1, err: expect.stringMatching(/passphrase: does not open the identity file .*alice\.identity\.age/) });
    const again = await custos('identity', 'export-age', at('ids', 'alice.identity.age'), '--out', at('usb-alice'), '--unprotected', 'yes', '--passphrase-file', at('alice.pass'));
    expect(again).toMatchObject({ code: 1, err: expect.stringMatching(/alice\.age-identity\.txt already exists: Custos never overwrites/) });
    const short = await custos('identity', 'export-age', at('ids', 'bob.identity.age'), '--out', at('usb-alice'), '--passphrase-file', at('alice.pass'), '--export-passphrase-file', at('alice.pass'));
    expect(short.code).toBe(1); // alice's passphrase does not open bob's identity
    expect(readdirSync(at('usb-alice')).sort()).toEqual(before);
    expect(existsSync(at('usb-alice', 'bob.age-identity.age'))).toBe(false);
  }, 60_000);
});

describe('a quorum takes a share in every form it exists in', () => {
  it('alice types her paper card (a mistyped line is named and typed again), bob gives his card’s text file, carol her recipient share file', async () => {
    const plan = w.plan('add-typed', 'add-key', (t) =>
      t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob, carol]').replace(/keys:\n {2}- name: "vsphere-kek-2026"[\s\S]*?# default pre-active; or active\n/, 'keys:\n  - { name: kek-typed, usage: [wrap-key], cryptoperiodDays: 30 }\n'),
    );
    const people = typing(dir, { alice: 'typed:paper-generate/alice.share.txt:typo-03', bob: 'paper-generate/bob.share.txt', carol: 'identity:out-generate/carol.share.age' });
    const r = await custosTyping(people, 'rehearse', plan);
    expect(r.code, r.err + r.out).toBe(0);
    expect(r.out).toMatch(/share\.alice\.line\[03\]: the line check does not match: a character on this line is mistyped \(or two neighbours swapped\)[^\n]*Type line 03 again/);
    expect(people.asked.filter((q) => q.startsWith('alice: line 03 of 14'))).toHaveLength(2);
    expect(people.asked.filter((q) => q.startsWith('alice: line 04 of 14'))).toHaveLength(1);
    expect(people.asked.some((q) => q.startsWith('bob: passphrase of your share file'))).toBe(false); // a card in the clear needs none
    const t = readFileSync(at('vault', 'add-typed.jsonl'), 'utf8');
    const forms = t.split('\n').filter((l) => l.includes('"quorum.share"')).map((l) => JSON.parse(l).data.form as string);
    expect(forms).toEqual(['paper', 'paper', 'file']);
    expect(t).not.toContain(readFileSync(at('paper-generate', 'alice.share.txt'), 'utf8').split('\n')[1]!.slice(4, 18));
  }, 120_000);

  it('custos share type checks a card line by line and writes it only where asked', async () => {
    const r = await custosTyping(typing(dir, { you: 'typed:paper-generate/carol.share.txt:typo-07' }), 'share', 'type', '--out', at('carol-typed.txt'), '--json');
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/share\.you\.line\[07\]: the line check does not match/);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, share: { setId: set.setId, index: 3, kcv: set.kcv } });
    expect((await custos('share', 'inspect', at('carol-typed.txt'), '--json')).code).toBe(0);
    const again = await custosTyping(typing(dir, { you: 'typed:paper-generate/carol.share.txt' }), 'share', 'type', '--out', at('carol-typed.txt'));
    expect(again).toMatchObject({ code: 1, err: expect.stringMatching(/carol-typed\.txt already exists: Custos never overwrites/) });
  }, 60_000);
});

describe('custos verify shares asks at the terminal', () => {
  const pin = () => ['--roster', w.roster, '--roster-words', w.words];
  it('a passphrase share file: its passphrase is asked, without echo; a wrong one fails naming the file', async () => {
    const asked: [string, boolean][] = [];
    const say = (answer: string) => (q: string, _f: string, secret: boolean) => (asked.push([q, secret]), answer);
    const r = await custosTyping(say('alice share passphrase'), 'verify', 'shares', at('out-gen-pass', 'alice.share.age'), '--vault', at('vault-p'), ...pin(), '--json');
    expect(r.code, r.err).toBe(0);
    expect(asked).toEqual([['passphrase of the share file alice.share.age: ', true]]);
    const wrong = await custosTyping(say('bob share passphrase'), 'verify', 'shares', at('out-gen-pass', 'alice.share.age'), '--vault', at('vault-p'), ...pin());
    expect(wrong).toMatchObject({ code: 1, err: expect.stringMatching(/alice\.share\.age: passphrase: does not open this share file/) });
  }, 60_000);
  it('a recipient share file opens with its custodian’s identity', async () => {
    const answers = [at('ids', 'carol.identity.age'), 'carol identity passphrase'];
    const asked: string[] = [];
    const r = await custosTyping((q) => (asked.push(q), answers.shift()!), 'verify', 'shares', at('out-generate', 'carol.share.age'), '--vault', at('vault'), ...pin(), '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).shares[0]).toMatchObject({ setId: set.setId, index: 3 });
    expect(asked).toEqual(["carol.share.age opens with its custodian's identity: path of the identity file: ", 'identity passphrase of carol.identity.age: ']);
    // No such identity file: bad input (exit 2), not a share that failed verification.
    const missing = await custosTyping(() => at('ids', 'nobody.identity.age'), 'verify', 'shares', at('out-generate', 'carol.share.age'), '--vault', at('vault'), ...pin());
    expect(missing).toMatchObject({ code: 2, err: expect.stringMatching(/nobody\.identity\.age cannot be read \(ENOENT\)/) });
  }, 60_000);
});

describe('errors that name the culprit', () => {
  it('a share of another set is named with both sets, asked again, and the rerun with the right share closes', async () => {
    const plan = w.plan('add-wrong', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('"vsphere-kek-2026"', 'kek-wrong'), { vault: 'vault-p' });
    const wrong = typing(dir, { alice: 'identity:out-generate/alice.share.age', bob: 'out-gen-pass/bob.share.age' });
    const r = await custosTyping(wrong, 'rehearse', plan);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(new RegExp(`alice's share belongs to set ${set.setId}, which no valid ceremony of this vault issued, not set [0-9a-f]{32} \\(master key cmac-aes:[0-9a-f]{6}, 2 of 2\\): bring your share of set`));
    expect(r.err).toMatch(/the ceremony is interrupted, not lost: run the plan again to resume/);
    expect(wrong.asked.filter((q) => q.startsWith('alice: path of your share file'))).toHaveLength(3);
    const right = await custosTyping(typing(dir, { alice: 'out-gen-pass/alice.share.age', bob: 'out-gen-pass/bob.share.age' }), 'rehearse', plan, '--json');
    expect(right.code, right.err).toBe(0);
    expect(JSON.parse(right.out)).toMatchObject({ ok: true, kind: 'add-key' });
  }, 120_000);
});

describe('a share brought by another custodian', () => {
  it('is named with whose it is, asked again, and the run stops as an interruption', async () => {
    const plan = w.plan('add-holder', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('"vsphere-kek-2026"', 'kek-holder'));
    const people = typing(dir, { alice: 'paper-generate/alice.share.txt', bob: 'paper-generate/carol.share.txt' });
    const r = await custosTyping(people, 'rehearse', plan);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(new RegExp(`bob brought share 3 of set ${set.setId}, which was issued to carol: bring your own share`));
    expect(r.err).toMatch(/the ceremony is interrupted, not lost/);
    expect(people.asked.filter((q) => q.startsWith('bob: path of your share file'))).toHaveLength(3);
  }, 60_000);
});

describe('a custodian who cannot bring a usable share, when the others can still meet the threshold', () => {
  it('is refused and recorded after three tries, and the quorum goes on without them', async () => {
    const plan = w.plan('add-without-bob', 'add-key', (t) => t.replace('"vsphere-kek-2026"', 'kek-without-bob'));
    const people = typing(dir, { alice: 'paper-generate/alice.share.txt', bob: 'paper-generate/carol.share.txt', carol: 'paper-generate/carol.share.txt' });
    const r = await custosTyping(people, 'rehearse', plan, '--json');
    expect(r.code, r.err).toBe(0);
    const events = readFileSync(at('vault', 'add-without-bob.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { actor: string; type: string; data: Record<string, unknown> });
    expect(events.find((e) => e.type === 'quorum.share-refused')).toMatchObject({ actor: 'bob', data: { custodian: 'bob', code: 'quorum.holder' } });
    expect(events.find((e) => e.type === 'quorum.unlocked')?.data.custodians).toEqual(['alice', 'carol']);
  }, 60_000);
});

describe('plan check predicts run: refused before anyone is asked anything', () => {
  /** `plan check` fails with `re`, and a run with people at the terminal fails the same way having asked nothing. */
  async function predicted(plan: string, re: RegExp) {
    const check = await custos('plan', 'check', plan);
    expect(check.code, check.out).toBe(1);
    expect(check.err).toMatch(re);
    const people = typing(dir, {});
    const run = await custosTyping(people, 'rehearse', plan);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(re);
    expect(people.asked).toEqual([]);
  }
  it('a quorum smaller than its set’s threshold', async () => {
    await predicted(
      w.plan('one-short', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice]').replace('"vsphere-kek-2026"', 'kek-short')),
      new RegExp(`plan\\.quorum: names 1 custodian, but share set ${set.setId} \\(master key ${set.kcv}\\) needs 2 of its 3`),
    );
  }, 60_000);
  it('a quorum member who holds no share of the live set', async () => {
    await predicted(
      w.plan('outsider', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, dave]').replace('"vsphere-kek-2026"', 'kek-outsider')),
      new RegExp(`plan\\.quorum: dave holds no share of a live set; the live set ${set.setId} \\(master key ${set.kcv}\\), held by alice, bob, carol`),
    );
  }, 60_000);
  it('a transcript of that name that is closed (rerunning a finished plan), and outputs that exist', async () => {
    await predicted(w.plan('generate', 'generate', (t) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]').replace('protection: passphrase', 'protection: recipient')), /transcript: is already closed: this ceremony is complete/);
    const again = w.plan('generate-again', 'generate', (t) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]'), { out: 'out-generate' });
    await predicted(again, /plan\.outputs: would overwrite alice\.share\.age, bob\.share\.age, carol\.share\.age: Custos never overwrites/);
  }, 60_000);
  it('a restore into a vault that is not empty', async () => {
    await predicted(w.plan('restore-busy', 'restore', (t) => t.replace(/file: \S+\.custos-backup/, 'file: nothing.custos-backup')), /plan\.vault: is not empty \(.*\): a restore only writes into an empty vault/);
  }, 60_000);
  it('a quorum that holds only a revoked set (after a reshare)', async () => {
    const reshare = w.plan('reshare-p', 'reshare', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, carol]').replace('forms: [file, paper]', 'forms: [file]'), { vault: 'vault-p' });
    const r = await ok('rehearse', reshare, '--answers', w.answersFile('reshare-p', 'out-gen-pass', ['alice', 'bob']), '--work-factor', '10', '--json');
    await predicted(
      w.plan('after-reshare', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('"vsphere-kek-2026"', 'kek-late'), { vault: 'vault-p' }),
      new RegExp(`plan\\.quorum: share set ${String(r.revoked)}, the one this quorum holds, was revoked by ceremony [0-9a-f]{32} on \\S+: its shares are refused; name custodians of the live set [0-9a-f]{32} \\(master key cmac-aes:[0-9a-f]{6}\\), held by alice, carol`),
    );
  }, 120_000);
});

describe('a share of the wrong set is named as it is brought, whose it is and which set it belongs to', () => {
  /** `plan` is refused once `who` has been asked three times for their share, with `re` said. */
  async function named(plan: string, people: ReturnType<typeof typing>, who: string, re: RegExp) {
    const r = await custosTyping(people, 'rehearse', plan);
    expect(r.code).toBe(1);
    expect(r.out + r.err).toMatch(re);
    expect(r.err).toMatch(/the ceremony is interrupted, not lost: run the plan again to resume/);
    expect(people.asked.filter((q) => q.startsWith(`${who}: path of your share file`))).toHaveLength(3);
  }
  it('a share of a revoked set (the old set, after a reshare)', async () => {
    const t = readFileSync(at('vault-p', 'reshare-p.jsonl'), 'utf8').split('\n').map((l) => (l ? (JSON.parse(l) as { type: string; data: { setId?: string; replacedBy?: string } }) : undefined));
    const revoked = t.find((e) => e?.type === 'shares.revoked')!.data;
    const plan = w.plan('add-revoked', 'add-key', (x) => x.replace('quorum: [alice, bob, carol]', 'quorum: [alice, carol]').replace('"vsphere-kek-2026"', 'kek-revoked'), { vault: 'vault-p' });
    await named(
      plan,
      typing(dir, { alice: 'out-gen-pass/alice.share.age', carol: 'out-reshare-p/carol.share.age' }),
      'alice',
      new RegExp(`alice's share belongs to set ${revoked.setId}, revoked by ceremony [0-9a-f]{32} on \\S+, not set ${revoked.replacedBy} \\(master key cmac-aes:[0-9a-f]{6}, 2 of 2\\): bring your share of set ${revoked.replacedBy}`),
    );
  }, 120_000);

  describe('in a vault of three master keys: A and B held by alice and bob, C by alice and carol', () => {
    const sets: Record<string, { setId: string; kcv: string }> = {};
    beforeAll(async () => {
      for (const [k, custodians] of [['a', 'alice, bob'], ['b', 'alice, bob'], ['c', 'alice, carol']] as const) {
        const plan = w.plan(`gen-${k}`, 'generate', (t) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', `[${custodians}]`).replace('protection: passphrase', 'protection: recipient').replace('forms: [file, paper]', 'forms: [file]'), { vault: 'vault-abc' });
        sets[k] = (await ok('rehearse', plan, '--answers', w.answersFile(`gen-${k}`, `out-gen-${k}`, []), '--json')) as { setId: string; kcv: string };
      }
    }, 120_000);
    it('a share of another master key than the one set the quorum holds', async () => {
      const plan = w.plan('add-other-key', 'add-key', (x) => x.replace('quorum: [alice, bob, carol]', 'quorum: [alice, carol]').replace('"vsphere-kek-2026"', 'kek-other-key'), { vault: 'vault-abc' });
      await named(
        plan,
        typing(dir, { alice: 'identity:out-gen-a/alice.share.age', carol: 'identity:out-gen-c/carol.share.age' }),
        'alice',
        new RegExp(`alice's share belongs to set ${sets.a!.setId} of another master key \\(${sets.a!.kcv}\\), not set ${sets.c!.setId} \\(master key ${sets.c!.kcv}, 2 of 2\\): bring your share of set ${sets.c!.setId}`),
      );
    }, 60_000);
    it('two live sets of the same custodians: the first share decides, and a share of the other is named with both sets; the rerun with the right one closes', async () => {
      const plan = w.plan('add-two-sets', 'add-key', (x) => x.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('"vsphere-kek-2026"', 'kek-two-sets'), { vault: 'vault-abc' });
      await named(
        plan,
        typing(dir, { alice: 'identity:out-gen-a/alice.share.age', bob: 'identity:out-gen-b/bob.share.age' }),
        'bob',
        new RegExp(`bob's share belongs to set ${sets.b!.setId} of another master key \\(${sets.b!.kcv}\\), not set ${sets.a!.setId} \\(master key ${sets.a!.kcv}, 2 of 2\\), the set alice's share opened: bring your share of set ${sets.a!.setId}`),
      );
      const right = await custosTyping(typing(dir, { alice: 'identity:out-gen-a/alice.share.age', bob: 'identity:out-gen-a/bob.share.age' }), 'rehearse', plan, '--json');
      expect(right.code, right.err).toBe(0);
      expect(JSON.parse(right.out)).toMatchObject({ ok: true, kind: 'add-key' });
    }, 60_000);
  });
});

describe('interruptions and typos at the terminal', () => {
  it('a wrong identity passphrase names whose identity it was, and is asked again', async () => {
    const plan = w.plan('add-typo', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('"vsphere-kek-2026"', 'kek-typo'));
    // bob brings the QR payload of his card, as a scanner writes it to a text file
    writeFileSync(at('bob.qr.txt'), shareToQrPayload(textToShare(provider, readFileSync(at('paper-generate', 'bob.share.txt'), 'utf8'))) + '\n');
    const people = typing(dir, { alice: 'paper-generate/alice.share.txt', bob: 'bob.qr.txt' });
    let slipped = false;
    const clumsy = Object.assign((q: string, f: string, s: boolean) => {
      if (!slipped && q.startsWith('bob: identity passphrase')) {
        slipped = true;
        people.asked.push(q);
        return 'bob identity passphrasf';
      }
      return people(q, f, s);
    }, { asked: people.asked });
    const r = await custosTyping(clumsy, 'rehearse', plan);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain("bob: the passphrase typed does not open bob's identity file. Try again (2 attempts left).");
    const events = readFileSync(at('vault', 'add-typo.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { actor: string; type: string; data: { form?: string } });
    expect(events.find((e) => e.type === 'quorum.share' && e.actor === 'bob')?.data.form).toBe('paper');
  }, 60_000);

  it('a rerun that only completes an interrupted close exits 0 and says closed now', async () => {
    const plan = w.plan('close-late', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('"vsphere-kek-2026"', 'kek-late-close'));
    const answers = w.answersFile('close-late', 'paper-generate', []);
    writeFileSync(answers, readFileSync(answers, 'utf8') + 'shares:\n  alice: { file: paper-generate/alice.share.txt }\n  bob: { file: paper-generate/bob.share.txt }\n');
    expect((await custos('rehearse', plan, '--answers', answers)).code).toBe(0);
    const t = at('vault', 'close-late.jsonl');
    const lines = readFileSync(t, 'utf8').split('\n');
    writeFileSync(t, lines.slice(0, -2).join('\n') + '\n'); // the operator's attestation never written
    const again = await custos('rehearse', plan, '--answers', answers);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/^REHEARSAL add-key ceremony [0-9a-f]{32} closed now: the interrupted run's remaining attestations are signed$/m);
    expect((await custos('verify', 'transcript', t, '--roster', w.roster, '--roster-words', w.words)).code).toBe(0);
  }, 60_000);
});

describe('what a forged file says is printed, never obeyed', () => {
  it('inspect and errors show control characters and bidi overrides as escapes', async () => {
    const lines = readFileSync(at('vault', 'generate.jsonl'), 'utf8').split('\n');
    const first = JSON.parse(lines[0]!) as { data: { name: string } };
    first.data.name = 'Drill\u001b[2K\rwords  abandon abandon\u202e';
    writeFileSync(at('forged.jsonl'), [JSON.stringify(first), ...lines.slice(1)].join('\n'));
    const r = await custos('inspect', at('forged.jsonl'));
    expect(r.code, r.err).toBe(0);
    // eslint-disable-next-line no-control-regex -- the escape character must not reach the terminal
    expect(r.out).not.toMatch(/[\u001b\r\u202e]/);
    expect(r.out).toContain('Drill\\u{1b}[2K\\u{d}words  abandon abandon\\u{202e}');
  });
});
