/**
 * Paper share: the share record as text a person can copy by hand and type back.
 *
 *   CUSTOS SHARE 3 OF 5, ANY 3 RESTORE. SET 5c2f...  KEY cmac-aes:1a2b3c
 *   (CUSTOS REHEARSAL SHARE ... on the card of a rehearsal's share: its record says so too)
 *   01  7KQ2 M9XD 0T4B ... 6 groups of 4 ...  4F
 *   ...
 *   14  ...  (the last line holds the remaining 16 characters)
 *
 * The alphabet is Crockford's base32 (digits and capitals without I, L, O, U). Each line ends
 * with a 2-character check over its number and characters, so a typo names its line. Version 2
 * cards (written now) use an error-detecting code that catches every single mistyped character
 * and every swap of neighbours (line-check.ts); version 1 cards used a 10-bit hash, and are
 * still read: a card is version 2 when most of its lines carry a version 2 check. Nothing is
 * corrected: a character outside the alphabet, a wrong check, a missing or repeated line is an
 * error naming the line. Spaces and letter case do not matter. The header line is optional when
 * typing back; when present it must agree with the record.
 */
import { base32crockford } from '@scure/base';
import { InputError, VerifyError } from '../errors';
import { concat, toHex, utf8 } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import { formatKcv } from '../crypto/kcv';
import { lineCheckSymbols } from './line-check';
import { decodeShareRecord, SHARE_RECORD_LENGTH, wipeShareRecord, type ShareRecord } from './record';

export const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const GROUP = 4;
const GROUPS_PER_LINE = 6;
const LINE_CHARS = GROUP * GROUPS_PER_LINE;
/** 205 bytes = 1640 bits = exactly 328 base32 characters, no padding. */
export const TEXT_CHARS = (SHARE_RECORD_LENGTH * 8) / 5;
export const TEXT_LINES = Math.ceil(TEXT_CHARS / LINE_CHARS);
const CHECK_LABEL = utf8('custos/share-text/v1\0');
const CONFUSABLE: Record<string, string> = { I: '1', L: '1', O: '0', U: 'V' };
const MAX_TEXT = 8192;

/** Version 1 (read only): the first 10 bits of a SHA-256 over the line number and characters. */
function lineCheckV1(provider: CryptoProvider, n: number, chars: string): string {
  const h = provider.sha256(concat(CHECK_LABEL, Uint8Array.of(n), utf8(chars)));
  const v = (h[0]! << 2) | (h[1]! >> 6); // first 10 bits
  return ALPHABET[v >> 5]! + ALPHABET[v & 31]!;
}

/** Version 2: the line number and the characters as symbols, two check symbols over GF(32). */
export function lineCheck(n: number, chars: string): string {
  const [a, b] = lineCheckSymbols([n, ...[...chars].map((c) => ALPHABET.indexOf(c))]);
  return ALPHABET[a]! + ALPHABET[b]!;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

export function headerLine(r: ShareRecord): string {
  return `CUSTOS ${r.rehearsal ? 'REHEARSAL ' : ''}SHARE ${r.index} OF ${r.count}, ANY ${r.threshold} RESTORE. SET ${toHex(r.setId)} KEY ${formatKcv(r.kcv)}`;
}

export function shareToText(_provider: CryptoProvider, r: ShareRecord): string {
  const chars = base32crockford.encode(r.bytes);
  const lines = [headerLine(r)];
  for (let n = 1; n <= TEXT_LINES; n++) {
    const part = chars.slice((n - 1) * LINE_CHARS, n * LINE_CHARS);
    const groups = part.match(/.{1,4}/g)!.join(' ');
    lines.push(`${pad2(n)}  ${groups.padEnd(LINE_CHARS + GROUPS_PER_LINE - 1)}  ${lineCheck(n, part)}`);
  }
  return lines.join('\n') + '\n';
}

/** One line's number, characters and check, each checked for form (not yet the check itself). */
function parseLine(raw: string, where: string, field: string): { n: number; chars: string; check: string } {
  const tokens = raw.trim().toUpperCase().split(/\s+/);
  if (tokens.length < 3 || !/^\d{2}$/.test(tokens[0]!))
    throw new InputError('text.line', where, 'expected a 2-digit line number, groups of characters, then a 2-character check');
  const n = Number(tokens[0]);
  const label = `${field}.line[${pad2(n)}]`;
  if (n < 1 || n > TEXT_LINES) throw new InputError('text.lineNumber', label, `line number ${pad2(n)} is outside 01..${pad2(TEXT_LINES)}`);
  const check = tokens[tokens.length - 1]!;
  const chars = tokens.slice(1, -1).join('');
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (!ALPHABET.includes(c)) {
      const hint = CONFUSABLE[c] ? ` (did you mean ${CONFUSABLE[c]}?)` : '';
      // The typed character is not repeated: what was typed is part of a share.
      throw new InputError('text.char', label, `character ${i + 1} is not used in share text${hint}`);
    }
  }
  if (check.length !== 2 || ![...check].every((c) => ALPHABET.includes(c)))
    throw new InputError('text.check', label, 'the check (the last 2 characters of the line) must be 2 characters of the share alphabet');
  const expectedLen = n < TEXT_LINES ? LINE_CHARS : TEXT_CHARS - LINE_CHARS * (TEXT_LINES - 1);
  if (chars.length !== expectedLen) throw new InputError('text.lineLength', label, `has ${chars.length} characters, expected ${expectedLen}`);
  return { n, chars, check };
}

