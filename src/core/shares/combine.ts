/**
 * Rebuild a master key from share records. Every share that cannot be used is named with its
 * reason; the key is rebuilt whenever at least M good shares of one set remain, and every extra
 * good share is checked to agree with them.
 */
import { combine } from 'shamir-secret-sharing';
import { InputError, VerifyError } from '../errors';
import { assertBytes, equalBytes, toHex, wipe } from '../crypto/bytes';
import { formatKcv, kcvBytes, type KcvString } from '../crypto/kcv';
import { deriveKeyId } from '../crypto/key-id';
import type { CryptoProvider } from '../crypto/provider';
import { decodeShareRecord, MASTER_KEY_LENGTH, verifyShareSignature, wipeShareRecord, type ShareRecord } from './record';
import { allSubsets } from './subsets';

export interface LabelledShare {
  /** How the operator knows this share: "share file alice.age", "paper share typed 2nd". */
  label: string;
  record: ShareRecord;
}

export type RejectReason = 'digest' | 'signature' | 'signer' | 'other-set' | 'other-key' | 'duplicate' | 'conflict' | 'inconsistent';

export interface Rejection {
  label: string;
  index?: number;
  reason: RejectReason;
  message: string;
}

export interface CombineOptions {
  /** Ed25519 public key that must have signed the shares (from the roster or transcript). */
  signer: Uint8Array;
  /** Expected share set; without it, the one set that has M good shares is used. */
  setId?: Uint8Array;
  /** Expected master key id. */
  keyId?: Uint8Array;
}

export interface CombineResult {
  /** SECRET: the master key. The caller wipes it. */
  key: Uint8Array;
  kcv: KcvString;
  setId: Uint8Array;
  keyId: Uint8Array;
  threshold: number;
  count: number;
  used: string[];
  rejected: Rejection[];
}

export class CombineError extends VerifyError {
  readonly rejected: Rejection[];
  constructor(code: string, message: string, rejected: Rejection[]) {
    const detail = rejected.length ? ` Refused: ${rejected.map((r) => `${r.label}: ${r.message}`).join('; ')}.` : '';
    super(code, 'shares', message + detail);
    this.name = 'CombineError';
    this.rejected = rejected;
  }
}

/** At most this many subsets are tried when the first M good shares disagree with the KCV. */
const SEARCH_LIMIT = 20_000;

const groupKey = (r: ShareRecord) => `${toHex(r.setId)}/${toHex(r.keyId)}/${toHex(r.kcv)}/${r.threshold}/${r.count}`;

export async function combineShares(provider: CryptoProvider, shares: LabelledShare[], opts: CombineOptions): Promise<CombineResult> {
  if (!Array.isArray(shares)) throw new InputError('combine.shares', 'shares', 'must be an array');
  assertBytes(opts.signer, 'signer', 32);
  if (opts.setId !== undefined) assertBytes(opts.setId, 'setId', 16);
  if (opts.keyId !== undefined) assertBytes(opts.keyId, 'keyId', 16);

  const rejected: Rejection[] = [];
  const reject = (s: LabelledShare, reason: RejectReason, message: string) =>
    rejected.push({ label: s.label, ...(s.record?.index !== undefined && { index: s.record.index }), reason, message });

  // 1. Integrity and origin of each share on its own. From here on only the freshly decoded
  //    record is used: the fields of the object passed in are never trusted.
  const valid: LabelledShare[] = [];
  const decoded: ShareRecord[] = [];
  try {
    for (const s of shares) {
      if (typeof s?.label !== 'string') throw new InputError('combine.label', 'shares[].label', 'every share needs a label naming where it came from');
      let record: ShareRecord;
      try {
        record = decodeShareRecord(provider, s.record?.bytes, s.label);
      } catch (e) {
        reject(s, 'digest', e instanceof Error ? e.message : 'is not a valid share record');
        continue;
      }
      decoded.push(record);
      const d = { label: s.label, record };
      if (!verifyShareSignature(provider, record)) reject(d, 'signature', 'bad signature: not signed by the key it names');
      else if (!equalBytes(record.signer, opts.signer)) reject(d, 'signer', `signed by another key (${toHex(record.signer).slice(0, 16)}…), not the ceremony key`);
      else valid.push(d);
    }
    return await rebuild(provider, valid, opts, rejected, reject);
  } finally {
    for (const r of decoded) wipeShareRecord(r);
  }
}

