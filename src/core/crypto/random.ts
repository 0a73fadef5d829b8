/**
 * Randomness and time are injected into the core: production passes the OS CSPRNG and the
 * system clock (src/node/platform.ts), tests pass deterministic ones.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { concat, utf8 } from './bytes';

export type Rng = (n: number) => Uint8Array;
export type Clock = () => Date;

/**
 * A deterministic generator for tests and rehearsals ONLY: SHA-256 in counter mode over a
 * seed. It carries `deterministic: true` so production code can refuse it for real keys.
 */
export function seededRng(seed: string): Rng & { readonly deterministic: true } {
  const s = utf8(`custos/test-rng/v1:${seed}`);
  let counter = 0;
  let pool: Uint8Array = new Uint8Array(0);
  const rng = (n: number): Uint8Array => {
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      if (pool.length === 0) {
        const c = new Uint8Array(8);
        new DataView(c.buffer).setBigUint64(0, BigInt(counter++));
        pool = sha256(concat(s, c));
      }
      const take = Math.min(pool.length, n - o);
      out.set(pool.subarray(0, take), o);
      pool = pool.subarray(take);
      o += take;
    }
    return out;
  };
  return Object.assign(rng, { deterministic: true as const });
}

export function isDeterministic(rng: Rng): boolean {
  return (rng as { deterministic?: unknown }).deterministic === true;
}
