/**
 * A custodian's share as they bring it to a quorum, asked at the terminal: the path of their
 * age share file (then its passphrase, or Enter when it opens with their identity), the path of
 * a text file holding their paper share or its QR payload, or of a picture (PNG, JPEG) of their
 * card's QR code, or nothing: then they type their
 * paper card line by line, each line checked the moment it is complete (its number, its
 * characters, its line check), a mistake named and the line asked again.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CustosError, InputError } from '../core/errors';
import type { CryptoProvider } from '../core/crypto/provider';
import type { ShareFileAnswer } from '../core/ceremony/ports';
import { isAgeFile } from '../core/shares/file';
import { presentedShareBytes } from './qr-image';
import { CARD_VERSIONS, checkTypedLine, TEXT_LINES } from '../core/shares/text';

export type Ask = (question: string, field: string, secret: boolean, flush?: boolean) => string;

/** Tries per line before the typing stops (the ceremony's own attempts then take over). */
const LINE_TRIES = 5;

/** Type a paper share card at the terminal; returns its text, every line checked. */
export function typeShareCard(provider: CryptoProvider, ask: Ask, who: string, say: (s: string) => void): string {
  say(`${who}: type your paper share, ${TEXT_LINES} lines, each as printed: its number, the groups, its 2-character check (spaces and case do not matter).`);
  const lines: string[] = [];
  let versions = CARD_VERSIONS;
  for (let n = 1; n <= TEXT_LINES; n++) {
    const label = String(n).padStart(2, '0');
    for (let t = 1; ; t++) {
      // Typed-ahead input is discarded before the first line only: the rest may arrive in one go.
      const typed = ask(`${who}: line ${label} of ${TEXT_LINES}: `, `share.${who}.line[${label}]`, true, n === 1 && t === 1);
      try {
        const checked = checkTypedLine(provider, n, /^\s*\d{2}\s/.test(typed) ? typed : `${label} ${typed}`, `share.${who}`, versions);
        lines.push(checked.line);
        versions = checked.versions;
        break;
      } catch (e) {
        if (!(e instanceof CustosError) || t >= LINE_TRIES) throw e;
        say(`${e.message}. Type line ${label} again.`);
      }
    }
  }
  return lines.join('\n') + '\n';
}

/** The terminal's answer to "bring your share". */
export function askShare(provider: CryptoProvider, ask: Ask, who: string, say: (s: string) => void): ShareFileAnswer {
  const where = ask(`${who}: path of your share file, of a text file holding your paper share, or of a picture of its QR code (Enter to type your paper share): `, `share.${who}`, false).trim();
  if (where === '') return { bytes: new TextEncoder().encode(typeShareCard(provider, ask, who, say)), label: `paper share of ${who}, typed`, via: 'typed' };
  let read: Uint8Array;
  try {
    read = readFileSync(where);
  } catch (e) {
    // The answer is not repeated: a person who typed a share line or a passphrase here by mistake must not see it again.
    throw new InputError('input.read', `share.${who}`, `the file named cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}); give the path of your share file, or press Enter to type your paper share`);
  }
  const { bytes, image } = presentedShareBytes(read, `share.${who}`);
  if (image) return { bytes, label: `QR code of ${who}'s card, read from the picture ${path.basename(where)}`, via: 'picture' };
  if (!isAgeFile(bytes)) return { bytes, label: `paper share ${path.basename(where)} of ${who}`, via: 'file' };
  const passphrase = ask(`${who}: passphrase of your share file ${path.basename(where)} (Enter if it opens with your identity): `, `share.${who}`, true);
  return { bytes, ...(passphrase !== '' && { passphrase }), label: `share file ${path.basename(where)} of ${who}`, via: 'file' };
}
