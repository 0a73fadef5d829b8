import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { base64 } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { BUNDLE_SCHEME, verifyBundle, type BundleManifest } from '../../../src/core/documents/bundle';
import { verifyEscrow, type EscrowManifest } from '../../../src/core/documents/escrow';
import { approve, documentToText } from '../../../src/core/documents/signed';
import { checkPinned, parseTransportKey } from '../../../src/core/documents/transport';
import { signedTransport } from '../../helpers/vectors';
import { CustosError, VerifyError } from '../../../src/core/errors';
import { nativeProvider as provider } from '../../../src/node/native-provider';
import { makeRoster } from '../../helpers/roster';

const { ids, verified } = makeRoster('documents');
const key = { id: 'ab'.repeat(16), name: 'kek-1', algorithm: 'AES' as const, length: 256 as const, usage: ['unwrap-key' as const, 'wrap-key' as const], state: 'active' as const, cryptoperiodDays: 365, kcv: 'cmac-aes:0a1b2c' };
const manifest: BundleManifest = {
  v: 1,
  kind: 'custos.bundle',
  ceremony: 'cd'.repeat(16),
  organization: 'Example',
  created: '2026-11-28T10:00:00.000Z',
  expires: '2026-12-12T10:00:00.000Z',
  rehearsal: true,
  masterKeyId: 'ef'.repeat(16),
  recipient: { server: 'kms-1', fingerprint: '01'.repeat(32) },
  scheme: BUNDLE_SCHEME,
  transcript: { head: '02'.repeat(32), seq: 9 },
  keys: [{ ...key, wrapped: base64.encode(new Uint8Array(552)) }],
};
const signed = (m: BundleManifest, who = ['alice', 'bob']) => documentToText({ manifest: m, approvals: who.map((w) => approve(provider, 'bundle', m, ids.get(w)!)) });

describe('signed documents', () => {
  it('a bundle approved by two distinct custodians verifies; pinned fingerprint and expiry are checked', () => {
    const text = signed(manifest);
    expect(verifyBundle(provider, text, verified, { fingerprint: '01'.repeat(32), now: new Date('2026-12-01T00:00:00.000Z') }).approvers).toEqual(['alice', 'bob']);
    expect(() => verifyBundle(provider, text, verified, { fingerprint: '03'.repeat(32) })).toThrowError(/^bundle\.manifest\.recipient\.fingerprint: /);
    expect(() => verifyBundle(provider, text, verified, { now: new Date('2026-12-13T00:00:00.000Z') })).toThrowError(/^bundle\.manifest\.expires: the bundle expired/);
  });
  it('dual control: one approver, the same approver twice, a non-custodian approver are refused', () => {
    expect(() => verifyBundle(provider, signed(manifest, ['alice']), verified)).toThrowError(/^bundle\.approvals: has 1 approvals; 2 distinct approvers/);
    expect(() => verifyBundle(provider, signed(manifest, ['alice', 'alice']), verified)).toThrowError(/^bundle\.approvals\[1\]\.approver: alice approved twice/);
    expect(() => verifyBundle(provider, signed(manifest, ['alice', 'wendy']), verified)).toThrowError(/^bundle\.approvals\[1\]\.approver: wendy is not enrolled as custodian/);
  });
  it('random mutations of a bundle are refused with a typed verification error, never accepted', () => {
    const text = signed(manifest);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 1 }), fc.string({ minLength: 0, maxLength: 3 }), (i, ins) => {
        const t = text.slice(0, i) + ins + text.slice(i + 1);
        if (t === text) return true;
        try {
          verifyBundle(provider, t, verified);
          return false;
        } catch (e) {
          return e instanceof VerifyError;
        }
      }),
      { numRuns: 10_000 },
    );
  });
  it('an escrow manifest: its payload hash and layout are checked', () => {
    const payload = new Uint8Array([1, 2, 3]);
    const m: EscrowManifest = {
      v: 1,
      kind: 'custos.escrow',
      ceremony: 'cd'.repeat(16),
      organization: 'Example',
      created: '2026-11-28T10:00:00.000Z',
      rehearsal: true,
      masterKeyId: 'ef'.repeat(16),
      agent: { name: 'Agent', type: 'age', recipient: 'age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p' },
      payload: { file: 'e.age', sha256: Buffer.from(provider.sha256(payload)).toString('hex'), layout: 'concatenated 32-byte keys in manifest order' },
      transcript: { head: '02'.repeat(32), seq: 3 },
      keys: [{ ...key, wrapped: null }],
    };
    const text = documentToText({ manifest: m, approvals: ['alice', 'bob'].map((w) => approve(provider, 'escrow', m, ids.get(w)!)) });
    expect(verifyEscrow(provider, text, verified, payload).approvers).toEqual(['alice', 'bob']);
    expect(() => verifyEscrow(provider, text, verified, new Uint8Array([1, 2, 4]))).toThrowError(/^e\.age: is not the file the manifest names/);
  });
  it('transport keys: RSA-3072/4096 only, pinned by fingerprint, refused once expired; random input is a typed error', () => {
    const file = (pem: string) => signedTransport(readFileSync(pem, 'utf8'), { server: { name: 'kms', kmip: ['kms:5696'] }, created: '2026-11-01T00:00:00.000Z', expires: '2027-11-01T00:00:00.000Z' });
    const t = parseTransportKey(provider, file('test/vectors/rsa4096-test-only.pem'));
    // Every field is signed by the key: a changed expiry, name or endpoint, or no signature, is refused.
    const good = file('test/vectors/rsa4096-test-only.pem');
    for (const [from, to] of [['"expires":"2027', '"expires":"2029'], ['"name":"kms"', '"name":"kmx"'], ['"kms:5696"', '"kms:5697"']] as const)
      expect(() => parseTransportKey(provider, good.replace(from, to))).toThrowError(/^transport\.sig: is not the signature of this key over this enrollment/);
    expect(() => parseTransportKey(provider, good.replace(/,"sig":"[^"]+"/, ''))).toThrowError(/^transport\.sig: is missing: this enrollment is not signed by its key/);
    // Signed by another key than the one it carries: refused.
    const other = JSON.parse(file('test/vectors/rsa3072-test-only.pem')) as { sig: string };
    expect(() => parseTransportKey(provider, good.replace(/"sig":"[^"]+"/, `"sig":"${other.sig}"`))).toThrowError(/^transport\.sig: is not the signature/);
    expect(t.words).toHaveLength(8);
    expect(() => checkPinned(t, '00'.repeat(32), new Date('2026-12-01T00:00:00.000Z'), 'recipient')).toThrowError(/^recipient: the key's fingerprint is/);
    expect(() => checkPinned(t, t.fingerprint, new Date('2028-01-01T00:00:00.000Z'), 'recipient')).toThrowError(/^recipient\.expires: the enrollment of kms expired/);
    expect(() => parseTransportKey(provider, file('test/vectors/rsa2048-test-only.pem'))).toThrowError(/^transport\.publicKey: is RSA-2048; transport keys are RSA-3072 or RSA-4096/);
    const text = file('test/vectors/rsa3072-test-only.pem');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length - 1 }), fc.string({ minLength: 1, maxLength: 2 }), (i, ins) => {
        try {
          parseTransportKey(provider, text.slice(0, i) + ins + text.slice(i + 1));
          return true; // some edits keep a valid file (another server name); no untyped error is the property
        } catch (e) {
          return e instanceof CustosError;
        }
      }),
      { numRuns: 3000 },
    );
  });
});
