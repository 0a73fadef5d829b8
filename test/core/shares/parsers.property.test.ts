/**
 * Property tests: every parser of share input (binary record, paper text, QR payload, share
 * file) is fed at least 10,000 random and 10,000 mutated inputs. Every refusal must be a typed
 * CustosError, and no altered input may come back as an accepted share other than the original.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { CustosError } from '../../../src/core/errors';
import { decodeShareRecord, verifyShareSignature, type ShareRecord } from '../../../src/core/shares/record';
import { shareToText, textToShare, ALPHABET } from '../../../src/core/shares/text';
import { qrPayloadToShare, shareToQrPayload } from '../../../src/core/shares/qr';
import { openShareFile, sealShareFile } from '../../../src/core/shares/file';
import { seededRng } from '../../../src/core/crypto/random';
import { equalBytes } from '../../../src/core/crypto/bytes';
import { makeShares, provider } from '../../helpers/shares';

const RUNS = 10_000;

/** A parse outcome is acceptable if it threw a CustosError, or gave back exactly the original share with a valid signature. */
function acceptable(original: ShareRecord, parse: () => ShareRecord): boolean {
  let r: ShareRecord;
  try {
    r = parse();
  } catch (e) {
    if (e instanceof CustosError) return true;
    throw e;
  }
  return !verifyShareSignature(provider, r) || equalBytes(r.bytes, original.bytes);
}
async function acceptableAsync(original: ShareRecord, parse: () => Promise<ShareRecord>): Promise<boolean> {
  let r: ShareRecord;
  try {
    r = await parse();
  } catch (e) {
    if (e instanceof CustosError) return true;
    throw e;
  }
  return !verifyShareSignature(provider, r) || equalBytes(r.bytes, original.bytes);
}

type Edit = { kind: 'flip' | 'set' | 'delete' | 'insert' | 'truncate'; pos: number; val: number; len: number };
const edits = fc.array(
  fc.record({ kind: fc.constantFrom('flip', 'set', 'delete', 'insert', 'truncate'), pos: fc.nat(), val: fc.integer({ min: 0, max: 255 }), len: fc.integer({ min: 1, max: 8 }) }),
  { minLength: 1, maxLength: 4 },
) as fc.Arbitrary<Edit[]>;

function mutateBytes(b: Uint8Array, es: Edit[]): Uint8Array {
  let a = Array.from(b);
  for (const e of es) {
    const p = a.length ? e.pos % a.length : 0;
    if (e.kind === 'flip' && a.length) a[p] = a[p]! ^ (1 << (e.val % 8));
    else if (e.kind === 'set' && a.length) a[p] = e.val;
    else if (e.kind === 'delete') a.splice(p, e.len);
    else if (e.kind === 'insert') a.splice(p, 0, ...Array(e.len).fill(e.val));
    else if (e.kind === 'truncate') a = a.slice(0, p);
  }
  return Uint8Array.from(a);
}

const TEXT_CHARS = ALPHABET + ALPHABET.toLowerCase() + ' \n\r\t0123456789ILOU-.:,#';
function mutateText(t: string, es: Edit[]): string {
  let a = [...t];
  for (const e of es) {
    const p = a.length ? e.pos % a.length : 0;
    const c = TEXT_CHARS[e.val % TEXT_CHARS.length]!;
    if (e.kind === 'flip' || e.kind === 'set') a[p] = c;
    else if (e.kind === 'delete') a.splice(p, e.len);
    else if (e.kind === 'insert') a.splice(p, 0, ...Array(e.len).fill(c));
    else a = a.slice(0, p);
  }
  return a.join('');
}

describe('share input parsers under random and mutated input', async () => {
  const f = await makeShares(3, 5, 'property');
  const rec = f.records[0]!;
  const text = shareToText(provider, rec);
  const payload = shareToQrPayload(rec);

  it('binary share record', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => acceptable(rec, () => decodeShareRecord(provider, b))), { numRuns: RUNS });
    // random bytes behind a valid header, so the checks past the magic and version are reached
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 200, maxLength: 210 }), (b) => acceptable(rec, () => decodeShareRecord(provider, Uint8Array.from([...rec.bytes.subarray(0, 5), ...b])))),
      { numRuns: RUNS },
    );
    fc.assert(fc.property(edits, (es) => acceptable(rec, () => decodeShareRecord(provider, mutateBytes(rec.bytes, es)))), { numRuns: RUNS });
  });

  it('paper share text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 600, unit: fc.constantFrom(...TEXT_CHARS) }), (t) => acceptable(rec, () => textToShare(provider, t))), { numRuns: RUNS });
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (t) => acceptable(rec, () => textToShare(provider, t))), { numRuns: RUNS });
    fc.assert(fc.property(edits, (es) => acceptable(rec, () => textToShare(provider, mutateText(text, es)))), { numRuns: RUNS });
  });

  it('QR payload', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (t) => acceptable(rec, () => qrPayloadToShare(provider, t))), { numRuns: RUNS });
    fc.assert(fc.property(edits, (es) => acceptable(rec, () => qrPayloadToShare(provider, mutateText(payload, es)))), { numRuns: RUNS });
  });

  it('share file (X25519 and passphrase)', async () => {
    const identity = await generateIdentity();
    const ctx = { provider, rng: seededRng('pf') };
    const x = await sealShareFile(ctx, rec, { recipient: await identityToRecipient(identity) });
    // A passphrase file at scrypt work factor 2^1 keeps 10,000 openings fast; the parser is the same.
    const enc = new Encrypter();
    enc.setPassphrase('property-passphrase');
    enc.setScryptWorkFactor(1);
    const p = await enc.encrypt(text);
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), (b) => acceptableAsync(rec, () => openShareFile(provider, b, { identity }))), { numRuns: RUNS });
    await fc.assert(fc.asyncProperty(edits, (es) => acceptableAsync(rec, () => openShareFile(provider, mutateBytes(x, es), { identity }))), { numRuns: RUNS });
    await fc.assert(
      fc.asyncProperty(edits, (es) => acceptableAsync(rec, () => openShareFile(provider, mutateBytes(p, es), { passphrase: 'property-passphrase' }))),
      { numRuns: RUNS },
    );
    expect((await openShareFile(provider, p, { passphrase: 'property-passphrase' })).bytes).toEqual(rec.bytes);
  }, 240_000); // 30,000 age openings with X25519 and scrypt: CPU-bound, slower when the suite runs in parallel
});
