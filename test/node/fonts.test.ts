/** The document fonts: each bundled WOFF unpacked into the TrueType font it wraps, glyph for glyph. */
import fontkit from '@pdf-lib/fontkit';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { documentFonts, woffToSfnt } from '../../src/node/fonts';

const FILES = ['atkinson-hyperlegible-latin-400-normal', 'atkinson-hyperlegible-latin-700-normal', 'atkinson-hyperlegible-mono-latin-400-normal', 'atkinson-hyperlegible-mono-latin-700-normal'];

describe('document fonts', () => {
  it.each(FILES)('%s: the TrueType font inside the WOFF has the same name, glyphs and advances', (name) => {
    const woff = new Uint8Array(readFileSync(`assets/fonts/${name}.woff`));
    const sfnt = woffToSfnt(woff, name);
    expect(new DataView(sfnt.buffer).getUint32(0)).toBe(0x00010000); // TrueType outlines
    const a = fontkit.create(Buffer.from(woff));
    const b = fontkit.create(Buffer.from(sfnt));
    expect(b.postscriptName).toBe(a.postscriptName);
    expect(b.numGlyphs).toBe(a.numGlyphs);
    const text = 'CUSTOS SHARE 0O1lI 7KQ2 M9XD cmac-aes:1a2b3c';
    expect(b.layout(text).glyphs.map((g) => [g.id, g.advanceWidth])).toEqual(a.layout(text).glyphs.map((g) => [g.id, g.advanceWidth]));
    expect(b.getGlyph(b.glyphForCodePoint(0x30).id).path.toSVG()).toBe(a.getGlyph(a.glyphForCodePoint(0x30).id).path.toSVG());
  });
  it('a file that is not WOFF, or cut short, is refused with the font named', () => {
    expect(() => woffToSfnt(new Uint8Array(100), 'x.woff')).toThrow(/x\.woff is not a WOFF 1\.0 font \(signature\)/);
    const woff = new Uint8Array(readFileSync(`assets/fonts/${FILES[0]}.woff`));
    expect(() => woffToSfnt(woff.subarray(0, 400), 'cut.woff')).toThrow(/cut\.woff is not a WOFF 1\.0 font/);
  });
  it('are read once per process', () => {
    expect(documentFonts()).toBe(documentFonts());
  });
});
