/**
 * People at the terminal: a typo is asked again and never voids a ceremony; running out of
 * attempts interrupts it (the rerun resumes); an approver is shown what they sign, and may say
 * no. Real runs, each person typing (test/helpers/lifecycle.ts `typing`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTransportKey } from '../../src/core/documents/transport';
import { nativeProvider as provider } from '../../src/node/native-provider';
import type { Terminal } from '../../src/cli/io';
import { custos, custosTyping, enrollmentCeremony, PEOPLE, typing, workstation } from '../helpers/lifecycle';

const dir = mkdtempSync(join(tmpdir(), 'custos-people-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
let w: Awaited<ReturnType<typeof workstation>>;
let real: Awaited<ReturnType<typeof enrollmentCeremony>>;
const small = (t: string) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]').replace('forms: [file, paper]', 'forms: [file]');
const events = (file: string) => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { actor: string; type: string; data: Record<string, unknown> });

/** The typing room, except that `wrong(question, count)` may give another answer. */
function room(shares: Record<string, string>, wrong: (q: string, n: number) => string | undefined): Terminal & { asked: string[] } {
  const t = typing(dir, shares, 'real-ids');
  const seen = new Map<string, number>();
  let previous = '';
  const r: Terminal = (q, f, s) => {
    const last = q.split('\n').at(-1)!;
    const n = (seen.get(last) ?? 0) + 1;
    seen.set(last, n);
    const answer = t(q, f, s);
    const given = wrong(last, n) ?? (/^[a-z]+: type it again/.test(last) ? previous : answer);
    previous = given;
    return given;
  };
  return Object.assign(r, { asked: t.asked });
}

beforeAll(async () => {
  w = await workstation(dir);
  real = await enrollmentCeremony(
    dir,
    PEOPLE.filter(([id]) => ['oscar', 'wendy', 'alice', 'bob', 'carol'].includes(id)),
    { idsDir: 'real-ids', out: 'out-enroll', vault: 'vault' },
  );
}, 120_000);

const pinned = () => ({ roster: { file: 'out-enroll/roster.json', words: real.words } });

describe('a typo never voids a ceremony', { timeout: 180_000 }, () => {
  it('a mistyped share passphrase at the re-opening is asked again; the failure is recorded without the text', async () => {
    const t = room({}, (q, n) => (q.startsWith('bob: type your share-file passphrase again') && n === 1 ? 'bob share passphrasf' : undefined));
    const r = await custosTyping(t, 'run', w.plan('gen-typo', 'generate', small, { out: 'out-typo', ...pinned() }));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/bob: passphrase: does not open this share file\. Try again \(2 attempts left\)/);
    expect(t.asked.filter((q) => q.startsWith('bob: type your share-file passphrase again'))).toHaveLength(2);
    const failed = events(at('vault', 'gen-typo.jsonl')).filter((e) => e.type === 'attempt.failed');
    expect(failed).toEqual([expect.objectContaining({ actor: 'oscar', data: { participant: 'bob', step: 're-open your share file', attempt: 1, code: 'file.passphrase' } })]);
    expect(readFileSync(at('vault', 'gen-typo.jsonl'), 'utf8')).not.toMatch(/bob share passphras/);
    expect((await custos('verify', 'transcript', at('vault', 'gen-typo.jsonl'), '--roster', at('out-enroll', 'roster.json'), '--roster-words', real.words)).code).toBe(0);
  });

  it('a share passphrase that is too short, or typed twice differently, is asked again before anything is sealed', async () => {
    const t = room({}, (q, n) => {
      if (q.startsWith('alice: choose the passphrase of your share file') && n === 1) return 'short';
      if (q.startsWith('carol: type it again') && n === 1) return 'carol share passphrasX';
      return undefined;
    });
    const r = await custosTyping(t, 'run', w.plan('gen-short', 'generate', small, { out: 'out-short', vault: 'vault-short', ...pinned() }));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/alice: the passphrase must be at least 10 characters\. Try again/);
    expect(r.out).toMatch(/carol: the two passphrases differ\. Try again/);
  });

  it('three failed attempts interrupt the ceremony (not aborted): running the plan again resumes it and the shares hold', async () => {
    const plan = w.plan('gen-stuck', 'generate', small, { out: 'out-stuck', vault: 'vault-stuck', ...pinned() });
    const stuck = room({}, (q) => (q.startsWith('carol: type your share-file passphrase again') ? 'not carols passphrase' : undefined));
    const r = await custosTyping(stuck, 'run', plan);
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(/carol: passphrase: does not open this share file \(3 attempts to re-open your share file\); the ceremony is interrupted, not lost: run the plan again to resume/) });
    const before = events(at('vault-stuck', 'gen-stuck.jsonl'));
    expect(before.map((e) => e.type)).not.toContain('ceremony.aborted');
    expect(before.filter((e) => e.type === 'attempt.failed')).toHaveLength(3);
    const again = await custosTyping(room({}, () => undefined), 'run', plan, '--json');
    expect(again.code, again.err).toBe(0);
    const after = events(at('vault-stuck', 'gen-stuck.jsonl'));
    expect(after.map((e) => e.type)).toContain('ceremony.resumed');
    expect(after.filter((e) => e.type === 'share.verified').map((e) => e.actor)).toEqual(['alice', 'bob', 'carol']);
    expect((await custos('verify', 'transcript', at('vault-stuck', 'gen-stuck.jsonl'), '--roster', at('out-enroll', 'roster.json'), '--roster-words', real.words)).code).toBe(0);
  });
});