/** The card versions a line's check may belong to: 1 (read only) and 2 (written now). */
export type CardVersion = 1 | 2;
export const CARD_VERSIONS: readonly CardVersion[] = [1, 2];

function checkOf(provider: CryptoProvider, v: CardVersion, n: number, chars: string): string {
  return v === 2 ? lineCheck(n, chars) : lineCheckV1(provider, n, chars);
}

/**
 * One line of a paper share as it is typed, checked the moment it is complete: the line number
 * the person is on, its characters, and its line check. `versions` are the card versions the
 * lines before it agree with (all of them before the first line): the first line that carries
 * only one version's check settles the card's version, and every later line must carry that
 * version's check, so a version 2 card names every single mistyped character at its line (a
 * version 1 check would let one typo in 1,024 through). Nothing is corrected: a mistake is named
 * and the line is typed again. Returns the line as printed and the versions still possible.
 */
export function checkTypedLine(
  provider: CryptoProvider,
  expected: number,
  typed: string,
  field = 'text',
  versions: readonly CardVersion[] = CARD_VERSIONS,
): { line: string; versions: CardVersion[] } {
  const label = `${field}.line[${pad2(expected)}]`;
  const { n, chars, check } = parseLine(typed, label, field);
  if (n !== expected) throw new InputError('text.lineNumber', label, `this is line ${pad2(n)}: type line ${pad2(expected)} now`);
  const matches = versions.filter((v) => checkOf(provider, v, n, chars) === check);
  if (matches.length === 0) {
    // A check of the other version is far more likely a typo here than an earlier line that passed the wrong version by chance.
    const other = CARD_VERSIONS.some((v) => !versions.includes(v) && checkOf(provider, v, n, chars) === check);
    throw new VerifyError(
      'text.check',
      label,
      'the line check does not match: a character on this line is mistyped (or two neighbours swapped); compare it with the card' +
        (other ? ' (if this line is exactly as printed, a line before it was mistyped: start the card again)' : ''),
    );
  }
  return { line: `${pad2(n)}  ${chars.match(/.{1,4}/g)!.join(' ')}  ${check}`, versions: matches };
}

const HEADER_RE = /^CUSTOS (?:REHEARSAL )?SHARE \d{1,3} OF \d{1,3}, ANY \d{1,3} RESTORE\. SET [0-9a-f]{32} KEY cmac-aes:[0-9a-f]{6}$/i;

export function textToShare(provider: CryptoProvider, text: string, field = 'text'): ShareRecord {
  if (typeof text !== 'string') throw new InputError('text.type', field, 'must be text');
  if (text.length > MAX_TEXT) throw new InputError('text.size', field, `is longer than ${MAX_TEXT} characters: not a share`);
  let header: string | undefined;
  const seen = new Map<number, string>();
  const checks = new Map<number, string>();
  const physical = text.split(/\r?\n/);
  for (let p = 0; p < physical.length; p++) {
    const raw = physical[p]!.trim();
    if (raw === '') continue;
    const where = `${field}.line[${p + 1}]`;
    if (/^custos (?:rehearsal )?share/i.test(raw)) {
      if (header !== undefined) throw new InputError('text.header', where, 'a second header line');
      header = raw.replace(/\s+/g, ' ');
      if (!HEADER_RE.test(header))
        throw new InputError('text.header', where, 'header line is not in the form "CUSTOS SHARE i OF n, ANY m RESTORE. SET <id> KEY cmac-aes:xxxxxx" (REHEARSAL SHARE on a rehearsal\'s card)');
      continue;
    }
    const { n, chars, check } = parseLine(raw, where, field);
    if (seen.has(n)) throw new InputError('text.lineNumber', `${field}.line[${pad2(n)}]`, `line ${pad2(n)} appears twice`);
    seen.set(n, chars);
    checks.set(n, check);
  }
  // Version 2 when most lines carry its check (a version 1 line passes it by chance 1 time in 1,024).
  const v2 = [...seen].filter(([n, chars]) => lineCheck(n, chars) === checks.get(n)).length * 2 > seen.size;
  for (const [n, chars] of [...seen].sort((a, b) => a[0] - b[0]))
    if (checkOf(provider, v2 ? 2 : 1, n, chars) !== checks.get(n))
      throw new VerifyError('text.check', `${field}.line[${pad2(n)}]`, 'the line check does not match: a character on this line is mistyped (or two neighbours swapped); compare it with the card');
  const missing: string[] = [];
  for (let n = 1; n <= TEXT_LINES; n++) if (!seen.has(n)) missing.push(pad2(n));
  if (missing.length) throw new InputError('text.missing', field, `line${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing (a share has ${TEXT_LINES} lines)`);
  const all = [...Array(TEXT_LINES)].map((_, i) => seen.get(i + 1)!).join('');
  const bytes = base32crockford.decode(all);
  let record: ShareRecord;
  try {
    record = decodeShareRecord(provider, bytes, field);
  } finally {
    bytes.fill(0);
  }
  if (header !== undefined) {
    const canonical = headerLine(record);
    if (header.toUpperCase() !== canonical.toUpperCase()) {
      wipeShareRecord(record);
      throw new VerifyError('text.header', `${field}.header`, `does not match the share lines (the lines say: ${canonical})`);
    }
  }
  return record;
}
