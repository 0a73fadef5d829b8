/** Production randomness and clock for the core: the OS CSPRNG and the system clock. */
import { randomFillSync } from 'node:crypto';
import type { Clock, Rng } from '../core/crypto/random';

export const osRng: Rng = (n) => {
  if (!Number.isInteger(n) || n < 0 || n > 65536) throw new RangeError('rng: n must be an integer 0..65536');
  return randomFillSync(new Uint8Array(n));
};

export const systemClock: Clock = () => new Date();
