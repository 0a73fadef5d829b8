/** The faces bundled in assets/fonts (WOFF 2 for the window, WOFF for printed documents) are the @fontsource packages' files, byte for byte, with their licence. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const FACES: Record<string, string> = {
  'atkinson-hyperlegible-latin-400-normal': '@fontsource/atkinson-hyperlegible/files/',
  'atkinson-hyperlegible-latin-700-normal': '@fontsource/atkinson-hyperlegible/files/',
  'atkinson-hyperlegible-mono-latin-400-normal': '@fontsource/atkinson-hyperlegible-mono/files/',
  'atkinson-hyperlegible-mono-latin-700-normal': '@fontsource/atkinson-hyperlegible-mono/files/',
};
const SOURCES = Object.fromEntries(Object.entries(FACES).flatMap(([f, from]) => [[`${f}.woff2`, from], [`${f}.woff`, from]]));

describe('bundled fonts', () => {
  it('are exactly the packaged faces, each under the OFL', () => {
    expect(readdirSync('assets/fonts').filter((f) => /\.woff2?$/.test(f)).sort()).toEqual(Object.keys(SOURCES).sort());
    for (const [f, from] of Object.entries(SOURCES)) expect(readFileSync(`assets/fonts/${f}`).equals(readFileSync(`node_modules/${from}${f}`)), f).toBe(true);
    for (const l of ['OFL.txt', 'OFL-mono.txt']) expect(readFileSync(`assets/fonts/${l}`, 'utf8')).toMatch(/SIL Open Font License, Version 1\.1/);
  });
});
