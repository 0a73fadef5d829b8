/**
 * Split a 32-byte master key M-of-N with shamir-secret-sharing, prove that every M-subset
 * (or, past a bound, a recorded random sample of them) rebuilds the key, and only then sign
 * the share records. Nothing leaves this function unless the check passed.
 */
import { combine, split } from 'shamir-secret-sharing';
import { InputError, VerifyError } from '../errors';
import { assertBytes, assertInt, equalBytes, wipe } from '../crypto/bytes';
import { kcvBytes, formatKcv, type KcvString } from '../crypto/kcv';
import { deriveKeyId } from '../crypto/key-id';
import type { CryptoProvider } from '../crypto/provider';
import type { Rng } from '../crypto/random';
import { ID_LENGTH, MASTER_KEY_LENGTH, signShareRecord, wipeShareRecord, type ShareRecord } from './record';
import { planSubsets, DEFAULT_EXHAUSTIVE_LIMIT, DEFAULT_SAMPLE_SIZE } from './subsets';

export interface SplitRequest {
  /** SECRET: the master key; not wiped here (the caller owns it). */
  masterKey: Uint8Array;
  threshold: number;
  count: number;
  /** Ed25519 seed of the ceremony signing key. */
  signerSeed: Uint8Array;
  /** A rehearsal's split: every record is marked as a rehearsal share. */
  rehearsal?: boolean;
  /** Subset check bounds (defaults: all subsets up to 100,000, else a sample of 10,000). */
  exhaustiveLimit?: number;
  sampleSize?: number;
  /** Called as subsets are checked: (checked so far, to check). */
  onProgress?: (done: number, total: number) => void;
}

export interface SubsetCheck {
  mode: 'all' | 'sample';
  total: string;
  checked: number;
}

export interface SplitResult {
  setId: Uint8Array;
  /** Derived from the key (src/core/crypto/key-id.ts). */
  keyId: Uint8Array;
  kcv: KcvString;
  /** SECRET: one record per custodian, index 1..N. Wipe with wipeShareRecord when done. */
  records: ShareRecord[];
  subsetCheck: SubsetCheck;
}

export async function splitMasterKey(ctx: { provider: CryptoProvider; rng: Rng }, req: SplitRequest): Promise<SplitResult> {
  const { provider, rng } = ctx;
  assertBytes(req.masterKey, 'masterKey', MASTER_KEY_LENGTH);
  assertInt(req.count, 'count', 2, 255);
  assertInt(req.threshold, 'threshold', 2, 255);
  if (req.threshold > req.count) throw new InputError('split.threshold', 'threshold', `must not exceed count (${req.threshold} > ${req.count})`);
  assertBytes(req.signerSeed, 'signerSeed', 32);
  const exhaustiveLimit = req.exhaustiveLimit ?? DEFAULT_EXHAUSTIVE_LIMIT;
  const sampleSize = req.sampleSize ?? DEFAULT_SAMPLE_SIZE;
  assertInt(exhaustiveLimit, 'exhaustiveLimit', 1, 10_000_000);
  assertInt(sampleSize, 'sampleSize', 1, 10_000_000);

  const kcv = kcvBytes(provider, req.masterKey);
  const keyId = deriveKeyId(provider, req.masterKey);
  const setId = rng(ID_LENGTH);
  assertBytes(setId, 'rng(16)', ID_LENGTH);
  const raw = await split(req.masterKey, req.count, req.threshold);
  try {
    const xs = new Set(raw.map((s) => s[MASTER_KEY_LENGTH]));
    if (raw.length !== req.count || xs.size !== req.count || xs.has(0))
      throw new VerifyError('split.coordinates', 'shares', 'the Shamir split returned duplicate or zero x-coordinates');

    const plan = planSubsets(rng, req.count, req.threshold, exhaustiveLimit, sampleSize);
    let n = 0;
    for (const subset of plan.subsets) {
      const key = await combine(subset.map((i) => raw[i]!));
      req.onProgress?.(++n, plan.checked);
      const ok = equalBytes(key, req.masterKey);
      wipe(key);
      if (!ok)
        throw new VerifyError('split.subset', 'shares', `shares ${subset.map((i) => i + 1).join(', ')} do not rebuild the key; nothing was written`);
    }

    const signer = provider.ed25519PublicKey(req.signerSeed);
    const records: ShareRecord[] = [];
    try {
      for (const [i, share] of raw.entries())
        records.push(signShareRecord(provider, { setId, keyId, kcv, threshold: req.threshold, count: req.count, index: i + 1, share, signer, rehearsal: req.rehearsal === true }, req.signerSeed));
    } catch (e) {
      records.forEach(wipeShareRecord);
      throw e;
    }
    return { setId, keyId, kcv: formatKcv(kcv), records, subsetCheck: { mode: plan.mode, total: plan.total, checked: plan.checked } };
  } finally {
    wipe(...raw);
  }
}
