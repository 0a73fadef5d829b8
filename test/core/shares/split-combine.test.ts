import { describe, expect, it } from 'vitest';
import { combineShares, CombineError } from '../../../src/core/shares/combine';
import { splitMasterKey } from '../../../src/core/shares/split';
import { binomial, allSubsets, planSubsets, randomSubset } from '../../../src/core/shares/subsets';
import { decodeShareRecord, describeShare, SHARE_RECORD_LENGTH, signShareRecord, verifyShareSignature, wipeShareRecord, type ShareRecord } from '../../../src/core/shares/record';
import { kcv } from '../../../src/core/crypto/kcv';
import { deriveKeyId } from '../../../src/core/crypto/key-id';
import { equalBytes } from '../../../src/core/crypto/bytes';
import { seededRng } from '../../../src/core/crypto/random';
import { InputError, VerifyError } from '../../../src/core/errors';
import { makeShares, provider } from '../../helpers/shares';

const lab = (records: ShareRecord[]) => records.map((record) => ({ label: `share ${record.index}`, record }));

describe('subsets', () => {
  it('binomial and enumeration agree', () => {
    expect(binomial(9, 5)).toBe(126n);
    expect(binomial(16, 10)).toBe(8008n);
    expect(binomial(255, 128).toString().length).toBeGreaterThan(70);
    const all = [...allSubsets(6, 3)];
    expect(all.length).toBe(20);
    expect(new Set(all.map((s) => s.join(','))).size).toBe(20);
  });
  it('samples past the bound, reproducibly with the same RNG', () => {
    const a = planSubsets(seededRng('s'), 40, 20, 100_000, 50);
    expect(a.mode).toBe('sample');
    expect(a.total).toBe(binomial(40, 20).toString());
    const b = planSubsets(seededRng('s'), 40, 20, 100_000, 50);
    expect([...a.subsets]).toEqual([...b.subsets]);
    const small = [...planSubsets(seededRng('d'), 8, 4, 10, 60).subsets].map((s) => s.join());
    expect(small.length).toBe(60);
    expect(new Set(small).size).toBe(60); // distinct, though 60 of C(8,4) = 70 makes repeats likely
    expect(planSubsets(seededRng('d'), 8, 4, 10, 500).mode).toBe('all'); // a sample bigger than the whole
    const s = randomSubset(seededRng('x'), 10, 4);
    expect(new Set(s).size).toBe(4);
    expect(s.every((i) => i >= 0 && i < 10)).toBe(true);
  });
});

describe('split', () => {
  it('3-of-5: every record decodes, is signed, carries the KCV, and every 3 rebuild the key', async () => {
    const f = await makeShares(3, 5);
    expect(f.kcv).toBe(kcv(provider, f.masterKey));
    expect(f.keyId).toEqual(deriveKeyId(provider, f.masterKey));
    expect(f.records.every((r) => equalBytes(r.keyId, f.keyId))).toBe(true);
    expect(f.subsetCheck).toEqual({ mode: 'all', total: '10', checked: 10 });
    expect(f.records.map((r) => r.index)).toEqual([1, 2, 3, 4, 5]);
    for (const r of f.records) {
      expect(r.bytes.length).toBe(SHARE_RECORD_LENGTH);
      expect(verifyShareSignature(provider, r)).toBe(true);
      expect(describeShare(r)).toMatchObject({ threshold: 3, count: 5, kcv: f.kcv });
    }
    for (const idx of allSubsets(5, 3)) {
      const res = await combineShares(provider, lab(idx.map((i) => f.records[i]!)), { signer: f.signer });
      expect(res.key).toEqual(f.masterKey);
      expect(res.rejected).toEqual([]);
    }
  });
  it('records the sample when the subsets exceed the bound', async () => {
    const rng = seededRng('big');
    const r = await splitMasterKey({ provider, rng }, { masterKey: rng(32), threshold: 6, count: 14, signerSeed: rng(32), exhaustiveLimit: 1000, sampleSize: 200 });
    expect(r.subsetCheck).toEqual({ mode: 'sample', total: '3003', checked: 200 });
  });
  it('refuses bad parameters, naming them', async () => {
    const rng = seededRng('p');
    const base = { masterKey: rng(32), threshold: 3, count: 5, signerSeed: rng(32) };
    await expect(splitMasterKey({ provider, rng }, { ...base, threshold: 6 })).rejects.toThrowError(/^threshold: must not exceed count/);
    await expect(splitMasterKey({ provider, rng }, { ...base, threshold: 1 })).rejects.toThrowError(/^threshold: must be between 2 and 255/);
    await expect(splitMasterKey({ provider, rng }, { ...base, count: 256 })).rejects.toThrowError(/^count: must be between 2 and 255/);
    await expect(splitMasterKey({ provider, rng }, { ...base, masterKey: rng(16) })).rejects.toThrowError(/^masterKey: must be 32 bytes/);
  });
  it('2-of-255 works at the limits', async () => {
    const f = await makeShares(2, 255, 'wide');
    expect(f.records.length).toBe(255);
    const res = await combineShares(provider, lab([f.records[254]!, f.records[0]!]), { signer: f.signer });
    expect(res.key).toEqual(f.masterKey);
  });
});

