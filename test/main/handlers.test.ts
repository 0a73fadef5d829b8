/**
 * Main's home-screen and auditor methods: the vault chosen once and remembered, the roster
 * pinned only by the words typed from the enrollment paper, a plan built in the window saved
 * only once it checks, and a verification as a list of checks, each passed, failed with its
 * reason, or not reached.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SettingsStore } from '../../src/main/settings';
import { verifyRoster } from '../../src/core/roster/roster';
import { nativeProvider } from '../../src/node/native-provider';
import { answersYaml, custos, TRANSPORT_PEM, workstation } from '../helpers/lifecycle';
import { createHash, createPrivateKey } from 'node:crypto';
import { parseTransportKey } from '../../src/core/documents/transport';
import { signReceipt } from '../../src/kmip/receipt';
import { testApp } from '../helpers/app';
import { MIN_DICE_ROLLS, PLAN_KIND_NAMES, SHARE_CARD_LINES } from '../../src/shared/ipc';
import { MIN_DICE_ROLLS as CORE_MIN_DICE_ROLLS } from '../../src/core/ceremony/shares-steps';
import { PLAN_KINDS } from '../../src/core/plan/schema';
import { planTemplate } from '../../src/core/plan/templates';
import { lineCheck, shareToText, TEXT_LINES } from '../../src/core/shares/text';
import { decodeShareRecord, describeShare } from '../../src/core/shares/record';
import { makeShares } from '../helpers/shares';

const dir = mkdtempSync(join(tmpdir(), 'custos-handlers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
let w: Awaited<ReturnType<typeof workstation>>;
let fingerprint: string;
beforeAll(async () => {
  w = await workstation(dir);
  const plan = w.plan('generate', 'generate', (t) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]').replace('forms: [file, paper]', 'forms: [file]'));
  writeFileSync(at('answers.yaml'), answersYaml('out-generate'));
  const r = await custos('rehearse', plan, '--answers', at('answers.yaml'), '--work-factor', '10');
  if (r.code !== 0) throw new Error(r.err);
  // The vault keeps the roster its ceremonies were made under, by fingerprint.
  fingerprint = verifyRoster(nativeProvider, readFileSync(w.roster, 'utf8')).fingerprint;
  copyFileSync(w.roster, at('vault', `roster-${fingerprint}.json`));
}, 120_000);

describe('the vault, remembered', () => {
  it('is chosen once in main’s dialog and remembered across launches; its roster is pinned only by the right words', async () => {
    const data = mkdtempSync(join(tmpdir(), 'custos-data-'));
    const a = testApp({ send: () => undefined, dataDir: data });
    await expect(a.handlers.vault()).resolves.toBeUndefined();
    await expect(a.handlers.pinRoster(w.words)).rejects.toThrowError(/vault: choose the vault folder first/);
    a.picks.push({ kind: 'folder', path: at('vault') });
    const v = await a.handlers.chooseVault();
    expect(v).toMatchObject({ path: at('vault'), rosters: 1, closed: [], findings: [] });
    expect(v?.pinned).toBeUndefined();

    // Wrong words: refused, naming the field, never showing the right ones; nothing pinned.
    const wrong = w.words.split(' ').reverse().join(' ');
    const refused = await Promise.resolve().then(() => a.handlers.pinRoster(wrong)).then(() => '', (e: Error) => e.message);
    expect(refused).toMatch(/^roster words: differ from the words of every roster this vault keeps/);
    expect(refused).not.toContain(w.words.split(' ')[0]);
    expect(a.settings.get().rosterWords).toBeUndefined();
    await expect(a.handlers.pinRoster('seven words only here one two three')).rejects.toThrowError(/roster words: must be the eight fingerprint words/);

    const pinned = await a.handlers.pinRoster(w.words.toUpperCase());
    expect(pinned.pinned).toMatchObject({ words: w.words.split(' '), fingerprint, rehearsal: true, participants: expect.arrayContaining([{ id: 'alice', name: 'Alice Custodian', roles: ['custodian'], expires: expect.any(String) }]) });
    expect(pinned.closed).toEqual(['generate.jsonl']);

    // A later launch reads the same settings file.
    const again = testApp({ send: () => undefined, dataDir: data });
    await expect(again.handlers.vault()).resolves.toMatchObject({ path: at('vault'), pinned: { fingerprint } });
    expect(again.dialogsShown).toEqual([]);
  });

  it('a damaged settings file is set aside, not trusted in part', () => {
    const data = mkdtempSync(join(tmpdir(), 'custos-data-'));
    writeFileSync(join(data, 'settings.json'), '{"vault": "/somewhere", "rosterWords": ["too", "few"]}');
    const s = new SettingsStore(join(data, 'settings.json'));
    expect(s.get()).toEqual({});
    expect(readdirSync(data).some((f) => f.startsWith('settings.json.damaged-'))).toBe(true);
  });
});

describe('a plan built in the window', () => {
  it('is saved only once it checks: a bad field is named before any dialog, and an existing file is never overwritten', async () => {
    const a = testApp({ send: () => undefined });
    const good = readFileSync(at('generate.yaml'), 'utf8').replace('transcript: generate.jsonl', 'transcript: built.jsonl');
    await expect(a.handlers.savePlan(good.replace('threshold: 2', 'threshold: 1'))).rejects.toThrowError(/shares\.threshold: must be at least 2/);
    expect(a.dialogsShown).toEqual([]);
    a.picks.push({ kind: 'save', path: at('built.yaml') });
    const chosen = await a.handlers.savePlan(good);
    expect(chosen).toMatchObject({ name: 'built.yaml' });
    expect(a.choices.resolve(chosen!.token, 'plan')).toBe(at('built.yaml'));
    expect(readFileSync(at('built.yaml'), 'utf8')).toBe(good);
    a.picks.push({ kind: 'save', path: at('built.yaml') });
    await expect(a.handlers.savePlan(good.replace('Example', 'Other'))).rejects.toThrowError(/exists/);
    expect(readFileSync(at('built.yaml'), 'utf8')).toBe(good);
    await expect(a.handlers.savePlan(good)).resolves.toBeUndefined(); // the person cancelled the dialog
  });
});

describe('the auditor’s verification', () => {
  it('lists every check: all pass for the real transcript, with its timeline', async () => {
    const a = testApp({ send: () => undefined });
    a.picks.push({ kind: 'document', path: at('vault', 'generate.jsonl') }, { kind: 'roster', path: w.roster });
    const doc = (await a.handlers.choose('document'))!;
    const roster = (await a.handlers.choose('roster'))!;
    const r = await a.handlers.verify({ kind: 'transcript', file: doc.token, roster: { file: roster.token, words: w.words } });
    expect(r.ok).toBe(true);
    expect(r.checks.map((c) => c.status)).toEqual(['passed', 'passed', 'passed']);
    expect(r.facts).toContainEqual(['Master key', expect.stringMatching(/cmac-aes:/)]);
    expect(r.timeline[0]).toMatchObject({ seq: 0, actor: 'oscar', name: 'Oscar Operator', type: 'ceremony.open' });
    expect(r.timeline.find((e) => e.type === 'share.issued')).toMatchObject({ name: 'Alice Custodian' });
    expect(r.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a wrong pin fails the first check, and nothing after it is called verified', async () => {
    const a = testApp({ send: () => undefined });
    a.picks.push({ kind: 'document', path: at('vault', 'generate.jsonl') }, { kind: 'roster', path: w.roster });
    const doc = (await a.handlers.choose('document'))!;
    const roster = (await a.handlers.choose('roster'))!;
    const wrong = w.words.split(' ').reverse().join(' ');
    const r = await a.handlers.verify({ kind: 'transcript', file: doc.token, roster: { file: roster.token, words: wrong } });
    expect(r.ok).toBe(false);
    expect(r.checks.map((c) => c.status)).toEqual(['failed', 'not-reached', 'not-reached']);
    expect(r.checks[0]!.detail).toMatch(/differ/);
    expect(r.timeline).toEqual([]);
  });

  it('a transcript with a line changed fails the signature check, naming the line', async () => {
    const lines = readFileSync(at('vault', 'generate.jsonl'), 'utf8').split('\n');
    lines[2] = lines[2]!.replace(/"time":"[^"]+"/, '"time":"2020-01-01T00:00:00.000Z"');
    writeFileSync(at('forged.jsonl'), lines.join('\n'));
    const a = testApp({ send: () => undefined });
    a.picks.push({ kind: 'document', path: at('forged.jsonl') });
    const doc = (await a.handlers.choose('document'))!;
    await expect(a.handlers.verify({ kind: 'transcript', file: doc.token, roster: 'vault' })).rejects.toThrowError(/roster: no roster is pinned in this app/);
    a.picks.push({ kind: 'folder', path: at('vault') });
    await a.handlers.chooseVault();
    await a.handlers.pinRoster(w.words);
    const r = await a.handlers.verify({ kind: 'transcript', file: doc.token, roster: 'vault' });
    expect(r.checks.map((c) => c.status)).toEqual(['passed', 'failed', 'not-reached']);
    expect(r.checks[1]!.detail).toMatch(/line\[3\]|line 3/);
  });
});

describe('output folders', () => {
  it('the test leaves its vault as the CLI made it', () => {
    mkdirSync(at('vault'), { recursive: true });
    expect(existsSync(at('vault', 'generate.jsonl'))).toBe(true);
  });
});

describe('what the window asks main to check, so it holds no engine code', () => {
  it('the contract lists the plan kinds and the card length the engine has', () => {
    expect([...PLAN_KIND_NAMES]).toEqual([...PLAN_KINDS]);
    expect(SHARE_CARD_LINES).toBe(TEXT_LINES);
    expect(MIN_DICE_ROLLS).toBe(CORE_MIN_DICE_ROLLS);
  });
  it('a plan’s problems, all at once, by field; a template per kind', async () => {
    const a = testApp({ send: () => undefined });
    const t = await a.handlers.planTemplate('restore');
    expect(t).toBe(planTemplate('restore'));
    const issues = await a.handlers.checkPlan(t.replace('threshold', 'x'));
    expect(issues).toContainEqual({ field: 'plan.roster.fingerprint', message: 'must be the 8 fingerprint words of the roster, as read aloud' });
    expect(await a.handlers.checkPlan('kind: [')).toEqual([{ field: 'plan', message: expect.any(String) }]);
    expect(await a.handlers.checkPlan(readFileSync(at('generate.yaml'), 'utf8'))).toEqual([]);
  });
  it('a typed line of a paper card: the line as printed, or an error naming the line; nothing corrected', async () => {
    const a = testApp({ send: () => undefined });
    const chars = 'ABCD0123EFGH4567JKMN89PQ';
    const typed = `01 ${chars.toLowerCase()} ${lineCheck(1, chars)}`;
    expect(await a.handlers.checkShareLine(1, typed, [1, 2])).toEqual({ line: `01  ABCD 0123 EFGH 4567 JKMN 89PQ  ${lineCheck(1, chars)}`, versions: [2] });
    const swapped = `01 BACD0123EFGH4567JKMN89PQ ${lineCheck(1, chars)}`;
    await expect(Promise.resolve().then(() => a.handlers.checkShareLine(1, swapped, [1, 2]))).rejects.toThrowError(/^card\.line\[01\]: the line check does not match/);
    await expect(Promise.resolve().then(() => a.handlers.checkShareLine(2, typed, [2]))).rejects.toThrowError(/^card\.line\[02\]: this is line 01: type line 02 now/);
    // Once the card is read as version 2, only a version 2 check is taken.
    const line2 = 'ZZZZ0123EFGH4567JKMN89PQ';
    expect((await a.handlers.checkShareLine(2, `02 ${line2} ${lineCheck(2, line2)}`, [2])).versions).toEqual([2]);
  });
  it('a card typed whole: its digest and the signature of the key it names, then its public fields; a card whose signature was altered is named', async () => {
    const a = testApp({ send: () => undefined });
    const f = await makeShares(2, 3, 'whole card');
    const r = f.records[1]!;
    expect(await a.handlers.checkShareCard(shareToText(nativeProvider, r))).toEqual({ index: 2, count: 3, threshold: 2, setId: Buffer.from(r.setId).toString('hex'), kcv: describeShare(r).kcv });
    // The digest covers the fields; the signature is checked apart: alter one byte of it, the lines' checks made anew.
    const bytes = r.bytes.slice();
    bytes[150] = bytes[150]! ^ 1;
    const forged = shareToText(nativeProvider, decodeShareRecord(nativeProvider, bytes));
    await expect(Promise.resolve().then(() => a.handlers.checkShareCard(forged))).rejects.toThrowError(/^card\.signature: is not the signature of the key the card names/);
    await expect(Promise.resolve().then(() => a.handlers.checkShareCard('01 ABCD'))).rejects.toThrowError(/^card/);
  });
});

describe('the auditor’s view of a key server’s receipt', () => {
  it('checks the transport key against the fingerprint confirmed by phone, the signature, and the bundle it answers', async () => {
    const transport = parseTransportKey(nativeProvider, readFileSync(at('kms.transport.json'), 'utf8'), 'transport');
    writeFileSync(at('some.bundle.json'), 'a bundle\n');
    writeFileSync(at('other.bundle.json'), 'another bundle\n');
    const pkcs8 = new Uint8Array(createPrivateKey(TRANSPORT_PEM).export({ type: 'pkcs8', format: 'der' }));
    const bundleSha = createHash('sha256').update(readFileSync(at('some.bundle.json'))).digest('hex');
    writeFileSync(
      at('kms.receipt.json'),
      signReceipt(
        {
          v: 1,
          kind: 'custos.receipt',
          bundle: { sha256: bundleSha, ceremony: 'ab'.repeat(16), transcriptHead: 'cd'.repeat(32) },
          transport: { server: 'kms-test-1', fingerprint: transport.fingerprint },
          rehearsal: true,
          servers: [{ endpoint: '127.0.0.1:5696', subject: 'kmip', time: new Date().toISOString(), form: 'unwrapped', keys: [{ id: 'ef'.repeat(16), name: 'kek-1', uid: 'uid-7', kcv: 'cmac-aes:a1b2c3', outcome: 'registered' }] }],
        },
        pkcs8,
      ),
    );
    const a = testApp({ send: () => undefined });
    const pick = async (path: string) => {
      a.picks.push({ kind: 'document', path });
      return (await a.handlers.choose('document'))!.token;
    };
    const [receipt, enrollment, bundle, other] = [await pick(at('kms.receipt.json')), await pick(at('kms.transport.json')), await pick(at('some.bundle.json')), await pick(at('other.bundle.json'))];
    const ok = await a.handlers.verify({ kind: 'receipt', file: receipt, transport: enrollment, fingerprint: transport.fingerprint.toUpperCase(), bundle });
    expect(ok.ok).toBe(true);
    expect(ok.checks.map((c) => c.status)).toEqual(['passed', 'passed', 'passed']);
    expect(ok.facts).toContainEqual(['Keys', 'kek-1 cmac-aes:a1b2c3 on 127.0.0.1:5696 (uid uid-7, registered)']);
    // Another bundle: the last check fails, naming the field.
    const wrongBundle = await a.handlers.verify({ kind: 'receipt', file: receipt, transport: enrollment, fingerprint: transport.fingerprint, bundle: other });
    expect(wrongBundle.checks.map((c) => c.status)).toEqual(['passed', 'passed', 'failed']);
    expect(wrongBundle.checks[2]!.detail).toBe('receipt.bundle.sha256: is the receipt of another bundle');
    // A fingerprint that is not the transport key's: nothing after it counts.
    const wrongPin = await a.handlers.verify({ kind: 'receipt', file: receipt, transport: enrollment, fingerprint: 'f'.repeat(64) });
    expect(wrongPin.checks.map((c) => c.status)).toEqual(['failed', 'not-reached']);
    // A receipt altered after signing: the signature check names it.
    writeFileSync(at('altered.receipt.json'), readFileSync(at('kms.receipt.json'), 'utf8').replace('uid-7', 'uid-8'));
    const altered = await a.handlers.verify({ kind: 'receipt', file: await pick(at('altered.receipt.json')), transport: enrollment, fingerprint: transport.fingerprint });
    expect(altered.checks.map((c) => c.status)).toEqual(['passed', 'failed']);
    expect(altered.checks[1]!.detail).toMatch(/^receipt\.sig: is not a signature by the transport key of kms-test-1/);
  });
});

describe('the auditor’s view of a custodian’s share', () => {
  it('opens it with the passphrase its custodian types, and checks its set against the vault; a wrong passphrase fails the opening, not the rest', async () => {
    const a = testApp({ send: () => undefined });
    a.picks.push({ kind: 'folder', path: at('vault') });
    await a.handlers.chooseVault();
    await a.handlers.pinRoster(w.words);
    a.picks.push({ kind: 'document', path: at('out-generate', 'alice.share.age') });
    const share = (await a.handlers.choose('document'))!.token;
    const typed = new TextEncoder().encode('alice share passphrase');
    const ok = await a.handlers.verify({ kind: 'shares', file: share, passphrase: typed });
    expect(typed.every((b) => b === 0)).toBe(true); // main wiped the bytes once decoded
    expect(ok.checks.map((c) => c.status)).toEqual(['passed', 'passed', 'passed', 'passed']);
    expect(ok.facts).toContainEqual(['Share', '1 of 3 (any 2 restore)']);
    const wrong = await a.handlers.verify({ kind: 'shares', file: share, passphrase: new TextEncoder().encode('bob share passphrase') });
    expect(wrong.checks.map((c) => c.status)).toEqual(['passed', 'passed', 'failed', 'not-reached']);
    const none = await a.handlers.verify({ kind: 'shares', file: share });
    expect(none.checks[2]!.detail).toMatch(/^alice\.share\.age: is a passphrase-protected share file: type its passphrase/);
  });
});
