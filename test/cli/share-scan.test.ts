/**
 * A share card's QR code read back from a picture: one made by the standard `qrencode` tool, the
 * card as printed (pdftoppm's page), and photographs of it (scaled, turned, unevenly lit,
 * noisy, JPEG). `custos share scan` checks what it read like a typed card; at a quorum the share
 * prompt takes the picture's path and the ceremony goes on with that share.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { custos, custosTyping, typing, workstation, type CliResult } from '../helpers/lifecycle';
import { hasPdfTools, pdfPages } from '../helpers/pdf';
import { photograph } from '../helpers/photo';
import { tool } from '../helpers/tools';
import { makeShares, provider } from '../helpers/shares';
import { shareToQrPayload } from '../../src/core/shares/qr';
import { describeShare } from '../../src/core/shares/record';
import { textToShare } from '../../src/core/shares/text';
import { readQrImage } from '../../src/node/qr-image';
import { scratchDir } from '../helpers/scratch';

const hasQrencode = tool('qrencode');
const dir = scratchDir('custos-scan-'); // it holds a paper medium: never a temporary folder
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
const ok = (r: CliResult) => {
  expect(r.code, r.err + r.out).toBe(0);
  return JSON.parse(r.out) as { share: ReturnType<typeof describeShare>; image: string };
};
const qrencode = (text: string, file: string, size = 4) => {
  const r = spawnSync('qrencode', ['-l', 'M', '-s', String(size), '-m', '4', '-o', file, text], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return new Uint8Array(readFileSync(file));
};

describe.runIf(hasQrencode)('share scan: pictures of a QR code', () => {
  let fixture: Awaited<ReturnType<typeof makeShares>>;
  beforeAll(async () => {
    fixture = await makeShares(2, 3, 'scan');
  });

  it('a code made by qrencode: custos share scan prints the share it holds and writes its text with --out', async () => {
    const record = fixture.records[1]!;
    qrencode(shareToQrPayload(record), at('qrencode.png'));
    const r = ok(await custos('share', 'scan', at('qrencode.png'), '--out', at('scanned.txt'), '--json'));
    expect(r).toMatchObject({ image: 'png', share: describeShare(record) });
    expect(readFileSync(at('scanned.txt'), 'utf8').trim()).toBe(shareToQrPayload(record));
    // Never over an existing file.
    const again = await custos('share', 'scan', at('qrencode.png'), '--out', at('scanned.txt'));
    expect(again.code).toBe(1);
  });

  it.each([
    ['smaller and turned 17 degrees', { scale: 0.8, turn: 17, noise: 10, light: 0.3, quality: 85 }],
    ['larger, turned 100 degrees, dim on one side', { scale: 1.6, turn: 100, noise: 18, light: 0.55, quality: 70 }],
    ['turned -8 degrees, heavy noise', { scale: 1.2, turn: -8, noise: 30, light: 0.2, quality: 60 }],
  ])('a photograph of it, %s, reads the same record', (_, shot) => {
    const record = fixture.records[0]!;
    const jpegBytes = photograph(qrencode(shareToQrPayload(record), at('clean.png'), 5), shot, JSON.stringify(shot));
    writeFileSync(at('photo.jpg'), jpegBytes);
    expect(readQrImage(new Uint8Array(readFileSync(at('photo.jpg'))), 'image')).toBe(shareToQrPayload(record));
  });

  it('a PNG that claims a huge picture (a decompression bomb) or is interlaced is refused from its header, before it is inflated', () => {
    const png = qrencode(shareToQrPayload(fixture.records[0]!), at('bomb.png'));
    const bomb = png.slice();
    new DataView(bomb.buffer).setUint32(16, 100_000);
    new DataView(bomb.buffer).setUint32(20, 100_000);
    expect(() => readQrImage(bomb, 'image')).toThrow(/^image: is 100000 by 100000 pixels: more than 40 megapixels/);
    const interlaced = png.slice();
    interlaced[28] = 1;
    expect(() => readQrImage(interlaced, 'image')).toThrow(/^image: is an interlaced PNG/);
    expect(readQrImage(png, 'image')).toBe(shareToQrPayload(fixture.records[0]!));
  });

  it('a picture without a code, a code that is not a share, a code of a share altered: each refused naming the picture, nothing written', async () => {
    writeFileSync(at('blank.jpg'), photograph(blankPng(), { scale: 1, turn: 0, noise: 5, light: 0, quality: 80 }));
    const blank = await custos('share', 'scan', at('blank.jpg'), '--out', at('blank.txt'));
    expect([blank.code, blank.err]).toEqual([2, expect.stringMatching(/^custos: image: has no QR code that could be read/)]);
    qrencode('https://example.org/', at('other.png'));
    const other = await custos('share', 'scan', at('other.png'), '--out', at('other.txt'));
    expect([other.code, other.err]).toEqual([2, expect.stringContaining('not a Custos share code')]);
    const payload = shareToQrPayload(fixture.records[2]!);
    const altered = payload.slice(0, 40) + (payload[40] === 'A' ? 'B' : 'A') + payload.slice(41);
    qrencode(altered, at('altered.png'));
    const bad = await custos('share', 'scan', at('altered.png'), '--out', at('altered.txt'));
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/image\.qr/);
    writeFileSync(at('not-an-image.png'), 'hello');
    const notImage = await custos('share', 'scan', at('not-an-image.png'));
    expect([notImage.code, notImage.err]).toEqual([2, expect.stringContaining('not a PNG or JPEG')]);
    for (const f of ['blank.txt', 'other.txt', 'altered.txt']) expect(existsSync(at(f))).toBe(false);
  });
});

/** A white page with nothing on it. */
function blankPng(): Uint8Array {
  const r = spawnSync('qrencode', ['-s', '1', '-m', '40', '-o', '-', ' '], { encoding: 'buffer' });
  // Whiten every pixel of a real PNG (so the file is a valid picture without any code in it).
  const png = PNG.sync.read(r.stdout);
  png.data.fill(255);
  return new Uint8Array(PNG.sync.write(png));
}

