/** In-memory ceremony ports for engine tests: files in a Map, answers from a table. */
import { createHash } from 'node:crypto';
import type { CeremonyPorts } from '../../src/core/ceremony/ports';
import type { NetworkState } from '../../src/core/ceremony/network';
import type { IdentitySecrets } from '../../src/core/roster/identity';
import type { Rng } from '../../src/core/crypto/random';
import { nativeProvider } from '../../src/node/native-provider';

export interface MemoryPorts extends CeremonyPorts {
  files: Map<string, Uint8Array>;
  transcriptText(): string;
  said: string[];
  unlocked: string[];
}

export function memoryPorts(opts: {
  ids: Map<string, IdentitySecrets>;
  rng: Rng;
  passphrases?: Record<string, string>;
  dice?: Record<string, string>;
  network?: NetworkState;
  /** Present someone else's identity when this participant is asked. */
  impostor?: { asked: string; presents: string };
}): MemoryPorts {
  const files = new Map<string, Uint8Array>();
  let transcript = '';
  const said: string[] = [];
  const unlocked: string[] = [];
  let t = Date.parse('2026-11-28T10:00:00.000Z');
  const copy = (s: IdentitySecrets): IdentitySecrets => ({ id: s.id, signingSeed: s.signingSeed.slice(), ageSecret: s.ageSecret.slice() });
  return {
    provider: nativeProvider,
    rng: opts.rng,
    clock: () => new Date((t += 1000)),
    appVersion: '0.1.0-test',
    network: () => opts.network ?? { interfaces: [{ name: 'lo', loopback: true, addresses: ['127.0.0.1'] }] },
    async unlock(id) {
      unlocked.push(id);
      const who = opts.impostor?.asked === id ? opts.impostor.presents : id;
      return copy(opts.ids.get(who)!);
    },
    async choosePassphrase(c) {
      return opts.passphrases?.[c] ?? `${c} passphrase for tests`;
    },
    async reenterPassphrase(c) {
      return opts.passphrases?.[c] ?? `${c} passphrase for tests`;
    },
    async dice(c) {
      return opts.dice?.[c] ?? '';
    },
    outputs: {
      exists: (n) => files.has(n),
      write(n, b) {
        if (files.has(n)) throw new Error(`test ports: ${n} exists`);
        files.set(n, b.slice());
        return createHash('sha256').update(b).digest('hex');
      },
      read(n) {
        const b = files.get(n);
        if (!b) throw new Error(`test ports: no ${n}`);
        return b.slice();
      },
    },
    transcript: {
      append(line, first) {
        if (first !== (transcript === '')) throw new Error('test ports: first flag wrong');
        transcript += line;
      },
    },
    say: (s) => void said.push(s),
    files,
    transcriptText: () => transcript,
    said,
    unlocked,
  };
}
