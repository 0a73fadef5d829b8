/** The import receipt: signed with the transport key; strict in form; any change refused. */
import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseTransportKey } from '../../src/core/documents/transport';
import { signedTransport } from '../helpers/vectors';
import { signReceipt, verifyReceipt, type Receipt } from '../../src/kmip/receipt';
import { nativeProvider as provider } from '../../src/node/native-provider';

const pem = readFileSync('test/vectors/rsa4096-test-only.pem', 'utf8');
const pkcs8 = new Uint8Array(createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' }));
const transport = parseTransportKey(provider, signedTransport(pem, { server: { name: 'kms-t', kmip: ['127.0.0.1:5696'] }, created: '2026-11-01T00:00:00.000Z', expires: '2027-11-01T00:00:00.000Z' }));
const receipt = (name: string, endpoint = '127.0.0.1:5696'): Receipt => ({
  v: 1,
  kind: 'custos.receipt',
  bundle: { sha256: 'ab'.repeat(32), ceremony: 'cd'.repeat(16), transcriptHead: 'ef'.repeat(32) },
  transport: { server: 'kms-t', fingerprint: transport.fingerprint },
  rehearsal: true,
  servers: [{ endpoint, subject: 'kmip', time: '2026-11-28T10:00:00.000Z', form: 'unwrapped', keys: [{ id: '01'.repeat(16), name, uid: '7', kcv: 'cmac-aes:abcdef', outcome: 'registered' }] }],
});

describe('import receipt', () => {
  it('verifies when signed by the transport key, and names the field a signed but malformed receipt gets wrong', () => {
    expect(verifyReceipt(signReceipt(receipt('kek-1'), pkcs8), transport).servers[0]!.keys[0]!.name).toBe('kek-1');
    expect(() => verifyReceipt(signReceipt(receipt(''), pkcs8), transport)).toThrowError(/^receipt\.servers\[0\]\.keys\[0\]\.name: Too small/);
    expect(() => verifyReceipt(signReceipt(receipt('kek-1', ''), pkcs8), transport)).toThrowError(/^receipt\.servers\[0\]\.endpoint: Too small/);
    expect(() => verifyReceipt(signReceipt(receipt('kek-1'), pkcs8).replace('"kek-1"', '"kek-2"'), transport)).toThrowError(/^receipt\.sig: is not a signature by the transport key of kms-t/);
  });
});