async function rebuild(
  provider: CryptoProvider,
  valid: LabelledShare[],
  opts: CombineOptions,
  rejected: Rejection[],
  reject: (s: LabelledShare, reason: RejectReason, message: string) => void,
): Promise<CombineResult> {
  // 2. One share set. Shares of another key or set than the one asked for are set aside first;
  //    of the rest, the one set that has M distinct good shares is used.
  const wanted: LabelledShare[] = [];
  for (const s of valid) {
    if (opts.keyId && !equalBytes(s.record.keyId, opts.keyId)) reject(s, 'other-key', `is a share of key ${toHex(s.record.keyId)}, not ${toHex(opts.keyId)}`);
    else if (opts.setId && !equalBytes(s.record.setId, opts.setId)) reject(s, 'other-set', `belongs to share set ${toHex(s.record.setId)}, not ${toHex(opts.setId)}`);
    else wanted.push(s);
  }
  const groups = new Map<string, LabelledShare[]>();
  for (const s of wanted) {
    const k = groupKey(s.record);
    groups.set(k, [...(groups.get(k) ?? []), s]);
  }
  const distinct = (g: LabelledShare[]) => new Set(g.map((s) => s.record.index)).size;
  const complete = [...groups.values()].filter((g) => distinct(g) >= g[0]!.record.threshold);
  if (complete.length > 1)
    throw new CombineError('shares.ambiguous', `shares of ${complete.length} different share sets are each complete; say which set or key to use`, rejected);
  const chosen = complete[0] ?? [...groups.values()].sort((a, b) => distinct(b) - distinct(a))[0];
  if (!chosen) throw new CombineError('shares.none', 'no usable share of the expected key and share set', rejected);
  const ref = chosen[0]!.record;
  for (const s of wanted) {
    if (chosen.includes(s)) continue;
    if (!equalBytes(s.record.setId, ref.setId)) reject(s, 'other-set', `belongs to share set ${toHex(s.record.setId)}, not ${toHex(ref.setId)}`);
    else reject(s, 'other-key', 'names another key, KCV or threshold than the rest of its set');
  }

  // 3. Duplicates: the same share twice, or two different shares claiming one index or x.
  const good: LabelledShare[] = [];
  for (const s of chosen) {
    const same = good.find((g) => g.record.index === s.record.index || g.record.share[MASTER_KEY_LENGTH] === s.record.share[MASTER_KEY_LENGTH]);
    if (!same) good.push(s);
    else if (equalBytes(same.record.bytes, s.record.bytes)) reject(s, 'duplicate', `is a duplicate of ${same.label} (share ${s.record.index})`);
    else reject(s, 'conflict', `claims the same share number or coordinate as ${same.label} but differs`);
  }

  const M = ref.threshold;
  if (good.length < M)
    throw new CombineError('shares.insufficient', `need ${M} shares of set ${toHex(ref.setId)} (${M} of ${ref.count}), have ${good.length} usable`, rejected);

  // 4. Rebuild from M shares whose result matches the recorded KCV, then check every other share.
  const tryKey = async (subset: LabelledShare[]) => {
    const key = await combine(subset.map((s) => s.record.share));
    // KCV for people, key id as the 128-bit commitment: a KCV collision alone is not enough.
    if (equalBytes(kcvBytes(provider, key), ref.kcv) && equalBytes(deriveKeyId(provider, key), ref.keyId)) return key;
    wipe(key);
    return undefined;
  };
  let base = good.slice(0, M);
  let key = await tryKey(base);
  if (!key) {
    let tried = 0;
    for (const idx of allSubsets(good.length, M)) {
      if (++tried > SEARCH_LIMIT) break;
      const subset = idx.map((i) => good[i]!);
      key = await tryKey(subset);
      if (key) {
        base = subset;
        break;
      }
    }
  }
  if (!key) {
    for (const s of good) reject(s, 'inconsistent', 'does not combine with the others into the key with the recorded KCV');
    throw new CombineError('shares.kcv', `no ${M} of the shares rebuild the key with KCV ${formatKcv(ref.kcv)} and id ${toHex(ref.keyId)}`, rejected);
  }
  const used = [...base];
  for (const s of good) {
    if (base.includes(s)) continue;
    const other = await combine([...base.slice(0, M - 1).map((b) => b.record.share), s.record.share]);
    const agrees = equalBytes(other, key);
    wipe(other);
    if (agrees) used.push(s);
    else reject(s, 'inconsistent', `does not agree with the other shares of set ${toHex(ref.setId)}`);
  }
  return {
    key,
    kcv: formatKcv(ref.kcv),
    setId: ref.setId,
    keyId: ref.keyId,
    threshold: ref.threshold,
    count: ref.count,
    used: used.map((s) => s.label),
    rejected,
  };
}
