/// <reference lib="dom" />
/**
 * The app end to end in Debian's Chromium: the renderer as shipped, served with main's own CSP
 * header, talking through the test bridge to the real main-process handlers, which run each
 * ceremony in a real engine process. The room is played by a driver that reads the screen as a
 * person would (who is asked, for what) and answers through the same controls: the hand-over
 * card, file choices through main's dialog, passphrases typed into fields.
 *
 *  - home: the vault chosen once, its roster pinned by the words from the paper;
 *  - a 2-of-3 generate (rehearsal) to a folder standing in for a USB stick, with a mistyped
 *    identity passphrase asked again, a Cancel in the middle, then Resume to a closed ceremony;
 *  - a backup with two approvals that show what is signed; a restore into an empty vault with a
 *    pair of custodians, one bringing their share file, the other typing their paper card (a
 *    mistyped line named at once); an auditor's verify of the transcript and the backup;
 *  - a real enrollment of four people, each creating their own identity on their own medium;
 *  - a plan built in the form, checked as it is typed.
 * No request leaves the page (counted), the CSP blocks one that is tried, axe finds no serious
 * or critical violation on any screen, and a screenshot of each screen is saved in test-output/.
 */
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createHash, createPrivateKey } from 'node:crypto';
import { parseTransportKey } from '../../src/core/documents/transport';
import { signReceipt } from '../../src/kmip/receipt';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyRoster } from '../../src/core/roster/roster';
import { nativeProvider } from '../../src/node/native-provider';
import { hasChromium, launchChromium, launchChromiumWithCamera } from '../helpers/chromium';
import { pdfPages } from '../helpers/pdf';
import { cameraFrame } from '../helpers/photo';
import { custos, TRANSPORT_PEM, workstation } from '../helpers/lifecycle';
import { builtRenderer, openApp, ORIGIN, type AppPage } from '../helpers/app-page';
import { drive as drive0, type Room } from '../helpers/room';
import { planTemplate } from '../../src/core/plan/templates';
import { parsePlan } from '../../src/core/plan/schema';
import { scratchDir } from '../helpers/scratch';

const CI = process.env.CI === 'true';
const dir = scratchDir('custos-app-'); // it holds a paper medium: never a temporary folder
const at = (...p: string[]) => join(dir, ...p);
const shots = 'test-output/app';
let browser: Browser;
let root: string;
let w: Awaited<ReturnType<typeof workstation>>;
const axeFindings: string[] = [];

if (!hasChromium()) {
  if (CI) throw new Error('chromium is missing: the app tests need Debian\'s chromium (apt-get install -y chromium)');
  console.warn('skipping the app tests: install Debian\'s chromium (apt-get install -y chromium)');
}

