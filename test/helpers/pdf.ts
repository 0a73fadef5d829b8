/**
 * Reading printed documents back with independent tools: poppler's pdftotext and pdftoppm (each
 * page as a PNG, kept under test-output/paper for a person to look at) and zbar's zbarimg for
 * the QR codes on them.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tool } from './tools';

export const hasPdfTools = tool('pdftoppm') && tool('pdftotext') && tool('zbarimg');
export const PAGES_DIR = 'test-output/paper';

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The text of a PDF, in reading order (`layout` keeps the columns as printed). */
export function pdfText(file: string, layout = false): string {
  return run('pdftotext', [...(layout ? ['-layout'] : []), file, '-']);
}

/** Every page as a PNG at `dpi`, named `<name>-<page>.png` in test-output/paper; returns their paths in page order. */
export function pdfPages(file: string, name: string, dpi = 110): string[] {
  mkdirSync(PAGES_DIR, { recursive: true });
  for (const f of readdirSync(PAGES_DIR)) if (f.startsWith(`${name}-`) && f.endsWith('.png')) rmSync(join(PAGES_DIR, f));
  run('pdftoppm', ['-r', String(dpi), '-png', file, join(PAGES_DIR, name)]);
  return readdirSync(PAGES_DIR)
    .filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png'))
    .sort()
    .map((f) => join(PAGES_DIR, f));
}

/** The payloads of the QR codes zbarimg finds in an image (none: an empty list). */
export function qrPayloads(png: string): string[] {
  const r = spawnSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', png], { encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 4) throw new Error(`zbarimg ${png}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean);
}
