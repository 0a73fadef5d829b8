import { describe, expect, it } from 'vitest';
import { shareToText, textToShare, TEXT_LINES } from '../../../src/core/shares/text';
import { qrPayloadToShare, shareQrSvg, shareToQrPayload } from '../../../src/core/shares/qr';
import QRCode from 'qrcode';
import { InputError, VerifyError } from '../../../src/core/errors';
import { makeShares, provider } from '../../helpers/shares';

describe('paper share text', async () => {
  const f = await makeShares(3, 5, 'paper');
  const r = f.records[2]!;
  const text = shareToText(provider, r);
  const lines = text.trimEnd().split('\n');

  it('is a header and 14 lines of 6 groups of 4 with a 2-character check', () => {
    expect(lines.length).toBe(1 + TEXT_LINES);
    expect(lines[0]).toMatch(/^CUSTOS SHARE 3 OF 5, ANY 3 RESTORE\. SET [0-9a-f]{32} KEY cmac-aes:[0-9a-f]{6}$/);
    for (const l of lines.slice(1, -1)) expect(l).toMatch(/^\d{2} {2}([0-9A-HJKMNP-TV-Z]{4} ){5}[0-9A-HJKMNP-TV-Z]{4} {2}[0-9A-HJKMNP-TV-Z]{2}$/);
    expect(lines.at(-1)).toMatch(/^14 {2}([0-9A-HJKMNP-TV-Z]{4} ){3}[0-9A-HJKMNP-TV-Z]{4} +[0-9A-HJKMNP-TV-Z]{2}$/);
  });
  it('types back to the identical record, with or without the header, any spacing and case', () => {
    expect(textToShare(provider, text).bytes).toEqual(r.bytes);
    const sloppy = lines.slice(1).map((l) => l.toLowerCase().replace(/ /g, '').replace(/^(\d\d)/, '$1 ').replace(/(..)$/, ' $1')).join('\r\n\n');
    expect(textToShare(provider, sloppy).bytes).toEqual(r.bytes);
  });
  it('a typo names its line', () => {
    const l5 = lines[5]!;
    const pos = 4 + 5; // a data character on line 05
    const c = l5[pos]!;
    const swapped = c === 'A' ? 'B' : 'A';
    const bad = [...lines.slice(0, 5), l5.slice(0, pos) + swapped + l5.slice(pos + 1), ...lines.slice(6)].join('\n');
    expect(() => textToShare(provider, bad)).toThrowError(/^text\.line\[05\]: the line check does not match/);
  });
  it('never corrects a look-alike character: it names it and suggests', () => {
    const bad = lines.map((l, i) => (i === 2 ? l.slice(0, 4) + 'O' + l.slice(5) : l)).join('\n');
    expect(() => textToShare(provider, bad)).toThrowError(/^text\.line\[02\]: character 1 "O" is not used in share text \(did you mean 0\?\)/);
  });
  it('missing, repeated and out-of-range lines are named', () => {
    expect(() => textToShare(provider, lines.filter((_, i) => i !== 7).join('\n'))).toThrowError(/^text: line 07 missing/);
    expect(() => textToShare(provider, [...lines, lines[3]!].join('\n'))).toThrowError(/^text\.line\[03\]: line 03 appears twice/);
    expect(() => textToShare(provider, [...lines, '15  AAAA  00'].join('\n'))).toThrowError(/^text\.line\[15\]: line number 15 is outside 01\.\.14/);
  });
  it('a header that disagrees with the lines is refused', () => {
    const other = shareToText(provider, f.records[0]!).split('\n')[0]!;
    expect(() => textToShare(provider, [other, ...lines.slice(1)].join('\n'))).toThrow(VerifyError);
    expect(() => textToShare(provider, ['CUSTOS SHARE three', ...lines.slice(1)].join('\n'))).toThrowError(/^text\.line\[1\]: header line is not in the form/);
  });
  it('lines from two different shares do not combine into an accepted record', () => {
    const other = shareToText(provider, f.records[1]!).trimEnd().split('\n');
    const mixed = [...lines.slice(0, 8), ...other.slice(8)].join('\n');
    expect(() => textToShare(provider, mixed)).toThrow(/digest|header/);
  });
});

describe('QR payload', async () => {
  const f = await makeShares(2, 3, 'qr');
  const r = f.records[0]!;
  it('round-trips and uses only QR alphanumeric characters', () => {
    const p = shareToQrPayload(r);
    expect(p).toMatch(/^[0-9A-Z $%*+\-./:]+$/);
    expect(qrPayloadToShare(provider, p).bytes).toEqual(r.bytes);
  });
  it('refuses other prefixes, versions, lengths and characters, naming the field', () => {
    const p = shareToQrPayload(r);
    expect(() => qrPayloadToShare(provider, 'HELLO')).toThrowError(/^qr\.prefix:/);
    expect(() => qrPayloadToShare(provider, p.replace('SHARE:1:', 'SHARE:2:'))).toThrowError(/^qr\.version: payload version 2/);
    expect(() => qrPayloadToShare(provider, p.slice(0, -1))).toThrowError(/^qr\.length:/);
    expect(() => qrPayloadToShare(provider, p.slice(0, -1) + 'U')).toThrowError(/^qr\.char\[328\]:/);
    expect(() => qrPayloadToShare(provider, p.slice(0, 40) + (p[40] === 'A' ? 'B' : 'A') + p.slice(41))).toThrow(/digest|magic|version|signer|threshold|count|index|shareLen|share/);
  });
  it('renders an SVG QR code that draws exactly the modules of the payload', async () => {
    const svg = await shareQrSvg(r);
    const payload = shareToQrPayload(r);
    const qr = QRCode.create(payload, { errorCorrectionLevel: 'M' });
    const size = qr.modules.size;
    expect(svg).toMatch(new RegExp(`viewBox="0 0 ${size + 8} ${size + 8}"`));
    // The dark path is drawn as horizontal runs "h<n>"; their total is the number of dark modules.
    const dark = /<path stroke="#000000" d="([^"]+)"/.exec(svg)![1]!;
    const drawn = [...dark.matchAll(/h(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
    expect(drawn).toBe([...qr.modules.data].filter(Boolean).length);
    expect(qr.segments.every((s) => s.mode.id === 'Alphanumeric')).toBe(true);
  });
  it('a non-string is an InputError', () => {
    expect(() => qrPayloadToShare(provider, 5 as never)).toThrow(InputError);
  });
});