describe('combine refuses, naming the share and the reason', () => {
  it('fewer than M', async () => {
    const f = await makeShares(3, 5);
    const err = await combineShares(provider, lab(f.records.slice(0, 2)), { signer: f.signer }).catch((e) => e);
    expect(err).toBeInstanceOf(CombineError);
    expect(err.message).toMatch(/need 3 shares of set [0-9a-f]{32} \(3 of 5\), have 2 usable/);
  });
  it('duplicates', async () => {
    const f = await makeShares(3, 5);
    const err = await combineShares(provider, lab([f.records[0]!, f.records[1]!, f.records[1]!]), { signer: f.signer }).catch((e) => e);
    expect(err.rejected).toEqual([{ label: 'share 2', index: 2, reason: 'duplicate', message: 'is a duplicate of share 2 (share 2)' }]);
    expect(err.message).toMatch(/have 2 usable/);
  });
  it('shares of another set of the same key, and of another key', async () => {
    const f = await makeShares(2, 3, 'a');
    const g = await makeShares(2, 3, 'b');
    const res = await combineShares(provider, [...lab(f.records.slice(0, 2)), { label: 'stray', record: g.records[0]! }], { signer: f.signer });
    expect(res.key).toEqual(f.masterKey);
    expect(res.rejected).toMatchObject([{ label: 'stray', reason: 'signer' }]); // another ceremony's key
    const h = await splitMasterKey({ provider, rng: seededRng('c') }, { masterKey: f.masterKey, threshold: 2, count: 3, signerSeed: f.signerSeed });
    const res2 = await combineShares(provider, [...lab(f.records.slice(0, 2)), { label: 'other set', record: h.records[0]! }], { signer: f.signer });
    expect(res2.key).toEqual(f.masterKey);
    expect(res2.rejected).toMatchObject([{ label: 'other set', reason: 'other-set' }]);
    const err = await combineShares(provider, lab(f.records.slice(0, 2)), { signer: f.signer, keyId: new Uint8Array(16) }).catch((e) => e);
    expect(err.rejected.map((r: { reason: string }) => r.reason)).toEqual(['other-key', 'other-key']);
  });
  it('a share signed by another key and a share with a forged signature', async () => {
    const f = await makeShares(2, 4);
    const g = await makeShares(2, 3, 'other-ceremony');
    const forged = decodeShareRecord(provider, f.records[2]!.bytes);
    const bytes = forged.bytes.slice();
    bytes[bytes.length - 1]! ^= 1; // signature byte: digest still matches
    const res = await combineShares(
      provider,
      [...lab(f.records.slice(0, 2)), { label: 'forged', record: decodeShareRecord(provider, bytes) }, { label: 'foreign', record: g.records[0]! }],
      { signer: f.signer },
    );
    expect(res.key).toEqual(f.masterKey);
    expect(res.rejected.map((r) => [r.label, r.reason])).toEqual([
      ['forged', 'signature'],
      ['foreign', 'signer'],
    ]);
  });
  it('more than M with some corrupted: names the bad ones and still recovers', async () => {
    const f = await makeShares(3, 6);
    // a corrupted share whose record is otherwise perfectly signed (the worst case)
    const bad = { ...f.records[1]!, share: f.records[1]!.share.slice() };
    bad.share[0]! ^= 0xff;
    const evil = signShareRecord(provider, bad, f.signerSeed);
    const tampered = f.records[3]!.bytes.slice();
    tampered[60]! ^= 4;
    const inputs = [
      { label: 'A', record: f.records[0]! },
      { label: 'B (re-signed corrupt)', record: evil },
      { label: 'C', record: f.records[2]! },
      { label: 'D', record: f.records[4]! },
      { label: 'E', record: f.records[5]! },
    ];
    const res = await combineShares(provider, inputs, { signer: f.signer });
    expect(res.key).toEqual(f.masterKey);
    expect(res.rejected).toMatchObject([{ label: 'B (re-signed corrupt)', reason: 'inconsistent' }]);
    expect(res.used.sort()).toEqual(['A', 'C', 'D', 'E']);
    expect(() => decodeShareRecord(provider, tampered, 'share D')).toThrowError(/^share D.digest: does not match/);
  });
  it('when no M shares agree with the KCV, says so and names them', async () => {
    const f = await makeShares(2, 3);
    const corrupt = (i: number) => {
      const b = { ...f.records[i]!, share: f.records[i]!.share.slice() };
      b.share[3]! ^= 1;
      return signShareRecord(provider, b, f.signerSeed);
    };
    const err = await combineShares(provider, [{ label: 'x', record: corrupt(0) }, { label: 'y', record: corrupt(1) }], { signer: f.signer }).catch((e) => e);
    expect(err).toBeInstanceOf(VerifyError);
    expect(err.message).toMatch(/no 2 of the shares rebuild the key with KCV cmac-aes:/);
    expect(err.rejected.map((r: { label: string }) => r.label)).toEqual(['x', 'y']);
  });
  it('a key whose KCV matches but whose id does not is refused (the id is the 128-bit commitment)', async () => {
    const f = await makeShares(2, 3);
    const wrongId = new Uint8Array(16).fill(0xee);
    const relabelled = f.records.slice(0, 2).map((r) => signShareRecord(provider, { ...r, keyId: wrongId }, f.signerSeed));
    const err = await combineShares(provider, lab(relabelled), { signer: f.signer }).catch((e) => e);
    expect(err).toBeInstanceOf(CombineError);
    expect(err.message).toMatch(new RegExp(`rebuild the key with KCV ${f.kcv} and id ${'ee'.repeat(16)}`));
  });
  it('trusts only the record bytes, never fields of the object passed in', async () => {
    const f = await makeShares(2, 3);
    const forgedFields = { ...f.records[1]!, index: 1, share: new Uint8Array(33).fill(1) } as ShareRecord;
    const res = await combineShares(provider, [{ label: 'one', record: f.records[0]! }, { label: 'two', record: forgedFields }], { signer: f.signer });
    expect(res.key).toEqual(f.masterKey);
    expect(res.rejected).toEqual([]);
  });
  it('the key asked for picks the set when shares of two keys are each complete', async () => {
    const a = await makeShares(2, 3, 'key-a');
    const b = await splitMasterKey({ provider, rng: seededRng('key-b') }, { masterKey: seededRng('other key').call(null, 32), threshold: 2, count: 3, signerSeed: a.signerSeed });
    const mixed = [...lab(a.records.slice(0, 2)), ...b.records.slice(0, 2).map((record) => ({ label: `b${record.index}`, record }))];
    await expect(combineShares(provider, mixed, { signer: a.signer })).rejects.toThrowError(/each complete; say which set or key to use/);
    const res = await combineShares(provider, mixed, { signer: a.signer, keyId: b.keyId });
    expect(res.keyId).toEqual(b.keyId);
    expect(res.rejected.map((r) => r.reason)).toEqual(['other-key', 'other-key']);
    const res2 = await combineShares(provider, mixed, { signer: a.signer, setId: a.setId });
    expect(res2.key).toEqual(a.masterKey);
  });
  it('garbage inputs are refused with typed errors, never a TypeError', async () => {
    const f = await makeShares(2, 3);
    await expect(combineShares(provider, 'x' as never, { signer: f.signer })).rejects.toThrow(InputError);
    await expect(combineShares(provider, [{ label: 7 } as never], { signer: f.signer })).rejects.toThrow(InputError);
    const err = await combineShares(provider, [{ label: 'junk', record: {} as never }, ...lab(f.records.slice(0, 2))], { signer: f.signer });
    expect(err.rejected).toMatchObject([{ label: 'junk', reason: 'digest' }]);
    await expect(combineShares(provider, [], { signer: new Uint8Array(3) })).rejects.toThrowError(/^signer: must be 32 bytes/);
  });
  it('wipeShareRecord zeroes the share and its bytes', async () => {
    const f = await makeShares(2, 2);
    const r = f.records[0]!;
    wipeShareRecord(r);
    expect(r.share.every((b) => b === 0)).toBe(true);
    expect(r.bytes.every((b) => b === 0)).toBe(true);
  });
});
