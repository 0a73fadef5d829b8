/**
 * Paper: the share cards a generate ceremony puts on its paper medium, and `custos print` for
 * the script, the transcript report, the auditor's report and the import receipt. Each PDF is
 * read back with independent tools (poppler's pdftotext and pdftoppm, zbar's zbarimg): the QR
 * code on a card is the share record, the card's text types back into the same share, the
 * facts people compare are on the page, and rendering the same input again gives the same
 * bytes. Every page is kept as a PNG under test-output/paper.
 */
import { createHash, createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { custos, workstation, type CliResult } from '../helpers/lifecycle';
import { hasPdfTools, pdfPages, pdfText, qrPayloads } from '../helpers/pdf';
import { nativeProvider as provider } from '../../src/node/native-provider';
import { shareToText, textToShare } from '../../src/core/shares/text';
import { shareToQrPayload } from '../../src/core/shares/qr';
import { describeShare } from '../../src/core/shares/record';
import { renderShareCard } from '../../src/core/paper/share-card';
import { documentFonts } from '../../src/node/fonts';
import { parseTransportKey } from '../../src/core/documents/transport';
import { signReceipt } from '../../src/kmip/receipt';
import { TRANSPORT_PEM } from '../helpers/lifecycle';
import { participantWords } from '../../src/core/roster/roster';
import { audit } from '../../src/node/audit';
import { auditPdf } from '../../src/node/paper';
import { scratchDir } from '../helpers/scratch';

const dir = scratchDir('custos-print-'); // it holds a paper medium: never a temporary folder
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
const sha = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const ok = (r: CliResult) => {
  expect(r.code, r.err + r.out).toBe(0);
  return JSON.parse(r.out) as Record<string, unknown>;
};
type Event = { seq: number; time: string; type: string; actor: string; data: Record<string, unknown> };
const events = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Event & { ceremony: string });

/** What a person copies from a card: its header and its numbered lines. */
const cardLines = (text: string) =>
  text
    .split('\n')
    .filter((l) => /^\s*(CUSTOS (?:REHEARSAL )?SHARE |\d{2}\s)/.test(l))
    .join('\n');

let w: Awaited<ReturnType<typeof workstation>>;
let transport: ReturnType<typeof parseTransportKey>;
const pin = () => ['--roster', w.roster, '--roster-words', w.words];

beforeAll(async () => {
  w = await workstation(dir);
  transport = parseTransportKey(provider, readFileSync(at('kms.transport.json'), 'utf8'));
  const rehearse = async (name: string, kind: string, edit: (t: string) => string, quorum: string[]) =>
    ok(await custos('rehearse', w.plan(name, kind, edit), '--answers', w.answersFile(name, 'out-generate', quorum), '--work-factor', '10', '--json'));
  // The template's generate: 3 of 5, each custodian a share file and a paper card.
  const generated = await custos('rehearse', w.plan('generate', 'generate', (t) => t), '--answers', w.answersFile('generate', 'out-generate', []), '--work-factor', '10');
  expect(generated.code, generated.err).toBe(0);
  // The room is told where the cards are, to print and seal.
  expect(generated.out).toContain(`The share cards are on the paper medium (${at('paper-generate')}): alice.share.pdf, bob.share.pdf, carol.share.pdf, dave.share.pdf, erin.share.pdf.`);
  await rehearse('add-key', 'add-key', (t) => t.replace('"vsphere-kek-2026"', 'kek-paper'), ['alice', 'bob', 'carol']);
  await rehearse(
    'export',
    'export-bundle',
    (t) =>
      t
        .replace('keys: ["vsphere-kek-2026"]', 'keys: [kek-paper]')
        .replace('file: kms-prod-1.transport.json', 'file: kms.transport.json')
        .replace('"REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"', `"${transport.fingerprint}"`),
    ['alice', 'bob', 'carol'],
  );
  // The key server's receipt for that bundle, signed with the transport key.
  const bundleBytes = readFileSync(at('out-export', 'kms-prod-1.bundle.json'));
  const bundle = JSON.parse(bundleBytes.toString('utf8')) as { manifest: { ceremony: string; transcript: { head: string }; keys: { id: string; name: string; kcv: string }[] } };
  const k = bundle.manifest.keys[0]!;
  const pkcs8 = new Uint8Array(createPrivateKey(TRANSPORT_PEM).export({ type: 'pkcs8', format: 'der' }));
  const receipt = {
    v: 1 as const,
    kind: 'custos.receipt' as const,
    bundle: { sha256: sha(bundleBytes), ceremony: bundle.manifest.ceremony, transcriptHead: bundle.manifest.transcript.head },
    transport: { server: 'kms-test-1', fingerprint: transport.fingerprint },
    rehearsal: true,
    servers: [{ endpoint: '127.0.0.1:5696', subject: 'kmip-client', time: '2026-11-30T12:00:00.000Z', form: 'unwrapped' as const, keys: [{ id: k.id, name: k.name, uid: 'uid-77', kcv: k.kcv, outcome: 'registered' as const }] }],
  };
  writeFileSync(at('kms.receipt.json'), signReceipt(receipt, pkcs8));
}, 300_000);

