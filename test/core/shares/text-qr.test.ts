import { describe, expect, it } from 'vitest';
import { ALPHABET, checkTypedLine, lineCheck, shareToText, textToShare, TEXT_LINES, type CardVersion } from '../../../src/core/shares/text';
import { createHash } from 'node:crypto';
import { qrPayloadToShare, shareQrSvg, shareToQrPayload } from '../../../src/core/shares/qr';
import QRCode from 'qrcode';
import { InputError, VerifyError } from '../../../src/core/errors';
import { makeShares, provider } from '../../helpers/shares';
import { decodeShareRecord, describeShare, verifyShareSignature } from '../../../src/core/shares/record';

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
  it('the line check catches every single mistyped character and every swap of neighbours, on every line (checks included)', () => {
    const data = lines.slice(1).map((l) => {
      const t = l.split(/\s+/);
      return { n: Number(t[0]), chars: t.slice(1, -1).join(''), check: t.at(-1)! };
    });
    let tried = 0;
    for (const { n, chars, check } of data) {
      expect(lineCheck(n, chars)).toBe(check);
      const whole = chars + check;
      const passes = (w: string) => lineCheck(n, w.slice(0, -2)) === w.slice(-2);
      for (let i = 0; i < whole.length; i++) {
        for (const c of ALPHABET) {
          if (c === whole[i]) continue;
          tried++;
          expect(passes(whole.slice(0, i) + c + whole.slice(i + 1)), `line ${n} position ${i} -> ${c}`).toBe(false);
        }
        if (i + 1 < whole.length && whole[i] !== whole[i + 1]) {
          tried++;
          expect(passes(whole.slice(0, i) + whole[i + 1] + whole[i] + whole.slice(i + 2)), `line ${n} swap ${i}`).toBe(false);
        }
      }
      // The line number is covered too: the same characters under another number fail.
      for (let m = 1; m <= TEXT_LINES; m++) if (m !== n) expect(lineCheck(m, chars)).not.toBe(check);
    }
    expect(tried).toBeGreaterThan(10_000);
  });
  it('a typo among the signature characters is a typo on its line, not a forgery', () => {
    const last = lines.at(-2)!; // line 13 holds signature bytes
    const pos = 4 + 2;
    const bad = [...lines.slice(0, -2), last.slice(0, pos) + (last[pos] === 'Z' ? 'Y' : 'Z') + last.slice(pos + 1), lines.at(-1)!].join('\n');
    expect(() => textToShare(provider, bad)).toThrowError(/^text\.line\[13\]: the line check does not match: a character on this line is mistyped/);
  });
  it('cards written by version 1 (a hash check per line) are still read', () => {
    const v1 = (n: number, chars: string) => {
      const h = createHash('sha256').update(Buffer.concat([Buffer.from('custos/share-text/v1\0'), Buffer.of(n), Buffer.from(chars)])).digest();
      const v = (h[0]! << 2) | (h[1]! >> 6);
      return ALPHABET[v >> 5]! + ALPHABET[v & 31]!;
    };
    const old = [lines[0]!, ...lines.slice(1).map((l) => {
      const t = l.split(/\s+/);
      return `${t[0]}  ${t.slice(1, -1).join(' ')}  ${v1(Number(t[0]), t.slice(1, -1).join(''))}`;
    })].join('\n');
    expect(old).not.toBe(text);
    expect(textToShare(provider, old).bytes).toEqual(r.bytes);
    // A typo on a version 1 card is still caught when its hash check catches it, naming the line.
    const l3 = old.split('\n')[3]!;
    const typo = old.replace(l3, l3.slice(0, 4) + (l3[4] === '0' ? '1' : '0') + l3.slice(5));
    expect(() => textToShare(provider, typo)).toThrow(/text\.line\[03\]|digest/);
  });
  it('typed line by line, a version 2 card names every single mistyped character at its line (the first line settles the version)', () => {
    let versions: readonly CardVersion[] | undefined;
    const first = checkTypedLine(provider, 1, lines[1]!, 'card');
    expect(first.versions).toEqual([2]);
    versions = first.versions;
    let tried = 0;
    for (let n = 2; n <= TEXT_LINES; n++) {
      const t = lines[n]!.split(/\s+/);
      const chars = t.slice(1, -1).join('');
      for (let i = 0; i < chars.length; i++)
        for (const c of ALPHABET) {
          if (c === chars[i]) continue;
          tried++;
          const typo = `${t[0]} ${chars.slice(0, i)}${c}${chars.slice(i + 1)} ${t.at(-1)}`;
          expect(() => checkTypedLine(provider, n, typo, 'card', versions), `line ${n} position ${i} -> ${c}`).toThrow(/^card\.line\[\d\d\]: the line check does not match/);
        }
      versions = checkTypedLine(provider, n, lines[n]!, 'card', versions).versions;
    }
    expect(versions).toEqual([2]);
    expect(tried).toBeGreaterThan(9_000);
  });
  it('typed line by line, a version 1 card is read, and a line of the other version says an earlier line is wrong', () => {
    const v1 = (n: number, chars: string) => {
      const h = createHash('sha256').update(Buffer.concat([Buffer.from('custos/share-text/v1\0'), Buffer.of(n), Buffer.from(chars)])).digest();
      const v = (h[0]! << 2) | (h[1]! >> 6);
      return ALPHABET[v >> 5]! + ALPHABET[v & 31]!;
    };
    const old = lines.slice(1).map((l) => {
      const t = l.split(/\s+/);
      return `${t[0]}  ${t.slice(1, -1).join(' ')}  ${v1(Number(t[0]), t.slice(1, -1).join(''))}`;
    });
    let versions: readonly CardVersion[] | undefined;
    const typed: string[] = [];
    old.forEach((l, i) => {
      const c = checkTypedLine(provider, i + 1, l, 'card', versions);
      typed.push(c.line);
      versions = c.versions;
    });
    expect(versions).toEqual([1]);
    expect(textToShare(provider, typed.join('\n')).bytes).toEqual(r.bytes);
    // Read as a version 1 card, a line with a version 2 check is not taken.
    expect(() => checkTypedLine(provider, 5, lines[5]!, 'card', [1])).toThrowError(/^card\.line\[05\]: the line check does not match: .* \(if this line is exactly as printed, a line before it was mistyped: start the card again\)$/);
  });
  it('never corrects a look-alike character: it names it and suggests', () => {
    const bad = lines.map((l, i) => (i === 2 ? l.slice(0, 4) + 'O' + l.slice(5) : l)).join('\n');
    expect(() => textToShare(provider, bad)).toThrowError(/^text\.line\[02\]: character 1 is not used in share text \(did you mean 0\?\)/);
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

describe("a rehearsal's share", async () => {
  const f = await makeShares(2, 3, 'drill', { rehearsal: true });
  const r = f.records[0]!;
  it('is marked in its signed record (magic CSRH), its text header and its QR payload', () => {
    expect(new TextDecoder().decode(r.bytes.subarray(0, 4))).toBe('CSRH');
    expect(r.rehearsal).toBe(true);
    expect(describeShare(r)).toMatchObject({ rehearsal: true });
    const text = shareToText(provider, r);
    expect(text.split('\n')[0]).toMatch(/^CUSTOS REHEARSAL SHARE 1 OF 3, ANY 2 RESTORE\. SET /);
    expect(textToShare(provider, text).rehearsal).toBe(true);
    expect(qrPayloadToShare(provider, shareToQrPayload(r)).rehearsal).toBe(true);
    expect(verifyShareSignature(provider, r)).toBe(true);
  });
  it('cannot be passed off as a real share: the mark is under the digest, and a header without it disagrees', async () => {
    const stripped = r.bytes.slice();
    stripped.set(new TextEncoder().encode('CSHR'), 0);
    expect(() => decodeShareRecord(provider, stripped)).toThrowError(/^record\.digest: does not match the record/);
    const text = shareToText(provider, r).replace('CUSTOS REHEARSAL SHARE', 'CUSTOS SHARE');
    expect(() => textToShare(provider, text)).toThrowError(/^text\.header: does not match the share lines \(the lines say: CUSTOS REHEARSAL SHARE/);
    const realOne = (await makeShares(2, 3, 'drill')).records[0]!;
    expect(realOne.rehearsal).toBe(false);
    expect(describeShare(realOne)).not.toHaveProperty('rehearsal');
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
