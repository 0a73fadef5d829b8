import { readFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { base64 } from '@scure/base';
import type { TransportKeyFile } from '../../src/core/documents/transport';
import { signTransportEnrollment } from '../../src/kmip/enroll';

export const vectorsDir = fileURLToPath(new URL('../vectors/', import.meta.url));

export function loadVector<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(vectorsDir + name, 'utf8')) as T;
}

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s, 'hex'));
}

export function toHexStr(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Test-only RSA keys committed under test/vectors (never used outside tests). */
export function rsaTestKey(bits: 2048 | 3072 | 4096): { pem: string; spki: Uint8Array; pkcs8: Uint8Array; publicPem: string } {
  const pem = readFileSync(`${vectorsDir}rsa${bits}-test-only.pem`, 'utf8');
  const priv = createPrivateKey(pem);
  const pub = createPublicKey(priv);
  return {
    pem,
    pkcs8: new Uint8Array(priv.export({ format: 'der', type: 'pkcs8' })),
    spki: new Uint8Array(pub.export({ format: 'der', type: 'spki' })),
    publicPem: pub.export({ format: 'pem', type: 'spki' }).toString(),
  };
}

/** An enrollment file for a test RSA key (as PEM), signed by that key as `custos server enroll` signs it. */
export function signedTransport(pem: string, fields: Partial<TransportKeyFile> & Pick<TransportKeyFile, 'server' | 'created' | 'expires'>): string {
  const priv = createPrivateKey(pem);
  const spki = new Uint8Array(createPublicKey(priv).export({ format: 'der', type: 'spki' }));
  const pkcs8 = new Uint8Array(priv.export({ format: 'der', type: 'pkcs8' }));
  return signTransportEnrollment({ v: 1, kind: 'custos.transport-key', publicKey: base64.encode(spki), ...fields }, pkcs8);
}
