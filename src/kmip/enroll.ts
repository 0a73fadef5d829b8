/**
 * Transport-key enrollment, on the key-server host: an RSA-4096 key pair whose private key is
 * kept in an age file sealed with a passphrase (scrypt), and the enrollment file that travels
 * to the workstation on USB: the public key, the server's name and KMIP endpoints, and an
 * expiry. Its fingerprint (SHA-256 of the public key, also as words) is read aloud over the
 * phone and pinned in the export plan.
 */
import { constants, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { base64 } from '@scure/base';
import { InputError, VerifyError } from '../core/errors';
import { rosterPinMessage, rosterPinToText, type RosterPinFile } from '../core/documents/roster-pin';
import { sealAge, openAge } from '../core/age';
import type { CryptoProvider } from '../core/crypto/provider';
import type { Rng } from '../core/crypto/random';
import { parseTransportKey, transportMessage, transportToText, type TransportKey, type TransportKeyFile } from '../core/documents/transport';

const DAY = 86_400_000;
export const MAX_TRANSPORT_KEY_FILE = 16 * 1024;

export interface Enrollment {
  text: string;
  transport: TransportKey;
  /** The private key, sealed with the passphrase. */
  sealedKey: Uint8Array;
}

export async function enrollTransportKey(
  ctx: { provider: CryptoProvider; rng: Rng; now: Date },
  opts: { name: string; kmip: string[]; days: number; passphrase: string; workFactor?: number },
): Promise<Enrollment> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(opts.name)) throw new InputError('enroll.name', '--name', 'must be 1 to 100 letters, digits, . _ -');
  if (!Number.isInteger(opts.days) || opts.days < 1 || opts.days > 3660) throw new InputError('enroll.days', '--days', 'must be 1 to 3660 days');
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 4096, publicExponent: 0x10001 });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const pkcs8 = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
  try {
    const sealedKey = await sealAge({ provider: ctx.provider, rng: ctx.rng }, pkcs8, { passphrase: opts.passphrase, ...(opts.workFactor !== undefined && { workFactor: opts.workFactor }) });
    const text = signTransportEnrollment(
      {
        v: 1,
        kind: 'custos.transport-key',
        server: { name: opts.name, kmip: opts.kmip },
        publicKey: base64.encode(spki),
        created: ctx.now.toISOString(),
        expires: new Date(ctx.now.getTime() + opts.days * DAY).toISOString(),
      },
      pkcs8,
    );
    return { text, transport: parseTransportKey(ctx.provider, text, 'enrollment'), sealedKey };
  } finally {
    pkcs8.fill(0);
  }
}

/** RSASSA-PSS-SHA-256 (salt 32) with the transport private key (PKCS#8 DER). */
export function transportSign(message: Uint8Array, pkcs8: Uint8Array): Uint8Array {
  // A view, not a copy: no unwiped duplicate of the private key is left behind.
  const key = createPrivateKey({ key: Buffer.from(pkcs8.buffer, pkcs8.byteOffset, pkcs8.byteLength), format: 'der', type: 'pkcs8' });
  return new Uint8Array(sign('sha256', message, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }));
}

/** The enrollment file, signed by the transport private key it enrolls. */
export function signTransportEnrollment(t: TransportKeyFile, pkcs8: Uint8Array): string {
  return transportToText(t, transportSign(transportMessage(t), pkcs8));
}

/** A roster pin, signed by the transport private key. */
export function signRosterPin(pin: RosterPinFile, pkcs8: Uint8Array): string {
  return rosterPinToText(pin, transportSign(rosterPinMessage(pin), pkcs8));
}

/** The private key is the one the enrollment carries (compared by public key). */
export function checkKeyPair(pkcs8: Uint8Array, transport: TransportKey, field: string): void {
  const key = createPrivateKey({ key: Buffer.from(pkcs8.buffer, pkcs8.byteOffset, pkcs8.byteLength), format: 'der', type: 'pkcs8' });
  const spki = new Uint8Array(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  if (Buffer.compare(Buffer.from(spki), Buffer.from(transport.spki)) !== 0)
    throw new VerifyError('transport.pair', field, `is not the private key of the enrolled transport key of ${transport.file.server.name}`);
}

/** SECRET: the transport private key (PKCS#8 DER). The caller wipes it. */
export async function openTransportKey(provider: CryptoProvider, sealed: Uint8Array, passphrase: string): Promise<Uint8Array> {
  return openAge(provider, sealed, { passphrase }, MAX_TRANSPORT_KEY_FILE, 'transport key file');
}
