/**
 * Interop with the standard tools: the Debian `age` CLI opens Custos share files and Custos
 * opens files `age` made; `zbarimg` decodes the printed QR code back to the identical record.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openShareFile, sealShareFile } from '../../src/core/shares/file';
import { shareToQrPayload } from '../../src/core/shares/qr';
import { shareToText } from '../../src/core/shares/text';
import { osRng } from '../../src/node/platform';
import { shareQrPng } from '../../src/node/qr-png';
import { makeShares, provider } from '../helpers/shares';
import { tool } from '../helpers/tools';

const dir = mkdtempSync(join(tmpdir(), 'custos-share-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const f = (n: string) => join(dir, n);
const PASS = 'correct horse battery staple';

/** `age` reads passphrases only from a terminal: give it one with script(1). */
function ageWithTty(args: string[], passphrase: string, confirm = false): void {
  const input = confirm ? `${passphrase}\n${passphrase}\n` : `${passphrase}\n`;
  const cmd = ['age', ...args].map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  // script(1) feeds its stdin to the pseudo-terminal; a short pause lets age open it first.
  const r = spawnSync('sh', ['-c', `(sleep 0.3; printf '%s' "$IN"; sleep 0.3; cat) | script -qec "${cmd.replace(/"/g, '\\"')}" /dev/null`], {
    env: { ...process.env, IN: input },
    input: confirm ? `${passphrase}\n` : '',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`age ${args.join(' ')} failed: ${r.stdout} ${r.stderr}`);
}

describe.runIf(tool('age') && tool('script'))('share files and the age CLI', async () => {
  const fx = await makeShares(2, 3, 'age-interop');
  const rec = fx.records[1]!;
  const ctx = { provider, rng: osRng };

  it('`age -d` opens a passphrase share file made by Custos (work factor 18) and shows the paper text', async () => {
    writeFileSync(f('p.age'), await sealShareFile(ctx, rec, { passphrase: PASS }));
    ageWithTty(['-d', '-o', f('p.txt'), f('p.age')], PASS);
    expect(readFileSync(f('p.txt'), 'utf8')).toBe(shareToText(provider, rec));
  });

  it('Custos opens a share record that `age -p` encrypted (binary record, text form, QR payload)', async () => {
    for (const [name, content] of [
      ['bin', rec.bytes],
      ['txt', new TextEncoder().encode(shareToText(provider, rec))],
      ['qr', new TextEncoder().encode(shareToQrPayload(rec) + '\n')],
    ] as const) {
      writeFileSync(f(`${name}.plain`), content);
      ageWithTty(['-p', '-o', f(`${name}.age`), f(`${name}.plain`)], PASS, true);
      const opened = await openShareFile(provider, new Uint8Array(readFileSync(f(`${name}.age`))), { passphrase: PASS });
      expect(opened.bytes).toEqual(rec.bytes);
    }
  });

  it('X25519 both ways: `age -d -i` opens a Custos file; Custos opens an `age -r` file; armored too', async () => {
    execFileSync('age-keygen', ['-o', f('id.txt')], { stdio: 'ignore' });
    const identity = readFileSync(f('id.txt'), 'utf8').split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-'))!;
    const recipient = execFileSync('age-keygen', ['-y', f('id.txt')]).toString().trim();
    writeFileSync(f('x.age'), await sealShareFile(ctx, rec, { recipient }));
    expect(execFileSync('age', ['-d', '-i', f('id.txt'), f('x.age')]).toString()).toBe(shareToText(provider, rec));
    writeFileSync(f('r.plain'), rec.bytes);
    execFileSync('age', ['-r', recipient, '-o', f('r.age'), f('r.plain')]);
    expect((await openShareFile(provider, new Uint8Array(readFileSync(f('r.age'))), { identity })).bytes).toEqual(rec.bytes);
    execFileSync('age', ['-a', '-r', recipient, '-o', f('ra.age'), f('r.plain')]);
    expect((await openShareFile(provider, new Uint8Array(readFileSync(f('ra.age'))), { identity })).bytes).toEqual(rec.bytes);
  });
});

describe.runIf(tool('zbarimg'))('printed QR codes', async () => {
  const fx = await makeShares(3, 5, 'zbar');
  it('zbarimg decodes the PNG back to the identical payload and record', async () => {
    for (const r of fx.records.slice(0, 2)) {
      writeFileSync(f(`qr${r.index}.png`), await shareQrPng(r));
      const out = execFileSync('zbarimg', ['--raw', '-q', f(`qr${r.index}.png`)]).toString().trim();
      expect(out).toBe(shareToQrPayload(r));
    }
  });
});
