/**
 * The whole life of a master key through the `custos` command: generate 3-of-5, add keys,
 * change a state, export a bundle for a key server, escrow to an agent, back up, restore into
 * an empty vault with a different 3 custodians (identical KCVs), reshare (the old set is then
 * refused) and rotate. Every transcript, bundle, escrow and backup verifies; the policy
 * refusals name their reason and write nothing.
 */
import { execFileSync } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { base64 } from '@scure/base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rsaAesUnwrap } from '../../src/core/crypto/rsa-aes-wrap';
import { kcv } from '../../src/core/crypto/kcv';
import { openAge } from '../../src/core/age';
import { wipe } from '../../src/core/crypto/bytes';
import { nativeProvider as provider } from '../../src/node/native-provider';
import { custos, custosProcess, TRANSPORT_PEM, workstation } from '../helpers/lifecycle';
import { tool } from '../helpers/tools';
import { parsePlan } from '../../src/core/plan/schema';
import { verifyRoster } from '../../src/core/roster/roster';
import { verifyTranscript } from '../../src/core/transcript/transcript';
import { describeSteps, progress, stepOf } from '../../src/core/ceremony/steps';

const dir = mkdtempSync(join(tmpdir(), 'custos-life-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
const json = (r: { code: number | null; out: string; err: string }) => {
  expect(r.code, r.err + r.out).toBe(0);
  return JSON.parse(r.out) as Record<string, unknown> & { keys?: { name: string; kcv: string }[] };
};

let w: Awaited<ReturnType<typeof workstation>>;
const kcvs: Record<string, string> = {};
let fingerprint = '';

beforeAll(async () => {
  w = await workstation(dir);
}, 60_000);

describe('the life of a master key through the CLI', () => {
  it('generate 3-of-5 (a separate process, as an operator runs it)', () => {
    const plan = w.plan('generate', 'generate', (t) => t.replace('forms: [file, paper]', 'forms: [file]'));
    const r = custosProcess('rehearse', plan, '--answers', w.answersFile('generate', 'out-generate', []), '--work-factor', '10', '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, kind: 'generate', rehearsal: true });
    expect(readdirSync(at('out-generate')).sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'erin'].map((c) => `${c}.share.age`));
    expect(readdirSync(at('vault')).some((n) => /^inventory-[0-9a-f]{32}-000000\.json$/.test(n))).toBe(true);
  }, 60_000);

  it('add-key: a quorum of alice, bob and carol adds two KEKs', async () => {
    const plan = w.plan('add-key', 'add-key', (t) =>
      t.replace(/keys:\n {2}- name: "vsphere-kek-2026"[\s\S]*?# default pre-active; or active\n/, 'keys:\n  - { name: kek-vsphere, usage: [wrap-key, unwrap-key], cryptoperiodDays: 365, state: active }\n  - { name: kek-mongo, usage: [wrap-key, unwrap-key], cryptoperiodDays: 365 }\n'),
    );
    const r = json(await custos('rehearse', plan, '--answers', w.answersFile('add-key', 'out-generate', ['alice', 'bob', 'carol']), '--json'));
    for (const k of r.keys!) kcvs[k.name] = k.kcv;
    expect(Object.keys(kcvs)).toEqual(['kek-vsphere', 'kek-mongo']);
    expect(r.generation).toBe(2); // one generation per change
  }, 60_000);

  it('change-state: kek-mongo goes from pre-active to active', async () => {
    const plan = w.plan('activate', 'change-state', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [bob, carol, dave]').replace('"vsphere-kek-2026"', 'kek-mongo').replace('to: deactivated', 'to: active').replace('"cryptoperiod ended"', '"go live"'));
    const r = json(await custos('rehearse', plan, '--answers', w.answersFile('activate', 'out-generate', ['bob', 'carol', 'dave']), '--json'));
    expect(r).toMatchObject({ generation: 3, changed: [{ name: 'kek-mongo', from: 'pre-active', to: 'active' }] });
  }, 60_000);

  it('export-bundle: wrapped for the pinned transport key, approved by two custodians, verified, and the server unwraps the same KCVs', async () => {
    const fp = json(await custos('inspect', at('kms.transport.json'), '--json'));
    expect(fp.type).toBe('custos.transport-key');
    const { parseTransportKey } = await import('../../src/core/documents/transport');
    fingerprint = parseTransportKey(provider, readFileSync(at('kms.transport.json'), 'utf8')).fingerprint;
    const plan = w.plan('export', 'export-bundle', (t) =>
      t.replace('keys: ["vsphere-kek-2026"]', 'keys: [kek-vsphere, kek-mongo]').replace('file: kms-prod-1.transport.json', 'file: kms.transport.json').replace('"REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"', `"${fingerprint}"`),
    );
    const r = json(await custos('rehearse', plan, '--answers', w.answersFile('export', 'out-generate', ['alice', 'bob', 'carol']), '--json'));
    const bundle = at('out-export', 'kms-prod-1.bundle.json');
    expect(r.file).toBe('kms-prod-1.bundle.json');
    const v = json(await custos('verify', 'bundle', bundle, '--roster', w.roster, '--roster-words', w.words, '--fingerprint', fingerprint, '--transport', at('kms.transport.json'), '--transcript', at('vault', 'export.jsonl'), '--json'));
    // An enrollment file alone pins nothing: --transport without the fingerprint is a usage error.
    expect((await custos('verify', 'bundle', bundle, '--roster', w.roster, '--roster-words', w.words, '--transport', at('kms.transport.json'))).code).toBe(2);
    expect(v).toMatchObject({ approvers: ['dave', 'erin'], recipient: { server: 'kms-test-1', fingerprint } });
    // The key server's side: unwrap with the transport private key; the KCVs are the inventory's.
    const pkcs8 = new Uint8Array(createPrivateKey(TRANSPORT_PEM).export({ type: 'pkcs8', format: 'der' }));
    const m = JSON.parse(readFileSync(bundle, 'utf8')).manifest as { keys: { name: string; kcv: string; wrapped: string }[] };
    for (const k of m.keys) {
      const key = rsaAesUnwrap(provider, pkcs8, base64.decode(k.wrapped));
      expect(kcv(provider, key)).toBe(kcvs[k.name]);
      wipe(key);
    }
    // Another transport key's fingerprint is refused.
    const other = await custos('verify', 'bundle', bundle, '--roster', w.roster, '--roster-words', w.words, '--fingerprint', 'ab'.repeat(32));
    expect(other).toMatchObject({ code: 1, err: expect.stringMatching(/bundle\.manifest\.recipient\.fingerprint: the bundle is wrapped for transport key/) });
    expect(json(await custos('verify', 'transcript', at('vault', 'export.jsonl'), '--roster', w.roster, '--roster-words', w.words, '--json'))).toMatchObject({ kind: 'export-bundle' });
  }, 60_000);

  it('escrow: the agent opens the payload (with the age tool when present) and finds the KCVs of the manifest', async () => {
    const plan = w.plan('escrow', 'escrow', (t) => t.replace('keys: ["vsphere-kek-2026"]', 'keys: [kek-vsphere]').replace(`"REPLACE WITH THE AGENT'S age1... RECIPIENT"`, `"${w.agentRecipient}"`));
    json(await custos('rehearse', plan, '--answers', w.answersFile('escrow', 'out-generate', ['alice', 'bob', 'carol']), '--json'));
    const manifest = at('out-escrow', 'escrow-2026-01.json');
    const payload = at('out-escrow', 'escrow-2026-01.age');
    expect(json(await custos('verify', 'escrow', manifest, '--roster', w.roster, '--roster-words', w.words, '--payload', payload, '--json'))).toMatchObject({ approvers: ['dave', 'erin'], payloadChecked: true });
    const keys = await openAge(provider, new Uint8Array(readFileSync(payload)), { identity: readFileSync(w.agentKey, 'utf8').trim() }, 1 << 20);
    expect(keys.length).toBe(32);
    expect(kcv(provider, keys)).toBe(kcvs['kek-vsphere']);
    if (tool('age')) {
      const plain = execFileSync('age', ['-d', '-i', w.agentKey, payload]);
      expect(kcv(provider, new Uint8Array(plain))).toBe(kcvs['kek-vsphere']);
    }
  }, 60_000);

  it('escrow to an RSA agent: each key wrapped with CKM_RSA_AES_KEY_WRAP inside the signed manifest', async () => {
    const plan = w.plan('escrow-rsa', 'escrow', (t) =>
      t
        .replace('keys: ["vsphere-kek-2026"]', 'keys: [kek-vsphere, kek-mongo]')
        .replace(`age: "REPLACE WITH THE AGENT'S age1... RECIPIENT"`, `rsa: { file: kms.transport.json, fingerprint: "${fingerprint}" }`)
        .replace('output: escrow-2026-01', 'output: escrow-rsa'),
    );
    json(await custos('rehearse', plan, '--answers', w.answersFile('escrow-rsa', 'out-generate', ['alice', 'bob', 'carol']), '--json'));
    expect(readdirSync(at('out-escrow-rsa'))).toEqual(['escrow-rsa.json']);
    expect(json(await custos('verify', 'escrow', at('out-escrow-rsa', 'escrow-rsa.json'), '--roster', w.roster, '--roster-words', w.words, '--json'))).toMatchObject({ agent: { type: 'rsa', fingerprint } });
    const pkcs8 = new Uint8Array(createPrivateKey(TRANSPORT_PEM).export({ type: 'pkcs8', format: 'der' }));
    const m = JSON.parse(readFileSync(at('out-escrow-rsa', 'escrow-rsa.json'), 'utf8')).manifest as { keys: { name: string; wrapped: string }[] };
    for (const k of m.keys) {
      const key = rsaAesUnwrap(provider, pkcs8, base64.decode(k.wrapped));
      expect(kcv(provider, key)).toBe(kcvs[k.name]);
      wipe(key);
    }
  }, 60_000);

  it('backup, then restore into an empty vault with a different 3 custodians: identical KCVs', async () => {
    const plan = w.plan('backup', 'backup');
    const b = json(await custos('rehearse', plan, '--answers', w.answersFile('backup', 'out-generate', []), '--json'));
    const archive = at('out-backup', 'vault-backup-2026-01.custos-backup');
    expect(b.file).toBe('vault-backup-2026-01.custos-backup');
    expect(json(await custos('verify', 'backup', archive, '--roster', w.roster, '--roster-words', w.words, '--json'))).toMatchObject({ approvers: ['dave', 'erin'] });
    // A non-empty vault is refused before anyone is asked anything.
    const into = (vault: string) => w.plan(`restore-${vault}`, 'restore', (t) => t.replace('operator: oscar', 'operator: rita').replace('file: /media/backup/vault-backup-2026-01.custos-backup', `file: ${archive}`).replace('quorum: [alice, bob, carol]', 'quorum: [carol, dave, erin]'), { vault });
    const refused = await custos('rehearse', into('vault'), '--answers', w.answersFile('restore', 'out-generate', ['carol', 'dave', 'erin']));
    expect(refused).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.vault: is not empty/) });
    const r = json(await custos('rehearse', into('vault-dr'), '--answers', w.answersFile('restore', 'out-generate', ['carol', 'dave', 'erin']), '--json'));
    expect(Object.fromEntries(r.keys!.map((k) => [k.name, k.kcv]))).toEqual(kcvs);
    expect(r.generation).toBe(3);
    // The restored vault holds the same transcripts, every one verifying.
    for (const t of readdirSync(at('vault-dr')).filter((n) => n.endsWith('.jsonl'))) expect((await custos('verify', 'transcript', at('vault-dr', t), '--roster', w.roster, '--roster-words', w.words)).code, t).toBe(0);
  }, 120_000);

  it('verify shares: a share file with its passphrase, against the transcript that issued it', async () => {
    const v = json(await custos('verify', 'shares', at('out-generate', 'alice.share.age'), '--transcript', at('vault', 'generate.jsonl'), '--roster', w.roster, '--roster-words', w.words, '--answers', at('add-key.answers.yaml'), '--json'));
    expect(v.shares).toHaveLength(1);
    // Only the transcript given is known: the output says revocations elsewhere are not seen.
    expect(v).toMatchObject({ revocationsFrom: 'transcripts', warning: expect.stringMatching(/^revocations are known only from the 1 transcript given: a revocation recorded by another ceremony is not seen here/) });
  }, 60_000);

  it('policy: M-1 shares are refused, with the reason, and no inventory is written', async () => {
    const before = readdirSync(at('vault')).filter((n) => n.startsWith('inventory-'));
    const plan = w.plan('short', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('"vsphere-kek-2026"', 'kek-short'));
    const r = await custos('rehearse', plan, '--answers', w.answersFile('short', 'out-generate', ['alice', 'bob']));
    expect(r).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.quorum: names 2 custodians, but share set [0-9a-f]{32} \(master key cmac-aes:[0-9a-f]{6}\) needs 3 of its 5/) });
    expect(readdirSync(at('vault')).filter((n) => n.startsWith('inventory-'))).toEqual(before);
  }, 60_000);

  it('reshare to 2-of-3 revokes the old set: its shares are refused afterwards', async () => {
    const plan = w.plan('reshare', 'reshare', (t) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, frank]').replace('forms: [file, paper]', 'forms: [file]'));
    const r = json(await custos('rehearse', plan, '--answers', w.answersFile('reshare', 'out-generate', ['alice', 'bob', 'carol']), '--work-factor', '10', '--json'));
    expect(r.revoked).toMatch(/^[0-9a-f]{32}$/);
    const before = readdirSync(at('vault')).filter((n) => n.startsWith('inventory-'));
    const stale = w.plan('stale', 'add-key', (t) => t.replace('"vsphere-kek-2026"', 'kek-stale'));
    const refused = await custos('rehearse', stale, '--answers', w.answersFile('stale', 'out-generate', ['alice', 'bob', 'carol']));
    expect(refused).toMatchObject({ code: 1, err: expect.stringMatching(/plan\.quorum: share set [0-9a-f]{32}, the one this quorum holds, was revoked by ceremony [0-9a-f]{32} on \S+: its shares are refused; name custodians of the live set [0-9a-f]{32} \(master key cmac-aes:[0-9a-f]{6}\), held by alice, bob, frank/) });
    expect(readdirSync(at('vault')).filter((n) => n.startsWith('inventory-'))).toEqual(before);
    // The auditor sees it too. Against the generate transcript alone the revocation cannot be
    // seen: the share is not called ok, and the output says revocations are known only from the
    // transcript given. With the reshare's transcript given too, or against the vault, it is revoked.
    const share = ['verify', 'shares', at('out-generate', 'alice.share.age'), '--roster', w.roster, '--roster-words', w.words, '--answers', at('stale.answers.yaml')];
    const alone = await custos(...share, '--transcript', at('vault', 'generate.jsonl'));
    expect(alone.code, alone.err).toBe(0);
    expect(alone.out).not.toMatch(/\bok\b/);
    expect(alone.out).toMatch(/: issued and signed, and no transcript given revokes its set\nrevocations are known only from the 1 transcript given: a revocation recorded by another ceremony is not seen here; verify against the vault \(--vault\)/);
    const revoked = new RegExp(`alice\\.share\\.age: share set ${r.revoked} is revoked \\(by ceremony [0-9a-f]{32} on `);
    const both = await custos(...share, '--transcript', at('vault', 'generate.jsonl'), '--transcript', at('vault', 'reshare.jsonl'));
    expect(both).toMatchObject({ code: 1, err: expect.stringMatching(revoked) });
    expect(both.out).not.toMatch(/\bok\b/);
    expect(await custos(...share, '--vault', at('vault'))).toMatchObject({ code: 1, err: expect.stringMatching(revoked) });
    // The new set works: 2 of alice, bob, frank.
    const ok = w.plan('new-set', 'change-state', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [bob, frank]').replace('"vsphere-kek-2026"', 'kek-mongo'));
    expect(json(await custos('rehearse', ok, '--answers', w.answersFile('new-set', 'out-reshare', ['bob', 'frank']), '--json'))).toMatchObject({ changed: [{ name: 'kek-mongo', from: 'active', to: 'deactivated' }] });
  }, 120_000);

  it('rotate: a new master key, the inventory re-wrapped with the same KCVs, the old key retired', async () => {
    const plan = w.plan('rotate', 'rotate', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, frank]').replace('forms: [file, paper]', 'forms: [file]'));
    const r = json(await custos('rehearse', plan, '--answers', w.answersFile('rotate', 'out-reshare', ['alice', 'frank']), '--work-factor', '10', '--json'));
    expect(r.retired).toMatch(/^[0-9a-f]{32}$/);
    expect(r.keyId).not.toBe(r.retired);
    const exportPlan = w.plan('export-2', 'export-bundle', (t) =>
      t
        .replace('keys: ["vsphere-kek-2026"]', 'keys: [kek-vsphere]')
        .replace('file: kms-prod-1.transport.json', 'file: kms.transport.json')
        .replace('"REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"', `"${fingerprint}"`),
    );
    const e = json(await custos('rehearse', exportPlan, '--answers', w.answersFile('export-2', 'out-rotate', ['alice', 'bob', 'carol']), '--json'));
    expect(e.keys).toEqual([expect.objectContaining({ name: 'kek-vsphere', kcv: kcvs['kek-vsphere'] })]);
    expect(existsSync(at('out-export-2', 'kms-prod-1.bundle.json'))).toBe(true);
  }, 120_000);

  it('every closed transcript followed its plan\'s script (describeSteps) step by step, and every recorded step happened', async () => {
    const roster = verifyRoster(provider, readFileSync(w.roster, 'utf8'));
    const checked: string[] = [];
    for (const file of readdirSync(dir).filter((n) => n.endsWith('.yaml') && !n.endsWith('.answers.yaml') && n !== 'enroll.yaml')) {
      const plan = parsePlan(readFileSync(at(file), 'utf8'));
      const transcript = at(plan.vault, plan.transcript);
      if (!existsSync(transcript) || (await custos('verify', 'transcript', transcript, '--roster', w.roster, '--roster-words', w.words)).code !== 0) continue;
      const steps = describeSteps(plan, roster);
      const events = verifyTranscript(provider, readFileSync(transcript, 'utf8'), { publicKey: roster.publicKey }).events;
      const order = events.map((e) => stepOf(steps, e)).filter((x) => x !== undefined).map((x) => steps.indexOf(x));
      expect(order, `${file}: steps out of script order`).toEqual([...order].sort((a, b) => a - b));
      const recorded = new Set(order);
      for (const [i, st] of steps.entries()) if (st.recordedBy) expect(recorded.has(i), `${file}: step ${st.id} never recorded`).toBe(true);
      expect(progress(steps, events).current, file).toBeUndefined();
      checked.push(plan.kind);
    }
    expect(new Set(checked)).toEqual(new Set(['generate', 'add-key', 'change-state', 'export-bundle', 'escrow', 'backup', 'restore', 'reshare', 'rotate']));
  }, 120_000);
});