describe.runIf(hasPdfTools)('paper', { timeout: 120_000 }, () => {
  it('a share card per custodian on the paper medium, recorded by its SHA-256 and location: its QR is the share, its text types back into it, its facts are printed', async () => {
    const log = events(at('vault', 'generate.jsonl'));
    const split = log.find((e) => e.type === 'shares.split')!;
    const ceremony = log[0]!.ceremony;
    for (const [i, c] of ['alice', 'bob', 'carol', 'dave', 'erin'].entries()) {
      const pdf = readFileSync(at('paper-generate', `${c}.share.pdf`));
      // The transcript says where the card went and its hash, never what it holds.
      const issued = log.find((e) => e.type === 'share.issued' && e.data.custodian === c)!;
      expect(issued.data.files).toContainEqual({ name: `${c}.share.pdf`, sha256: sha(pdf), medium: 'paper', location: at('paper-generate') });
      expect(readFileSync(at('vault', 'generate.jsonl'), 'utf8')).not.toMatch(/CUSTOS (?:REHEARSAL )?SHARE/);
      // The record the card was made from: the paper text beside it.
      const record = textToShare(provider, readFileSync(at('paper-generate', `${c}.share.txt`), 'utf8'));
      expect(record.index).toBe(i + 1);
      const d = describeShare(record);

      const pages = pdfPages(at('paper-generate', `${c}.share.pdf`), `card-${c}`, 150);
      expect(pages).toHaveLength(1); // one card, one page
      expect(qrPayloads(pages[0]!)).toEqual([shareToQrPayload(record)]);

      const text = pdfText(at('paper-generate', `${c}.share.pdf`));
      for (const fact of [d.kcv, d.setId, d.keyId, ceremony, `${i + 1} of 5`, 'any 3 restore', `${c.charAt(0).toUpperCase()}${c.slice(1)} Custodian`, 'Seal number', `age -d ${c}.share.age`])
        expect(text, fact).toContain(fact);
      // Typing the printed lines back restores the very same share.
      const typed = textToShare(provider, cardLines(pdfText(at('paper-generate', `${c}.share.pdf`), true)));
      expect(Buffer.from(typed.bytes).equals(Buffer.from(record.bytes))).toBe(true);

      // Re-rendered from what was recorded (the record, the split's time), the card is the same bytes.
      const again = await renderShareCard(documentFonts(), {
        record,
        text: shareToText(provider, record),
        custodian: { id: c, name: `${c.charAt(0).toUpperCase()}${c.slice(1)} Custodian` },
        organization: 'Example Bank KMS',
        ceremony: { id: ceremony, name: String(log[0]!.data.name) },
        issued: new Date(split.time),
        shareFile: { name: `${c}.share.age`, protection: 'passphrase' },
      });
      expect(sha(again)).toBe(sha(pdf));
    }
  });

  it('a card typed back with one wrong character names its line; nothing is corrected', () => {
    const text = cardLines(pdfText(at('paper-generate', 'bob.share.pdf'), true));
    const line5 = text.split('\n').find((l) => /^\s*05\s/.test(l))!;
    const swapped = line5.replace(/(\s05\s+)(\S)/, (_, pre: string, ch: string) => pre + (ch === 'X' ? 'Y' : 'X'));
    expect(() => textToShare(provider, text.replace(line5, swapped))).toThrow(/line\[05\]/);
  });

  it('print script: every step with who acts, a box and an initials line, an exceptions sheet and signatures; the same plan prints the same bytes', async () => {
    const a = ok(await custos('print', 'script', at('export.yaml'), '--out', at('script.pdf'), '--json'));
    const b = ok(await custos('print', 'script', at('export.yaml'), '--out', at('script-again.pdf'), '--json'));
    expect(a.sha256).toBe(sha(readFileSync(at('script.pdf'))));
    expect(b.sha256).toBe(a.sha256);
    pdfPages(at('script.pdf'), 'script');
    const steps = ok(await custos('plan', 'script', at('export.yaml'), '--json')).steps as { person: string; action: string }[];
    const text = pdfText(at('script.pdf')).replace(/\s+/g, ' ');
    for (const s of steps) expect(text).toContain(s.action.replace(/\s+/g, ' ').slice(0, 40));
    for (const x of ['Alice Custodian (alice)', 'Wendy Witness (wendy)', 'initials', 'Exceptions', 'Signatures', sha(readFileSync(at('export.yaml'))), w.words]) expect(text).toContain(x);
    expect(pdfPages(at('script.pdf'), 'script').length).toBeGreaterThanOrEqual(3);
  });

  it('print transcript: the events in order, each participant with their key words, the head as hex and words, a line per witness; verified first', async () => {
    const r = ok(await custos('print', 'transcript', at('vault', 'generate.jsonl'), ...pin(), '--out', at('transcript.pdf'), '--json'));
    expect(ok(await custos('print', 'transcript', at('vault', 'generate.jsonl'), ...pin(), '--out', at('transcript-again.pdf'), '--json')).sha256).toBe(r.sha256);
    pdfPages(at('transcript.pdf'), 'transcript');
    const text = pdfText(at('transcript.pdf')).replace(/\s+/g, ' ');
    const lines = readFileSync(at('vault', 'generate.jsonl'), 'utf8').split('\n').filter(Boolean);
    const log = events(at('vault', 'generate.jsonl'));
    let from = 0;
    for (const e of log) {
      const where = text.indexOf(`${e.seq}. `, from);
      expect(where, `event ${e.seq}`).toBeGreaterThanOrEqual(from);
      expect(text.slice(where, where + 200)).toContain(e.type);
      from = where;
    }
    for (const l of lines) expect(text).toContain(sha(l)); // every line's hash
    for (const c of ['alice', 'bob', 'carol', 'dave', 'erin']) expect(text).toContain(sha(readFileSync(at('paper-generate', `${c}.share.pdf`)))); // each card, by its hash
    const verified = ok(await custos('verify', 'transcript', at('vault', 'generate.jsonl'), ...pin(), '--json'));
    expect(text).toContain(sha(lines.at(-1)!));
    expect(text).toContain(String(verified.closingWords));
    expect(text).toContain(String(verified.closingHead));
    const roster = JSON.parse(readFileSync(w.roster, 'utf8')) as { participants: { id: string; signingKey: string; ageRecipient: string }[] };
    for (const id of ['oscar', 'alice', 'wendy']) expect(text).toContain(participantWords(provider, roster.participants.find((p) => p.id === id)!).join(' '));
    expect(text).toContain('Wendy Witness (wendy)');
    pdfPages(at('transcript.pdf'), 'transcript');
    // A transcript the roster does not vouch for is refused, nothing written.
    const forged = readFileSync(at('vault', 'generate.jsonl'), 'utf8').replace('"kind":"generate"', '"kind":"generatf"');
    writeFileSync(at('forged.jsonl'), forged);
    const bad = await custos('print', 'transcript', at('forged.jsonl'), ...pin(), '--out', at('forged.pdf'));
    expect(bad.code).toBe(1);
    expect(existsSync(at('forged.pdf'))).toBe(false);
  });

  it('print transcript of an export: each key the bundle carries on a line of its own, by name, id and KCV', async () => {
    ok(await custos('print', 'transcript', at('vault', 'export.jsonl'), ...pin(), '--out', at('export-report.pdf'), '--json'));
    pdfPages(at('export-report.pdf'), 'export-report');
    const lines = pdfText(at('export-report.pdf'), true).split('\n');
    const keys = events(at('vault', 'export.jsonl')).find((e) => e.type === 'bundle.written')!.data.keys as { id: string; name: string; kcv: string }[];
    const signed = (JSON.parse(readFileSync(at('out-export', 'kms-prod-1.bundle.json'), 'utf8')) as { manifest: { keys: { id: string; kcv: string }[] } }).manifest.keys;
    expect(keys.map((k) => [k.id, k.kcv])).toEqual(signed.map((k) => [k.id, k.kcv]));
    for (const k of keys) expect(lines.filter((l) => l.includes(k.name) && l.includes(`id ${k.id}`) && l.includes(`kcv ${k.kcv}`)), k.name).toHaveLength(1);
  });

  it('print audit: every check of verify with its result and each input SHA-256; a failed verification is printed as failed and exits 1', async () => {
    const r = ok(await custos('print', 'audit', 'bundle', at('out-export', 'kms-prod-1.bundle.json'), ...pin(), '--out', at('audit-bundle.pdf'), '--json'));
    expect(r.ok).toBe(true);
    const text = pdfText(at('audit-bundle.pdf')).replace(/\s+/g, ' ');
    expect(text).toContain('EVERY CHECK PASSED');
    expect(text).toContain(sha(readFileSync(at('out-export', 'kms-prod-1.bundle.json'))));
    expect(text).toContain(sha(readFileSync(w.roster)));
    expect(text.match(/PASSED /g)!.length).toBeGreaterThanOrEqual(2);
    pdfPages(at('audit-bundle.pdf'), 'audit-bundle');

    const tampered = readFileSync(at('vault', 'generate.jsonl'), 'utf8').replace(/"time":"(\d{4})/, (_, y: string) => `"time":"${Number(y) + 1}`);
    writeFileSync(at('tampered.jsonl'), tampered);
    const f = await custos('print', 'audit', 'transcript', at('tampered.jsonl'), ...pin(), '--out', at('audit-failed.pdf'));
    expect(f.code).toBe(1);
    const failed = pdfText(at('audit-failed.pdf')).replace(/\s+/g, ' ');
    expect(failed).toContain('RESULT: FAILED');
    expect(failed).toContain('FAILED Every line is signed');
    expect(failed).toContain('NOT CHECKED');
    expect(failed).toContain(sha(tampered));
    pdfPages(at('audit-failed.pdf'), 'audit-failed');
  });

  it('print audit: the report says when its checks were made; the same files at the same time give the same bytes, and a time past the bundle expiry fails it', async () => {
    const bundle = at('out-export', 'kms-prod-1.bundle.json');
    const pinned = { text: readFileSync(w.roster, 'utf8'), words: w.words.split(' ') };
    const expires = (JSON.parse(readFileSync(bundle, 'utf8')) as { manifest: { expires: string } }).manifest.expires;
    const render = async (now: Date, name: string) => {
      const pdf = await auditPdf(audit(provider, 'bundle', bundle, pinned, now), []);
      writeFileSync(at(name), pdf);
      return { sha256: sha(pdf), text: pdfText(at(name)).replace(/\s+/g, ' ') };
    };
    const before = new Date(Date.parse(expires) - 3_600_000);
    const [a, b] = [await render(before, 'audit-at.pdf'), await render(before, 'audit-at-again.pdf')];
    expect(b.sha256).toBe(a.sha256);
    expect(a.text).toContain('EVERY CHECK PASSED');
    expect(a.text).toContain(`Checked at ${before.toISOString().replace('T', ' ').replace('Z', ' UTC')}`);
    const late = await render(new Date(Date.parse(expires) + 1000), 'audit-late.pdf');
    expect(late.text).toContain('RESULT: FAILED');
    expect(late.text).toContain(`the bundle expired on ${expires}`);
    pdfPages(at('audit-late.pdf'), 'audit-late');
    // The command checks at the time it runs, and the page says so.
    const start = Date.now();
    ok(await custos('print', 'audit', 'bundle', bundle, ...pin(), '--out', at('audit-now.pdf'), '--json'));
    const when = /Checked at (\S+) (\S+) UTC/.exec(pdfText(at('audit-now.pdf')).replace(/\s+/g, ' '))!;
    expect(Date.parse(`${when[1]}T${when[2]}Z`)).toBeGreaterThanOrEqual(start);
    expect(Date.parse(`${when[1]}T${when[2]}Z`)).toBeLessThanOrEqual(Date.now());
  });

  it('print audit bundle checks the pins custos verify bundle takes, the same way: the fingerprint, the transport key file, the transcript', async () => {
    const bundle = at('out-export', 'kms-prod-1.bundle.json');
    const audited = ['print', 'audit', 'bundle', bundle, ...pin()];
    const all = ['--fingerprint', transport.fingerprint, '--transport', at('kms.transport.json'), '--transcript', at('vault', 'export.jsonl')];
    expect(ok(await custos(...audited, ...all, '--out', at('audit-pinned.pdf'), '--json')).ok).toBe(true);
    const pinnedText = pdfText(at('audit-pinned.pdf')).replace(/\s+/g, ' ');
    for (const x of ['PASSED Wrapped for the key server', 'transport key pinned by its fingerprint', 'enrollment file is the one that fingerprint pins', 'transcript records this bundle', sha(readFileSync(at('kms.transport.json'))), sha(readFileSync(at('vault', 'export.jsonl')))]) expect(pinnedText).toContain(x);
    pdfPages(at('audit-pinned.pdf'), 'audit-pinned');
    // Another transport key's fingerprint: the report prints the failure, as verify bundle refuses it.
    const other = 'ab'.repeat(32);
    const wrong = await custos(...audited, '--fingerprint', other, '--out', at('audit-wrong-pin.pdf'));
    expect(wrong.code).toBe(1);
    const reason = `the bundle is wrapped for transport key ${transport.fingerprint}, not ${other}`;
    expect(pdfText(at('audit-wrong-pin.pdf')).replace(/\s+/g, ' ')).toMatch(new RegExp(`RESULT: FAILED.*FAILED Wrapped for the key server.*${reason}`));
    expect(await custos('verify', 'bundle', bundle, ...pin(), '--fingerprint', other)).toMatchObject({ code: 1, err: expect.stringContaining(reason) });
    // Another ceremony's transcript does not record this bundle.
    expect((await custos(...audited, '--transcript', at('vault', 'generate.jsonl'), '--out', at('audit-wrong-transcript.pdf'))).code).toBe(1);
    expect(pdfText(at('audit-wrong-transcript.pdf')).replace(/\s+/g, ' ')).toMatch(/FAILED The export ceremony.s transcript records this bundle.*is the transcript of a generate ceremony, not of an export-bundle/);
    // An enrollment file without the fingerprint pins nothing; a document with no recipient takes no pin: usage errors, nothing written.
    const unpinned = await custos(...audited, '--transport', at('kms.transport.json'), '--out', at('audit-unpinned.pdf'));
    expect([unpinned.code, unpinned.err, existsSync(at('audit-unpinned.pdf'))]).toEqual([2, expect.stringContaining('--fingerprint: is needed with --transport'), false]);
    const transcript = await custos('print', 'audit', 'transcript', at('vault', 'export.jsonl'), ...pin(), '--fingerprint', transport.fingerprint, '--out', at('audit-no-recipient.pdf'));
    expect([transcript.code, transcript.err, existsSync(at('audit-no-recipient.pdf'))]).toEqual([2, expect.stringContaining('--fingerprint: is not an option of this command'), false]);
  });

  it('print receipt: the server, each key with its KCV and KMIP uid, checked against the pinned transport key; a wrong pin prints nothing', async () => {
    const args = ['--transport', at('kms.transport.json'), '--fingerprint', transport.fingerprint, '--bundle', at('out-export', 'kms-prod-1.bundle.json')];
    const r = ok(await custos('print', 'receipt', at('kms.receipt.json'), ...args, '--out', at('receipt.pdf'), '--json'));
    expect(ok(await custos('print', 'receipt', at('kms.receipt.json'), ...args, '--out', at('receipt-again.pdf'), '--json')).sha256).toBe(r.sha256);
    const receipt = JSON.parse(readFileSync(at('kms.receipt.json'), 'utf8')) as { content: { servers: { keys: { kcv: string; id: string }[] }[] } } & Record<string, unknown>;
    const text = pdfText(at('receipt.pdf')).replace(/\s+/g, ' ');
    for (const x of ['kms-test-1', '127.0.0.1:5696', 'uid-77', 'kek-paper', transport.words.join(' '), 'SIGNATURE CHECKED']) expect(text).toContain(x);
    const bundle = JSON.parse(readFileSync(at('out-export', 'kms-prod-1.bundle.json'), 'utf8')) as { manifest: { keys: { kcv: string }[] } };
    expect(text).toContain(bundle.manifest.keys[0]!.kcv);
    expect(receipt).toBeTruthy();
    pdfPages(at('receipt.pdf'), 'receipt');
    const wrong = await custos('print', 'receipt', at('kms.receipt.json'), '--transport', at('kms.transport.json'), '--fingerprint', 'ab'.repeat(32), '--out', at('receipt-wrong.pdf'));
    expect(wrong.code).toBe(1);
    expect(existsSync(at('receipt-wrong.pdf'))).toBe(false);
  });

  it('never over an existing file; --out is required and names the field; an unknown kind is a usage error', async () => {
    writeFileSync(at('exists.pdf'), 'keep me');
    const r = await custos('print', 'script', at('export.yaml'), '--out', at('exists.pdf'));
    expect(r.code).not.toBe(0);
    expect(readFileSync(at('exists.pdf'), 'utf8')).toBe('keep me');
    const none = await custos('print', 'script', at('export.yaml'));
    expect([none.code, none.err]).toEqual([2, expect.stringContaining('--out')]);
    const ignored = await custos('print', 'script', at('export.yaml'), '--roster-words', w.words, '--out', at('ignored.pdf'));
    expect([ignored.code, ignored.err, existsSync(at('ignored.pdf'))]).toEqual([2, expect.stringContaining('--roster-words: is not an option of this command'), false]);
    const odd = await custos('print', 'card', at('export.yaml'), '--out', at('card.pdf'));
    expect(odd.code).toBe(2);
    expect(existsSync(at('card.pdf'))).toBe(false);
  });
});
