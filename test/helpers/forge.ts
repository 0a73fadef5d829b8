/**
 * Transcripts the engine would never write, as a person could write and sign them on their own
 * with the keys they hold: for the tests that show the auditor refuses them, the vault ignores
 * them, and no door takes them as evidence.
 */
import { seededRng } from '../../src/core/crypto/random';
import type { Json } from '../../src/core/transcript/canonical';
import { ATTEST, newChain, signEvent, type ChainState } from '../../src/core/transcript/transcript';
import { nativeProvider as provider } from '../../src/node/native-provider';

export type Data = { [k: string]: Json };
/** One event: who signs it, its type, its data. */
export type Step = [actor: string, type: string, data: Data];
/** The signing keys at hand, by participant id. */
export type Signers = ReadonlyMap<string, { signingSeed: Uint8Array }>;

/** A transcript written event by event, each signed by its actor, one second apart from `start`; its ceremony id comes from `seed`. */
export function transcriptWriter(signers: Signers, seed: string, start: string) {
  let chain: ChainState = newChain(seededRng(seed));
  let t = Date.parse(start);
  let text = '';
  const add = (actor: string, type: string, data: Data) => {
    const key = signers.get(actor);
    if (!key) throw new Error(`no signing key for ${actor}`);
    const r = signEvent({ provider, clock: () => new Date((t += 1000)) }, chain, { actor, signerSeed: key.signingSeed, type, data });
    text += r.line;
    chain = r.state;
  };
  return {
    add,
    /** The closing: each of `actors` attests the head as it stands. */
    attest(actors: string[]) {
      const head = chain.head;
      for (const a of actors) add(a, ATTEST, { head });
    },
    get ceremony() {
      return chain.ceremony;
    },
    get head() {
      return chain.head;
    },
    get text() {
      return text;
    },
  };
}

/**
 * `opener` opens under `roster` with `openData` (a rehearsal unless `rehearsal` says otherwise),
 * the `steps` follow, then `attesters` attest; the first event a second after `start`.
 */
export function forged(signers: Signers, roster: string, opener: string, openData: Data, steps: Step[], attesters: string[], opts: { start?: string; rehearsal?: boolean } = {}): string {
  const w = transcriptWriter(signers, `forged ${opener} ${JSON.stringify(openData)}`, opts.start ?? '2026-11-28T12:00:00.000Z');
  w.add(opener, 'ceremony.open', { name: 'forged', roster, rehearsal: opts.rehearsal ?? true, ...openData });
  for (const [a, type, d] of steps) w.add(a, type, d);
  w.attest(attesters);
  return w.text;
}