describe('an approver sees what they sign', { timeout: 180_000 }, () => {
  it('each approver is shown the keys, KCVs, recipient words, expiry and head before unlocking; a "no" stops the export before anyone signs', async () => {
    const shares = { alice: 'out-typo/alice.share.age', bob: 'out-typo/bob.share.age', carol: 'out-typo/carol.share.age' };
    const add = await custosTyping(room(shares, () => undefined), 'run', w.plan('add', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('"vsphere-kek-2026"', 'kek-1'), pinned()), '--json');
    expect(add.code, add.err).toBe(0);
    const kcv = (JSON.parse(add.out) as { keys: { kcv: string }[] }).keys[0]!.kcv;
    const transport = parseTransportKey(provider, readFileSync(at('kms.transport.json'), 'utf8'));
    const exportPlan = (name: string) =>
      w.plan(
        name,
        'export-bundle',
        (t) =>
          t
            .replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]')
            .replace('approvers: [dave, erin]', 'approvers: [bob, carol]')
            .replace('keys: ["vsphere-kek-2026"]', 'keys: [kek-1]')
            .replace('file: kms-prod-1.transport.json', 'file: kms.transport.json')
            .replace('"REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"', `"${transport.fingerprint}"`),
        pinned(),
      );
    const no = room(shares, (q) => (q.startsWith('carol: type yes to approve') ? 'no' : undefined));
    const declined = await custosTyping(no, 'run', exportPlan('export-no'));
    expect(declined).toMatchObject({ code: 1, err: expect.stringMatching(/carol: carol declined to approve: Approve the export of 1 key\(s\) to key server kms-test-1/) });
    const shown = no.asked.find((q) => q.endsWith('bob: type yes to approve exactly this (anything else declines): '))!;
    expect(shown).toContain('Approve the export of 1 key(s) to key server kms-test-1');
    expect(shown).toContain(`key kek-1  ${kcv}`);
    expect(shown).toContain(transport.words.join(' '));
    expect(shown).toMatch(/expires \d{4}-\d{2}-\d{2}T/);
    expect(shown).toMatch(/bundle manifest SHA-256 [0-9a-f]{64}/);
    // Bob reviewed and unlocked; carol's "no" came before her unlock, and no approval was recorded.
    const idxReview = no.asked.findIndex((q) => q.startsWith('carol: read') || q.includes('carol: type yes'));
    expect(no.asked.slice(idxReview).some((q) => q.startsWith('carol: path of your identity file'))).toBe(false);
    expect(events(at('vault', 'export-no.jsonl')).map((e) => e.type)).not.toContain('bundle.approved');
    // Both say yes: each approval records the hash of the summary they were shown.
    const yes = await custosTyping(room(shares, () => undefined), 'run', exportPlan('export-yes'));
    expect(yes.code, yes.err).toBe(0);
    const approved = events(at('vault', 'export-yes.jsonl')).filter((e) => e.type === 'bundle.approved');
    expect(approved.map((e) => e.actor)).toEqual(['bob', 'carol']);
    for (const e of approved) expect(e.data.summarySha256).toMatch(/^[0-9a-f]{64}$/);
    expect(approved[0]!.data.summarySha256).toBe(approved[1]!.data.summarySha256);
  });
});