describe.runIf(hasQrencode && hasPdfTools)('a quorum scans a printed card', { timeout: 300_000 }, () => {
  it('the share prompt takes a photograph of a card printed by generate; the ceremony records whose share it was', async () => {
    const w = await workstation(dir);
    const answers = w.answersFile('generate', 'out-generate', []);
    const g = await custos('rehearse', w.plan('generate', 'generate', (t) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]')), '--answers', answers, '--work-factor', '10');
    expect(g.code, g.err).toBe(0);
    // Carol's card, printed and photographed.
    const page = pdfPages(at('paper-generate', 'carol.share.pdf'), 'scan-carol', 150)[0]!;
    writeFileSync(at('carol-card.jpg'), photograph(new Uint8Array(readFileSync(page)), { scale: 0.9, turn: 6, noise: 8, light: 0.3, quality: 85 }));
    const carol = textToShare(provider, readFileSync(at('paper-generate', 'carol.share.txt'), 'utf8'));
    expect(readQrImage(new Uint8Array(readFileSync(at('carol-card.jpg'))), 'image')).toBe(shareToQrPayload(carol));

    const plan = w.plan('add', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, carol]').replace('"vsphere-kek-2026"', 'kek-scan'));
    // Carol's first picture is blank: she is asked again, not refused, and the second one is read.
    writeFileSync(at('carol-blank.jpg'), photograph(blankPng(), { scale: 1, turn: 0, noise: 5, light: 0, quality: 80 }));
    const typed = typing(dir, { alice: 'out-generate/alice.share.age', carol: 'carol-card.jpg' });
    let blankGiven = false;
    const people = Object.assign((q: string, field: string, secret: boolean, flush?: boolean) => {
      if (!blankGiven && /^carol: path of your share file/.test(q)) {
        blankGiven = true;
        typed.asked.push(q);
        return at('carol-blank.jpg');
      }
      return typed(q, field, secret, flush);
    }, { asked: typed.asked });
    const r = await custosTyping(people, 'rehearse', plan, '--work-factor', '10', '--json');
    expect(r.code, r.err + r.out).toBe(0);
    expect(people.asked.some((q) => /carol: path of your share file, of a text file holding your paper share, or of a picture of its QR code/.test(q))).toBe(true);
    expect(people.asked.filter((q) => /^carol: path of your share file/.test(q))).toHaveLength(2);
    const log = readFileSync(at('vault', 'add.jsonl'), 'utf8');
    expect(log).toMatch(/"code":"qr.none"/); // the failed try recorded, without what was shown
    expect(log).toMatch(/"custodian":"carol","form":"paper"[^\n]*"type":"quorum.share"/);
  });
});
