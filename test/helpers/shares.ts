import { nativeProvider } from '../../src/node/native-provider';
import { seededRng } from '../../src/core/crypto/random';
import { splitMasterKey, type SplitResult } from '../../src/core/shares/split';

export const provider = nativeProvider;

export interface Fixture extends SplitResult {
  masterKey: Uint8Array;
  signerSeed: Uint8Array;
  signer: Uint8Array;
}

/** A deterministic M-of-N split for tests (the Shamir coefficients themselves are random). */
export async function makeShares(threshold: number, count: number, seed = 'fixture', opts: { rehearsal?: boolean } = {}): Promise<Fixture> {
  const rng = seededRng(seed);
  const masterKey = rng(32);
  const signerSeed = rng(32);
  const r = await splitMasterKey({ provider, rng }, { masterKey, threshold, count, signerSeed, ...opts });
  return { ...r, masterKey, signerSeed, signer: provider.ed25519PublicKey(signerSeed) };
}
