/**
 * A roster pin, kept on the key-server host beside the transport key: the administrator checks
 * a roster's fingerprint words against the paper signed at enrollment once (`custos server
 * trust`), and later imports trust that roster (or a successor linked to it) without the words
 * being typed again. The pin is signed with the transport key (RSASSA-PSS-SHA-256, salt 32), so
 * someone who can write the server's folder but does not hold the transport key's passphrase
 * cannot swap it. One canonical JSON line `{"pin":{...},"sig":"<base64>"}`, signature over
 * "custos/roster-pin/v1" || 0x00 || canonical JSON of the pin.
 */
import { base64 } from '@scure/base';
import { z } from 'zod';
import { InputError, VerifyError } from '../errors';
import { concat, utf8 } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import { canonicalJson } from '../transcript/canonical';
import { strictParse } from '../plan/strict';
import { hex, utc } from './fields';
import { parseDocumentLine } from './signed';
import type { TransportKey } from './transport';

export const rosterPinSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('custos.roster-pin'),
  organization: z.string().min(1).max(200),
  /** SHA-256 (hex) of the pinned roster's body. */
  roster: hex(64),
  words: z.string().min(1).max(200),
  pinned: utc,
  /** Fingerprint of the transport key that signed this pin. */
  transport: hex(64),
  /** A rehearsal roster, pinned for drills (custos import --rehearsal yes) only. */
  rehearsal: z.boolean(),
});
export type RosterPinFile = z.infer<typeof rosterPinSchema>;

const LABEL = utf8('custos/roster-pin/v1\0');

export function rosterPinMessage(pin: RosterPinFile): Uint8Array {
  return concat(LABEL, utf8(canonicalJson(pin, 'pin')));
}

export function rosterPinToText(pin: RosterPinFile, sig: Uint8Array): string {
  return canonicalJson({ pin, sig: base64.encode(sig) }, 'pin') + '\n';
}

/** A pin file signed by this transport key; returns the pinned roster's fingerprint. */
export function verifyRosterPin(provider: CryptoProvider, text: string, transport: TransportKey, field = 'pin'): RosterPinFile {
  const { pin, sig } = parseDocumentLine(text, field, ['pin', 'sig'], (v) => {
    if (typeof v.sig !== 'string') throw new InputError('pin.sig', `${field}.sig`, 'must be base64');
    let sig: Uint8Array;
    try {
      sig = base64.decode(v.sig);
    } catch (e) {
      throw new InputError('pin.sig', `${field}.sig`, 'must be base64', { cause: e });
    }
    return { pin: strictParse(rosterPinSchema, v.pin, `${field}.pin`, 'a roster pin'), sig };
  });
  if (pin.transport !== transport.fingerprint) throw new VerifyError('pin.transport', `${field}.pin.transport`, `was signed by transport key ${pin.transport}, not this server's ${transport.fingerprint}`);
  if (!provider.rsaPssSha256Verify(transport.spki, rosterPinMessage(pin), sig)) throw new VerifyError('pin.signature', `${field}.sig`, `is not a signature by the transport key of ${transport.file.server.name}: the pin was altered`);
  return pin;
}