/** Save a screenshot of this screen, and check it with axe (serious and critical findings fail the suite). */
async function screen(page: Page, name: string): Promise<void> {
  mkdirSync(shots, { recursive: true });
  // A full-screen card is seen as the viewport shows it; other screens whole.
  await page.screenshot({ path: `${shots}/${name}.png`, fullPage: !name.includes('handover') });
  const r = await new AxeBuilder({ page: page as never }).analyze();
  for (const v of r.violations) if (v.impact === 'serious' || v.impact === 'critical') axeFindings.push(`${name}: ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

const seen = new Set<string>();
/** The first time a screen of this name appears, save and check it. */
async function once(page: Page, name: string): Promise<void> {
  if (seen.has(name)) return;
  seen.add(name);
  await screen(page, name);
}

/** The room, saving and checking each screen the first time it appears. */
const drive = (a: AppPage, room: Room, handovers: string[] = []) => drive0(a, room, handovers, (name) => once(a.page, name));

const people: Room = { passphrase: (who, kind) => (kind === 'unlock' ? `${who} identity passphrase` : `${who} share passphrase`), identity: (who) => at('ids', `${who}.identity.age`) };

describe.runIf(hasChromium())('the app in Chromium, end to end', () => {
  beforeAll(async () => {
    [w, root] = await Promise.all([workstation(dir), builtRenderer()]);
    // The vault keeps the roster its ceremonies are made under (an enrollment ceremony writes it there).
    const fp = verifyRoster(nativeProvider, readFileSync(w.roster, 'utf8')).fingerprint;
    mkdirSync(at('vault'), { recursive: true });
    copyFileSync(w.roster, at('vault', `roster-${fp}.json`));
    browser = await launchChromium();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const data = mkdtempSync(join(tmpdir(), 'custos-appdata-'));

  it('home: the vault is chosen once and its roster pinned only by the words from the paper', async () => {
    const a = await openApp(browser, root, { dataDir: data });
    const { page } = a;
    await page.getByText('Air gap: no network interface is up').waitFor();
    await page.getByRole('button', { name: 'Choose the vault folder' }).waitFor();
    await screen(page, 'home-first-launch');
    a.app.picks.push({ kind: 'folder', path: at('vault') });
    await page.getByRole('button', { name: 'Choose the vault folder' }).click();
    const words = page.getByLabel('Roster words, from the enrollment paper');
    await words.fill(w.words.split(' ').reverse().join(' '));
    await page.getByRole('button', { name: 'Pin this roster' }).click();
    await page.getByText(/differ from the words of every roster this vault keeps/).waitFor();
    await screen(page, 'home-pin-refused');
    await words.fill(w.words);
    await page.keyboard.press('Enter');
    await page.getByLabel('Roster fingerprint words').waitFor();
    expect(await page.getByLabel('Roster fingerprint words').getAttribute('data-words')).toBe(w.words);
    await page.getByRole('cell', { name: 'Alice Custodian' }).waitFor();
    await screen(page, 'home-pinned');
    expect(a.requests.filter((u) => !u.startsWith(ORIGIN))).toEqual([]);
    expect(a.consoleErrors).toEqual([]); // no script error, no CSP violation by the app itself
    await page.close();
  }, 60_000);

  it('a 2-of-3 generate: a mistyped passphrase asked again, Cancel in the middle, Resume to a closed ceremony', async () => {
    // With dice: the operator's rolls are typed on the screen and mixed into the key.
    const plan = w.plan('generate', 'generate', (t) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]').replace('  dice: false  ', '  dice: true   '));
    expect(readFileSync(plan, 'utf8')).toMatch(/^ {2}dice: true/m);
    const a = await openApp(browser, root, { dataDir: data });
    const { page } = a;
    a.app.picks.push({ kind: 'plan', path: plan });
    await page.getByRole('button', { name: 'Open a plan and rehearse' }).click();
    await page.getByRole('note', { name: /Rehearsal/ }).waitFor();
    await page.locator('.rail li').first().waitFor();
    const handovers: string[] = [];
    let mistyped = false;
    const first = await drive(
      a,
      {
        ...people,
        passphrase: (who, kind, attempt) => {
          if (who === 'oscar' && kind === 'unlock' && attempt === 1 && !mistyped) {
            mistyped = true;
            return 'oscar identity passphrasd';
          }
          return people.passphrase(who, kind, attempt);
        },
        stopAt: (kind, who) => kind === 'reenter-passphrase' && who === 'bob',
      },
      handovers,
    );
    expect(first).toBe('stop');
    expect(mistyped).toBe(true);
    // The screen listed each share file with the SHA-256 read back from the medium: the bytes on it.
    const listed = await page.locator('.written tbody tr').allTextContents();
    for (const f of ['alice.share.age', 'bob.share.age', 'carol.share.age'])
      expect(listed.find((r) => r.startsWith(f))?.replace(/\s/g, '')).toContain(createHash('sha256').update(readFileSync(at('out-generate', f))).digest('hex'));

    // The hand-over card named each person by name and role before they typed.
    expect(handovers).toContain('Hand the keyboard to Oscar Operator, operator');
    expect(handovers).toContain('Hand the keyboard to Bob Custodian, custodian 2 of 3');
    // The KCV was shown to read aloud, in groups.
    expect(await page.locator('.read-aloud .kcv').first().textContent()).toMatch(/^cmac-aes [0-9a-f]{2} [0-9a-f]{2} [0-9a-f]{2}$/);
    // The script: the steps so far ticked, the current one marked.
    expect(await page.locator('.rail li.done').count()).toBeGreaterThanOrEqual(6);
    expect(await page.locator('.rail li[aria-current="step"] .step-id').textContent()).toBe('verify:bob');
    expect(await page.locator('.transcript li').count()).toBeGreaterThan(5);
    await screen(page, 'ceremony-running');
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${shots}/ceremony-viewport.png` }); // as the room sees it (the README's picture)

    // Esc asks first; "Keep going" goes on with nothing lost; the button asks again.
    await page.keyboard.press('Escape');
    await page.getByRole('alertdialog').getByText('can be resumed from this step').waitFor();
    await page.getByRole('button', { name: 'Keep going' }).click();
    await page.getByRole('alertdialog').waitFor({ state: 'detached' });
    expect(await page.locator('.prompt').getAttribute('data-kind')).toBe('reenter-passphrase');
    await page.getByRole('button', { name: 'Cancel the ceremony…' }).click();
    await page.getByRole('alertdialog').getByText('can be resumed from this step').waitFor();
    await screen(page, 'ceremony-cancel');
    await page.getByRole('button', { name: 'Stop here' }).click();
    await page.getByText('The ceremony stopped here').waitFor();
    await screen(page, 'ceremony-stopped');
    // Home lists the interrupted ceremony; its plan, opened again from there, resumes it as a rehearsal.
    await page.getByRole('button', { name: 'Back to home' }).first().click();
    const interrupted = page.getByRole('region', { name: 'Interrupted ceremonies' });
    await interrupted.getByText('generate.jsonl', { exact: true }).waitFor();
    await screen(page, 'home-interrupted');
    a.app.picks.push({ kind: 'plan', path: plan });
    await interrupted.getByRole('button', { name: 'Open the plan of generate.jsonl and resume…' }).click();
    await page.getByText(/· resumed/).waitFor();
    await page.getByRole('note', { name: /Rehearsal/ }).first().waitFor();
    const end = await drive(a, { ...people, printCard: (who) => who === 'carol' });
    expect(end).toMatch(/The ceremony is closed/);
    expect(await page.getByLabel('Closing words').getAttribute('data-words')).toMatch(/^(\w+ ){7}\w+$/);
    await screen(page, 'ceremony-closed');
    // The mistyped passphrase was asked again, saying whose identity and which try.
    const retried = a.messages.filter((m) => m.type === 'prompt' && m.prompt.who === 'oscar' && m.prompt.kind === 'unlock').map((m) => (m as { prompt: { attempt: number } }).prompt.attempt);
    expect(retried.slice(0, 2)).toEqual([1, 2]);
    expect(readdirSync(at('out-generate')).sort()).toEqual(['alice.share.age', 'bob.share.age', 'carol.share.age']);
    // The paper cards went to their own medium, never beside the share files.
    expect(readdirSync(at('paper-generate')).sort()).toEqual(['alice.share.pdf', 'alice.share.txt', 'bob.share.pdf', 'bob.share.txt', 'carol.share.pdf', 'carol.share.txt']);
    // Carol printed her card through the print dialog, and the transcript says so (never what it holds).
    expect(a.app.printed).toHaveLength(1);
    const verified = readFileSync(at('vault', 'generate.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { type: string; data: { custodian: string; printed?: string } })
      .filter((e) => e.type === 'share.verified');
    expect(verified.map((e) => [e.data.custodian, e.data.printed ?? null])).toEqual([['alice', null], ['bob', null], ['carol', 'system print dialog']]);
    // The window forgot the card once it was hidden: no page of it is left drawn.
    expect(await page.locator('.pdf-page').count()).toBe(0);
    // The CLI verifies what the app made.
    const v = await custos('verify', 'transcript', at('vault', 'generate.jsonl'), '--roster', w.roster, '--roster-words', w.words);
    expect(v.code, v.err).toBe(0);
    expect(a.requests.filter((u) => !u.startsWith(ORIGIN))).toEqual([]);
    expect(a.consoleErrors).toEqual([]); // no script error, no CSP violation by the app itself
    await page.close();
  }, 240_000);

  it('the retry screen says what went wrong and which try this is', async () => {
    const plan = w.plan('add', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]'));
    const a = await openApp(browser, root, { dataDir: data });
    const { page } = a;
    a.app.picks.push({ kind: 'plan', path: plan });
    await page.getByRole('button', { name: 'Open a plan and rehearse' }).click();
    const wrong = await drive(a, { ...people, passphrase: (who, kind, attempt) => (who === 'oscar' && attempt === 1 ? 'not it' : people.passphrase(who, kind, attempt)), stopAt: (kind, who, attempt) => kind === 'unlock' && who === 'oscar' && attempt === 2 });
    expect(wrong).toBe('stop');
    const retry = await page.locator('.retry').textContent();
    expect(retry).toMatch(/oscar|Oscar/);
    expect(retry).toMatch(/This is try 2 of 3\.$/);
    await screen(page, 'ceremony-retry');
    await page.getByRole('button', { name: 'Cancel the ceremony…' }).click();
    await page.getByRole('button', { name: 'Stop here' }).click();
    await page.getByText('The ceremony stopped here').waitFor();
    await page.close();
  }, 120_000);

  it('a backup approved by two, a restore with a pair into an empty vault, and the auditor verifies both', async () => {
    const a = await openApp(browser, root, { dataDir: data });
    const { page } = a;
    a.app.settings.set({ vault: at('vault'), rosterWords: w.words.split(' ') }); // as the home screen left it
    a.app.picks.push({ kind: 'plan', path: w.plan('backup', 'backup') });
    await page.getByRole('button', { name: 'Open a plan and rehearse' }).click();
    expect(await drive(a, people)).toMatch(/The ceremony is closed/);
    const approvals = a.messages.filter((m) => m.type === 'prompt' && m.prompt.kind === 'review');
    expect(approvals.map((m) => (m as { prompt: { who: string } }).prompt.who)).toEqual(['dave', 'erin']);
    const file = readdirSync(at('out-backup')).find((n) => n.endsWith('.custos-backup'))!;
    await page.getByRole('button', { name: 'Back to home' }).click();

    const restore = w.plan('restore', 'restore', (t) => t.replace(/file: \S+\.custos-backup/, `file: out-backup/${file}`).replace('quorum: [alice, bob, carol]', 'quorum: [bob, carol]'), { vault: 'vault-restored' });
    a.app.picks.push({ kind: 'plan', path: restore });
    await page.getByRole('button', { name: 'Open a plan and rehearse' }).click();
    const carolsCard = readFileSync(at('paper-generate', 'carol.share.txt'), 'utf8');
    expect(await drive(a, { ...people, shareFile: (who) => at('out-generate', `${who}.share.age`), paperCard: (who) => (who === 'carol' ? { text: carolsCard, typo: 3 } : undefined) })).toMatch(/The ceremony is closed/);
    expect(seen.has('ceremony-paper-typo')).toBe(true);
    expect(a.messages.some((m) => m.type === 'progress' && m.work.what === 'restore')).toBe(true);
    expect(a.messages.some((m) => m.type === 'read-aloud' && m.value.label === 'Restored master key KCV')).toBe(true);
    await page.getByRole('button', { name: 'Back to home' }).click();

    // The auditor: the transcript and the backup against the pinned roster.
    await page.getByRole('button', { name: 'Verify a file' }).click();
    a.app.picks.push({ kind: 'document', path: at('vault', 'generate.jsonl') });
    await page.getByRole('button', { name: 'Choose the file' }).click();
    await page.getByText('Chosen: generate.jsonl').waitFor();
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText('generate.jsonl is verified').waitFor();
    expect(await page.locator('.checks li.passed').count()).toBe(3);
    expect(await page.locator('.timeline tbody tr').count()).toBeGreaterThan(10);
    await screen(page, 'verify-transcript');
    // Printed: the transcript report drawn from its PDF, saved (the very bytes `custos print` writes) and sent to the print dialog.
    await page.getByRole('button', { name: 'Print the transcript report' }).click();
    await page.locator('.document').getByText(/^\d+ pages?$/).waitFor();
    expect(await page.locator('.print-pages canvas.pdf-page').count()).toBeGreaterThanOrEqual(2);
    await screen(page, 'verify-transcript-report');
    a.app.picks.push({ kind: 'save', path: at('report-from-app.pdf') });
    await page.getByRole('button', { name: 'Save PDF…' }).click();
    await page.getByText(/^Saved as report-from-app\.pdf, SHA-256 [0-9a-f]{64}\.$/).waitFor();
    const printedByCli = await custos('print', 'transcript', at('vault', 'generate.jsonl'), '--roster', w.roster, '--roster-words', w.words, '--out', at('report-from-cli.pdf'));
    expect(printedByCli.code, printedByCli.err).toBe(0);
    expect(readFileSync(at('report-from-app.pdf')).equals(readFileSync(at('report-from-cli.pdf')))).toBe(true);
    const before = a.app.printed.length;
    await page.locator('.document').getByRole('button', { name: 'Print…' }).click();
    await page.getByText('Sent to the printer.').waitFor();
    expect(a.app.printed).toHaveLength(before + 1);
    // What goes to the printer is the pages alone.
    await page.emulateMedia({ media: 'print' });
    await page.screenshot({ path: `${shots}/verify-transcript-report-print.png`, fullPage: true });
    expect(await page.locator('.print-pages').evaluate((e) => getComputedStyle(e).visibility)).toBe('visible');
    expect(await page.locator('.checks').evaluate((e) => getComputedStyle(e).visibility)).toBe('hidden');
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('button', { name: 'Print the verification report' }).click();
    await page.getByRole('heading', { name: 'Verification report' }).waitFor();
    await page.locator('.document').getByText('1 page', { exact: true }).waitFor();
    await screen(page, 'verify-report');
    await page.locator('.document').getByRole('button', { name: 'Close' }).click();
    await page.locator('label', { hasText: 'A vault backup' }).click();
    a.app.picks.push({ kind: 'document', path: at('out-backup', file) });
    await page.getByRole('button', { name: 'Choose the file' }).click();
    await page.getByText(`Chosen: ${file}`).waitFor();
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText(`${file} is verified`).waitFor();
    // A transcript changed by one character: red, with the reason, and what could not be checked.
    const lines = readFileSync(at('vault', 'generate.jsonl'), 'utf8').split('\n');
    lines[3] = lines[3]!.replace(/"time":"[^"]+"/, '"time":"2020-01-01T00:00:00.000Z"');
    writeFileSync(at('forged.jsonl'), lines.join('\n'));
    await page.locator('label', { hasText: 'A ceremony transcript' }).click();
    a.app.picks.push({ kind: 'document', path: at('forged.jsonl') });
    await page.getByRole('button', { name: 'Choose the file' }).click();
    await page.getByText('Chosen: forged.jsonl').waitFor();
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText('forged.jsonl is NOT verified').waitFor();
    expect(await page.locator('.checks li.failed').textContent()).toMatch(/Failed:.*line/);
    expect(await page.locator('.checks li.not-reached').count()).toBe(1);
    await screen(page, 'verify-failed');
    // A key server's receipt: vouched for by its transport key, pinned by the fingerprint confirmed by phone.
    const transport = parseTransportKey(nativeProvider, readFileSync(at('kms.transport.json'), 'utf8'), 'transport');
    const pkcs8 = new Uint8Array(createPrivateKey(TRANSPORT_PEM).export({ type: 'pkcs8', format: 'der' }));
    const receipt = { v: 1, kind: 'custos.receipt', bundle: { sha256: 'ab'.repeat(32), ceremony: 'ab'.repeat(16), transcriptHead: 'cd'.repeat(32) }, transport: { server: 'kms-test-1', fingerprint: transport.fingerprint }, rehearsal: true, servers: [{ endpoint: '127.0.0.1:5696', subject: 'kmip', time: new Date().toISOString(), form: 'unwrapped', keys: [{ id: 'ef'.repeat(16), name: 'kek-1', uid: 'uid-7', kcv: 'cmac-aes:a1b2c3', outcome: 'registered' }] }] } as const;
    writeFileSync(at('kms.receipt.json'), signReceipt(receipt as unknown as Parameters<typeof signReceipt>[0], pkcs8));
    await page.locator('label', { hasText: 'A key server’s import receipt' }).click();
    a.app.picks.push({ kind: 'document', path: at('kms.receipt.json') }, { kind: 'document', path: at('kms.transport.json') });
    await page.getByRole('button', { name: 'Choose the file' }).click();
    await page.getByText('Chosen: kms.receipt.json').waitFor();
    await page.getByRole('button', { name: 'Choose the transport key enrollment' }).click();
    await page.getByText('Chosen: kms.transport.json').waitFor();
    await page.getByLabel(/^Its fingerprint, as confirmed by phone/).fill(transport.fingerprint);
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText('kms.receipt.json is verified').waitFor();
    expect(await page.locator('.checks li.passed').count()).toBe(2);
    await screen(page, 'verify-receipt');
    // A custodian's share: opened with the passphrase they type, its set checked against the vault.
    await page.locator('label', { hasText: 'A custodian’s share' }).click();
    a.app.picks.push({ kind: 'document', path: at('out-generate', 'bob.share.age') });
    await page.getByRole('button', { name: 'Choose the file' }).click();
    await page.getByText('Chosen: bob.share.age').waitFor();
    await page.getByLabel(/^Its passphrase, typed by its custodian/).fill('bob share passphrase');
    await page.getByRole('button', { name: 'Verify', exact: true }).click();
    await page.getByText('bob.share.age is verified').waitFor();
    expect(await page.getByLabel(/^Its passphrase, typed by its custodian/).inputValue()).toBe(''); // emptied once sent
    expect(await page.locator('.checks li.passed').count()).toBe(4);
    await screen(page, 'verify-share');
    // The CLI verifies the app's restore, and the app's verdicts are the CLI's.
    const v = await custos('verify', 'transcript', at('vault-restored', 'restore.jsonl'), '--roster', w.roster, '--roster-words', w.words);
    expect(v.code, v.err).toBe(0);
    expect((await custos('verify', 'transcript', at('forged.jsonl'), '--roster', w.roster, '--roster-words', w.words)).code).toBe(1);
    expect(a.requests.filter((u) => !u.startsWith(ORIGIN))).toEqual([]);
    expect(a.consoleErrors).toEqual([]); // no script error, no CSP violation by the app itself
    await page.close();
  }, 300_000);

  it('a real enrollment: each person creates their own identity on their own medium and signs; the roster words shown large', async () => {
    const ppl = [
      ['oscar', 'Oscar Operator', 'operator'],
      ['wendy', 'Wendy Witness', 'witness'],
      ['alice', 'Alice Custodian', 'custodian'],
      ['bob', 'Bob Custodian', 'custodian'],
    ] as const;
    for (const [id] of ppl) mkdirSync(at('media', id), { recursive: true });
    mkdirSync(at('enroll-out'), { recursive: true });
    mkdirSync(at('enroll-vault'), { recursive: true });
    const plan = planTemplate('enroll')
      .replace(/^participants:\n(?: {2}- .*\n)+/m, 'participants:\n' + ppl.map(([id, name, role]) => `  - { id: ${id}, name: "${name}", roles: [${role}] }\n`).join(''))
      .replace('directory: /media/ceremony', 'directory: enroll-out')
      .replace('vault: /var/lib/custos/vault', 'vault: enroll-vault')
      .replace('airgap: strict', 'airgap: warn');
    writeFileSync(at('enroll.yaml'), plan);
    const a = await openApp(browser, root, { dataDir: mkdtempSync(join(tmpdir(), 'custos-appdata-')) });
    const { page } = a;
    a.app.picks.push({ kind: 'plan', path: at('enroll.yaml') });
    await page.getByRole('button', { name: 'Open an enroll plan' }).click();
    const handovers: string[] = [];
    const end = await drive(a, { passphrase: (who) => `${who} identity passphrase`, identity: (who) => at('media', who, `${who}.identity.age`), folder: (who) => at('media', who) }, handovers);
    expect(end).toMatch(/The ceremony is closed/);
    expect(handovers).toContain('Hand the keyboard to Alice Custodian, participant 3 of 4');
    // Each identity went to its owner's medium, nowhere else.
    for (const [id] of ppl) expect(readdirSync(at('media', id))).toEqual([`${id}.identity.age`]);
    const words = (await page.getByLabel('Roster words').getAttribute('data-words'))!;
    expect(words.split(' ')).toHaveLength(8);
    await screen(page, 'enroll-closed');
    const r = verifyRoster(nativeProvider, readFileSync(at('enroll-out', 'roster.json'), 'utf8'));
    expect(r.words.join(' ')).toBe(words);
    expect(r.rehearsal).toBe(false);
    await page.close();
  }, 300_000);

  it('a plan built in the form is checked as it is typed, each problem beside its field, and saved', async () => {
    mkdirSync(at('usb-a'));
    mkdirSync(at('usb-b'));
    const a = await openApp(browser, root, {
      dataDir: data,
      drives: () => [
        { device: 'sdb', partition: 'sdb1', mountpoint: at('usb-a'), model: 'SanDisk Cruzer', sizeBytes: 16e9 },
        { device: 'sdc', partition: 'sdc1', mountpoint: at('usb-b'), model: 'Kingston DT', sizeBytes: 8e9 },
      ],
    });
    const { page } = a;
    a.app.settings.set({ vault: at('vault') }); // as the home screen left it
    await page.getByRole('button', { name: 'Build a plan' }).click();
    await page.getByLabel('Ceremony name').fill('Master key 2027');
    await page.getByLabel('Organization').fill('Example Bank KMS');
    await page.getByLabel('Operator (participant id)').fill('oscar');
    await page.getByLabel(/^Witnesses/).fill('alice');
    await page.getByLabel(/^Custodians, in order/).fill('alice, bob, carol');
    await page.getByLabel(/^How many custodians rebuild/).fill('4');
    await page.getByRole('button', { name: 'Save the plan…' }).click();
    await page.getByText('shares.threshold: is 4 but only 3 custodians are listed').waitFor();
    await page.getByText('witnesses[0]: alice is a custodian and cannot also witness').waitFor();
    await page.getByText('roster.fingerprint: must be the 8 fingerprint words').waitFor();
    await screen(page, 'plan-form-errors');
    expect(a.app.dialogsShown).toEqual([]);
    await page.getByLabel(/^How many custodians rebuild/).fill('2');
    await page.getByLabel(/^Witnesses/).fill('wendy');
    await page.getByLabel(/^Roster words/).fill(w.words);
    expect(await page.getByLabel('Vault folder').inputValue()).toBe(at('vault')); // the vault remembered
    await page.getByLabel('Vault folder').fill('vault');
    // The drives mounted are one press away from being a medium of the plan.
    await page.getByRole('button', { name: 'Use sdb1 for the custodians’ medium' }).click();
    await page.getByRole('button', { name: 'Use sdc1 for the paper shares' }).click();
    expect(await page.getByLabel('Output folder (the custodians’ medium)').inputValue()).toBe(at('usb-a'));
    expect(await page.getByLabel('Paper shares folder, on a medium of its own').inputValue()).toBe(at('usb-b'));
    await page.getByLabel('Roster file', { exact: true }).fill('ids/roster.json');
    a.app.picks.push({ kind: 'save', path: at('built.yaml') });
    await page.getByRole('button', { name: 'Save the plan…' }).click();
    await page.getByText('Saved as built.yaml').waitFor();
    await screen(page, 'plan-saved');
    // The file is the plan the form showed, and it checks as the CLI reads it.
    expect(parsePlan(readFileSync(at('built.yaml'), 'utf8'))).toMatchObject({ kind: 'generate', operator: 'oscar', witnesses: ['wendy'], shares: { threshold: 2, custodians: ['alice', 'bob', 'carol'], forms: ['file', 'paper'] }, outputs: { directory: at('usb-a'), paper: at('usb-b') } });
    await page.getByRole('button', { name: 'Back to home' }).click();
    await page.getByRole('button', { name: 'Build a plan' }).click();
    await page.locator('label', { hasText: 'Any kind of ceremony, from its template' }).click();
    await page.locator('label', { hasText: /^restore$/ }).click();
    await page.getByText('plan.roster.fingerprint: must be the 8 fingerprint words').waitFor();
    await screen(page, 'plan-template');
    await page.close();
  }, 60_000);

  it('the script printed before a quorum ceremony; a custodian shows their printed card to the camera, allowed only while that screen is open', async () => {
    // Carol's card as the ceremony printed it, filmed by the workstation's camera.
    const page1 = pdfPages(at('paper-generate', 'carol.share.pdf'), 'camera-carol', 150)[0]!;
    writeFileSync(at('camera.y4m'), cameraFrame(new Uint8Array(readFileSync(page1))));
    const camBrowser = await launchChromiumWithCamera(at('camera.y4m'), ORIGIN);
    try {
      const plan = w.plan('add-cam', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, carol]').replace('"vsphere-kek-2026"', 'kek-camera'));
      const a = await openApp(camBrowser, root, { dataDir: data });
      const { page } = a;
      // The script, printed from the home screen before the ceremony: the same bytes as custos print.
      a.app.picks.push({ kind: 'plan', path: plan });
      await page.getByRole('button', { name: 'Open a plan and print its script' }).click();
      await page.locator('.document').getByText(/^\d+ pages$/).waitFor();
      await screen(page, 'home-script');
      a.app.picks.push({ kind: 'save', path: at('script-from-app.pdf') });
      await page.getByRole('button', { name: 'Save PDF…' }).click();
      await page.getByText(/^Saved as script-from-app\.pdf/).waitFor();
      expect((await custos('print', 'script', plan, '--out', at('script-from-cli.pdf'))).code).toBe(0);
      expect(readFileSync(at('script-from-app.pdf')).equals(readFileSync(at('script-from-cli.pdf')))).toBe(true);
      await page.locator('.document').getByRole('button', { name: 'Close' }).click();

      a.app.picks.push({ kind: 'plan', path: plan });
      await page.getByRole('button', { name: 'Open a plan and rehearse' }).click();
      const end = await drive(a, { ...people, shareFile: (who) => at('out-generate', `${who}.share.age`), camera: (who) => who === 'carol' });
      expect(end).toMatch(/The ceremony is closed/);
      // The camera's gate opened for the scan screen and closed when it went; every other permission stays denied (test/main/security.test.ts).
      expect(a.app.cameraLog.filter((x) => x.open)).toHaveLength(1);
      expect(a.app.cameraLog.at(-1)?.open).toBe(false);
      // Outside a share prompt the window cannot open it.
      await expect(page.evaluate(() => (globalThis as unknown as { custos: { camera(o: boolean): Promise<void> } }).custos.camera(true))).rejects.toThrow(/camera: opens only while a custodian is asked for their share/);
      // The transcript records that carol's share came from her card, by the camera, and that main's gate opened the camera for her (alice's: never).
      const shares = readFileSync(at('vault', 'add-cam.jsonl'), 'utf8').split('\n').filter((l) => l.includes('"quorum.share"')).map((l) => (JSON.parse(l) as { data: { custodian: string; form: string; via?: string; camera?: string } }).data);
      expect(shares.map((d) => [d.custodian, d.form, d.via, d.camera ?? null])).toEqual([['alice', 'file', 'file', null], ['carol', 'paper', 'camera', 'opened']]);
      expect(a.requests.filter((u) => !u.startsWith(ORIGIN))).toEqual([]);
      expect(a.consoleErrors).toEqual([]);
      await page.close();
    } finally {
      await camBrowser.close();
    }
  }, 300_000);

  it('nothing leaves the page: the CSP from main blocks a request that is tried', async () => {
    const a = await openApp(browser, root, { dataDir: data });
    const { page } = a;
    await page.getByText('Air gap: no network interface is up').waitFor();
    const violations = await page.evaluate(async () => {
      const seen: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`));
      const tried = await fetch('http://custos.test/probe.json').then(() => 'fetched', () => 'blocked');
      const img = new Image();
      img.src = 'https://example.com/pixel.png';
      document.body.append(img);
      await new Promise((r) => setTimeout(r, 300));
      return { tried, seen };
    });
    expect(violations.tried).toBe('blocked');
    expect(violations.seen).toEqual(expect.arrayContaining([expect.stringMatching(/^connect-src http:\/\/custos\.test\/probe\.json/), expect.stringMatching(/^img-src https:\/\/example\.com/)]));
    // The fetch never became a request; the image did, and Chromium stopped it for the CSP before it left.
    expect(a.requests.filter((u) => u.includes('probe'))).toEqual([]);
    expect([...a.failed]).toEqual([['https://example.com/pixel.png', 'csp']]);
    await page.close();
  });

  it('no screen has a serious or critical accessibility violation', () => {
    expect(axeFindings).toEqual([]);
  });
});
