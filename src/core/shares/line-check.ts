/**
 * The check at the end of each line of a paper share (version 2): two symbols of the share
 * alphabet, a Reed-Solomon-style parity over GF(32) (the field GF(2)[x] / (x^5 + x^2 + 1), α = x):
 *
 *   C1 = Σ d_i · α^i      C2 = Σ d_i · α^(2i)      for i = 1 .. L  (L ≤ 30)
 *
 * where d_1 is the line number and d_2 .. d_L the line's characters, each as its value 0..31
 * in the alphabet. With the two checks, any change of at most two symbols of the line (data or
 * check) is detected: every single substitution and every swap of two neighbours, always,
 * where the hash check of version 1 let 1 in 1,024 through. This is an error-detecting code for
 * people's typos, not a cryptographic check; the record's digest and signature are that.
 *
 * Why two errors are always caught: one error e at i changes C1 by e·α^i ≠ 0. Errors e, f at
 * i ≠ j leave C1 unchanged only if f = e·α^(i-j), and then C2 changes by e·α^i·(α^i + α^j) ≠ 0,
 * since the powers α^1 .. α^30 are distinct. An error in a check symbol and one in the data are
 * caught by the other check.
 */
import { InputError } from '../errors';

/** α^k for k = 0..30 (α has order 31), and the logarithm of each non-zero element. */
const EXP = new Uint8Array(31);
const LOG = new Int8Array(32).fill(-1);
{
  let v = 1;
  for (let k = 0; k < 31; k++) {
    EXP[k] = v;
    LOG[v] = k;
    v <<= 1;
    if (v & 0b100000) v ^= 0b100101; // reduce by x^5 + x^2 + 1
  }
}

function mul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[(LOG[a]! + LOG[b]!) % 31]!;
}

/** The two check symbols (0..31 each) of `symbols` (values 0..31, at most 30 of them). */
export function lineCheckSymbols(symbols: readonly number[]): [number, number] {
  if (symbols.length < 1 || symbols.length > 30) throw new InputError('check.length', 'symbols', 'must be 1 to 30 symbols');
  let c1 = 0;
  let c2 = 0;
  symbols.forEach((d, k) => {
    if (!Number.isInteger(d) || d < 0 || d > 31) throw new InputError('check.symbol', `symbols[${k}]`, 'must be 0..31');
    const i = k + 1;
    c1 ^= mul(d, EXP[i % 31]!);
    c2 ^= mul(d, EXP[(2 * i) % 31]!);
  });
  return [c1, c2];
}
