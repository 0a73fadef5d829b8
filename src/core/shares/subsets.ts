/**
 * Choosing M-subsets of N shares: every one when there are few enough, otherwise a uniform
 * random sample drawn with the injected RNG (so a rehearsal or test repeats exactly).
 */
import type { Rng } from '../crypto/random';

export const DEFAULT_EXHAUSTIVE_LIMIT = 100_000;
export const DEFAULT_SAMPLE_SIZE = 10_000;

/** n choose k, exactly. */
export function binomial(n: number, k: number): bigint {
  if (k < 0 || k > n) return 0n;
  k = Math.min(k, n - k);
  let r = 1n;
  for (let i = 1; i <= k; i++) r = (r * BigInt(n - k + i)) / BigInt(i);
  return r;
}

/** All k-subsets of {0..n-1} in lexicographic order. */
export function* allSubsets(n: number, k: number): Generator<number[]> {
  const idx = Array.from({ length: k }, (_, i) => i);
  while (true) {
    yield idx.slice();
    let i = k - 1;
    while (i >= 0 && idx[i] === n - k + i) i--;
    if (i < 0) return;
    idx[i]!++;
    for (let j = i + 1; j < k; j++) idx[j] = idx[j - 1]! + 1;
  }
}

/** Uniform integer in [0, bound) from the RNG, by rejection (no modulo bias). */
export function uniformInt(rng: Rng, bound: number): number {
  if (bound <= 1) return 0;
  const limit = Math.floor(0x100000000 / bound) * bound;
  for (;;) {
    const b = rng(4);
    const v = ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    if (v < limit) return v % bound;
  }
}

/** One uniformly random k-subset of {0..n-1} (partial Fisher-Yates), sorted. */
export function randomSubset(rng: Rng, n: number, k: number): number[] {
  const a = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + uniformInt(rng, n - i);
    [a[i], a[j]] = [a[j]!, a[i]!];
  }
  return a.slice(0, k).sort((x, y) => x - y);
}

export interface SubsetPlan {
  mode: 'all' | 'sample';
  /** C(N, M) as a decimal string (it can exceed 2^53). */
  total: string;
  checked: number;
  subsets: Iterable<number[]>;
}

export function planSubsets(rng: Rng, n: number, k: number, exhaustiveLimit = DEFAULT_EXHAUSTIVE_LIMIT, sampleSize = DEFAULT_SAMPLE_SIZE): SubsetPlan {
  const total = binomial(n, k);
  if (total <= BigInt(exhaustiveLimit) || total <= BigInt(sampleSize))
    return { mode: 'all', total: total.toString(), checked: Number(total), subsets: allSubsets(n, k) };
  // Distinct subsets, so the number recorded is the number really checked.
  const seen = new Set<string>();
  const sample: number[][] = [];
  while (sample.length < sampleSize) {
    const s = randomSubset(rng, n, k);
    const id = s.join(',');
    if (!seen.has(id)) {
      seen.add(id);
      sample.push(s);
    }
  }
  return { mode: 'sample', total: total.toString(), checked: sample.length, subsets: sample };
}
