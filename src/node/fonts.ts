/**
 * The fonts printed documents embed, from the bundled WOFF files (assets/fonts in a checkout,
 * also for the CLI built into dist/cli; dist/fonts beside the app's bundles, where
 * scripts/build.mjs copies them). Each is unpacked once per process into the plain TrueType
 * font it wraps (WOFF 1.0: the same tables, each zlib-compressed), which pdf-lib's subsetter
 * reads without inflating every table again for every document.
 */
import { existsSync, readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { PolicyError } from '../core/errors';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FontFiles } from '../core/paper/layout';

const FILES = {
  regular: 'atkinson-hyperlegible-latin-400-normal.woff',
  bold: 'atkinson-hyperlegible-latin-700-normal.woff',
  mono: 'atkinson-hyperlegible-mono-latin-400-normal.woff',
  monoBold: 'atkinson-hyperlegible-mono-latin-700-normal.woff',
} as const;

let cached: FontFiles | undefined;

function fontsDir(): string {
  const here = typeof __dirname === 'string' ? __dirname : path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, '..', '..', 'assets', 'fonts'), path.join(here, '..', 'fonts')];
  const dir = candidates.find((d) => existsSync(path.join(d, FILES.regular)));
  if (!dir) throw new PolicyError('paper.fonts', 'fonts', `the document fonts are missing (looked in ${candidates.join(', ')}): reinstall Custos`);
  return dir;
}

export function documentFonts(): FontFiles {
  if (!cached) {
    const dir = fontsDir();
    const read = (f: string) => woffToSfnt(new Uint8Array(readFileSync(path.join(dir, f))), f);
    cached = { regular: read(FILES.regular), bold: read(FILES.bold), mono: read(FILES.mono), monoBold: read(FILES.monoBold) };
  }
  return cached;
}

/**
 * The sfnt (TrueType) font inside a WOFF 1.0 file: its table directory rebuilt, each table
 * inflated when it was stored compressed, padded to four bytes (W3C WOFF 1.0, section 5).
 */
export function woffToSfnt(woff: Uint8Array, name: string): Uint8Array {
  const v = new DataView(woff.buffer, woff.byteOffset, woff.byteLength);
  const bad = (why: string) => new PolicyError('paper.fonts', 'fonts', `the bundled font ${name} is not a WOFF 1.0 font (${why}): reinstall Custos`);
  if (woff.length < 44 || v.getUint32(0) !== 0x774f4646) throw bad('signature');
  const flavor = v.getUint32(4);
  const numTables = v.getUint16(12);
  if (numTables === 0) throw bad('no tables');
  const tables: { tag: number; checksum: number; data: Uint8Array }[] = [];
  for (let i = 0; i < numTables; i++) {
    const e = 44 + i * 20;
    if (e + 20 > woff.length) throw bad('table directory');
    const [tag, offset, compLength, origLength, checksum] = [v.getUint32(e), v.getUint32(e + 4), v.getUint32(e + 8), v.getUint32(e + 12), v.getUint32(e + 16)];
    if (offset + compLength > woff.length) throw bad('table bounds');
    const stored = woff.subarray(offset, offset + compLength);
    const data = compLength < origLength ? new Uint8Array(inflateSync(stored, { maxOutputLength: origLength })) : stored;
    if (data.length !== origLength) throw bad('table length');
    tables.push({ tag, checksum, data });
  }
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  let size = 12 + numTables * 16;
  for (const t of tables) size += (t.data.length + 3) & ~3;
  const out = new Uint8Array(size);
  const o = new DataView(out.buffer);
  o.setUint32(0, flavor);
  o.setUint16(4, numTables);
  o.setUint16(6, searchRange);
  o.setUint16(8, entrySelector);
  o.setUint16(10, numTables * 16 - searchRange);
  let at = 12 + numTables * 16;
  tables.forEach((t, i) => {
    const r = 12 + i * 16;
    o.setUint32(r, t.tag);
    o.setUint32(r + 4, t.checksum);
    o.setUint32(r + 8, at);
    o.setUint32(r + 12, t.data.length);
    out.set(t.data, at);
    at += (t.data.length + 3) & ~3;
  });
  return out;
}
