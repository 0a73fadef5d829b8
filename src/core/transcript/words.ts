/**
 * Fingerprints as words a person can read aloud and compare: the leading bits of a digest,
 * 11 bits per word, spelled with the BIP-39 English list (2048 words, each identified by its
 * first four letters). Eight words carry 88 bits.
 */
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { assertBytes, assertInt } from '../crypto/bytes';

export const DEFAULT_WORDS = 8;

export function fingerprintWords(digest: Uint8Array, count = DEFAULT_WORDS): string[] {
  assertBytes(digest, 'digest');
  assertInt(count, 'count', 1, Math.floor((digest.length * 8) / 11));
  const words: string[] = [];
  let acc = 0;
  let bits = 0;
  let i = 0;
  while (words.length < count) {
    while (bits < 11) {
      acc = (acc << 8) | digest[i++]!;
      bits += 8;
    }
    bits -= 11;
    words.push(wordlist[(acc >> bits) & 0x7ff]!);
    acc &= (1 << bits) - 1;
  }
  return words;
}
