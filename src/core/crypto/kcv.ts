/**
 * Key check value, payment-HSM convention (ANSI X9.24-1:2017 §7.7.2 and Annex A.3): AES-CMAC of
 * one all-zero 16-byte block under the key, leftmost 3 bytes. Written `cmac-aes:xxxxxx` in
 * lowercase hex, with the method in the string because the older ECB convention gives another
 * value for the same key.
 */
import { InputError } from '../errors';
import { assertBytes, toHex, wipe } from './bytes';
import type { CryptoProvider } from './provider';

export const KCV_LENGTH = 3;
const PREFIX = 'cmac-aes:';
const KCV_RE = /^cmac-aes:[0-9a-f]{6}$/;

export type KcvString = `cmac-aes:${string}`;

export function kcvBytes(provider: CryptoProvider, key: Uint8Array): Uint8Array {
  assertBytes(key, 'key');
  if (![16, 24, 32].includes(key.length)) throw new InputError('kcv.key', 'key', 'must be an AES key of 16, 24 or 32 bytes');
  const mac = provider.aesCmac(key, new Uint8Array(16));
  const out = mac.slice(0, KCV_LENGTH);
  wipe(mac);
  return out;
}

export function kcv(provider: CryptoProvider, key: Uint8Array): KcvString {
  return formatKcv(kcvBytes(provider, key));
}

export function formatKcv(bytes: Uint8Array): KcvString {
  assertBytes(bytes, 'kcv', KCV_LENGTH);
  return `${PREFIX}${toHex(bytes)}` as KcvString;
}

/** Strict: exactly `cmac-aes:` and six lowercase hex digits. */
export function parseKcv(s: unknown, field = 'kcv'): Uint8Array {
  if (typeof s !== 'string' || !KCV_RE.test(s))
    throw new InputError('kcv.format', field, 'must be written cmac-aes: followed by 6 lowercase hex digits');
  const hex = s.slice(PREFIX.length);
  return Uint8Array.from([0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)));
}
