/**
 * An enrollment request: how a participant whose keys were made elsewhere (their own Custos,
 * on their own machine) joins a roster without anyone else ever holding their secret. It
 * carries their public keys and is signed with their Ed25519 key, which proves they hold it;
 * at the enrollment ceremony they also open a challenge sealed to their age recipient, which
 * proves they hold that key too.
 *
 *   {"request":{"ageRecipient","created","id","kind":"custos.enrollment-request","name","signingKey","v":1},"sig":"<base64>"}
 *
 * Signature message: "custos/enrollment-request/v1" || 0x00 || canonical JSON of the request.
 */
import { base64 } from '@scure/base';
import { z } from 'zod';
import { InputError, VerifyError } from '../errors';
import { concat, fromHex, toHex, utf8 } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import type { Clock } from '../crypto/random';
import { canonicalJson } from '../transcript/canonical';
import { participantId, strictParse } from '../plan/strict';
import { ageRecipient, hex, utc } from '../documents/fields';
import { parseDocumentLine } from '../documents/signed';
import { ageRecipientOf, type IdentitySecrets } from './identity';

export const requestSchema = z.strictObject({
  v: z.literal(1),
  kind: z.literal('custos.enrollment-request'),
  id: participantId,
  name: z.string().min(1).max(200),
  signingKey: hex(64),
  ageRecipient,
  created: utc,
});
export type EnrollmentRequest = z.infer<typeof requestSchema>;

const LABEL = utf8('custos/enrollment-request/v1\0');
const message = (r: EnrollmentRequest) => concat(LABEL, utf8(canonicalJson(r, 'request')));

/** The request of the identity `s`, signed with it. */
export function makeRequest(ctx: { provider: CryptoProvider; clock: Clock }, s: IdentitySecrets, name: string): string {
  const request: EnrollmentRequest = {
    v: 1,
    kind: 'custos.enrollment-request',
    id: s.id,
    name,
    signingKey: toHex(ctx.provider.ed25519PublicKey(s.signingSeed)),
    ageRecipient: ageRecipientOf(s.ageSecret),
    created: ctx.clock().toISOString(),
  };
  strictParse(requestSchema, request, 'request', 'an enrollment request');
  return canonicalJson({ request, sig: base64.encode(ctx.provider.ed25519Sign(s.signingSeed, message(request))) }, 'request') + '\n';
}

/** A request signed by the key it carries; any change is a VerifyError naming the field. */
export function verifyRequest(provider: CryptoProvider, text: string, field = 'request'): EnrollmentRequest {
  const { request, sig } = parseDocumentLine(text, field, ['request', 'sig'], (v) => {
    let sig: Uint8Array;
    try {
      if (typeof v.sig !== 'string') throw new Error('not a string');
      sig = base64.decode(v.sig);
    } catch (e) {
      throw new InputError('request.sig', `${field}.sig`, 'must be base64', { cause: e });
    }
    return { request: strictParse(requestSchema, v.request, `${field}.request`, 'an enrollment request'), sig };
  });
  if (sig.length !== 64 || !provider.ed25519Verify(fromHex(request.signingKey), message(request), sig))
    throw new VerifyError('request.signature', `${field}.sig`, `is not a signature by the key the request carries: it was altered, or not made by ${request.id}`);
  return request;
}
