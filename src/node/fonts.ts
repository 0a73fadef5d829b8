/**
 * The fonts printed documents embed (WOFF: its tables are what pdf-lib's font subsetter reads),
 * from assets/fonts in a checkout (also for the CLI built into dist/cli), or from dist/fonts
 * beside the app's bundles (scripts/build.mjs copies them there).
 */
import { existsSync, readFileSync } from 'node:fs';
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
  if (!dir) throw new Error(`the document fonts are missing (looked in ${candidates.join(', ')})`);
  return dir;
}

export function documentFonts(): FontFiles {
  if (!cached) {
    const dir = fontsDir();
    const read = (f: string) => new Uint8Array(readFileSync(path.join(dir, f)));
    cached = { regular: read(FILES.regular), bold: read(FILES.bold), mono: read(FILES.mono), monoBold: read(FILES.monoBold) };
  }
  return cached;
}
