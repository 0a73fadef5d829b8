/** In-memory ceremony ports for engine tests: files in a Map, answers from a table. */
import { documentFonts } from '../../src/node/fonts';
import { createHash } from 'node:crypto';
import type { CeremonyPorts, Medium, RandomAccess } from '../../src/core/ceremony/ports';
import type { NetworkState } from '../../src/core/ceremony/network';
import { sealIdentity, type IdentitySecrets } from '../../src/core/roster/identity';
import type { Rng } from '../../src/core/crypto/random';
import { nativeProvider } from '../../src/node/native-provider';
import { osRng } from '../../src/node/platform';

export interface MemoryPorts extends CeremonyPorts {
  files: Map<string, Uint8Array>;
  paperFiles: Map<string, Uint8Array>;
  /** Identity files saved by an enrollment, by participant. */
  identities: Map<string, Uint8Array>;
  /** What each approver was shown, in order. */
  reviewed: { approver: string; title: string; lines: string[] }[];
  vaultFiles: Map<string, Uint8Array>;
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
  inputs?: Map<string, Uint8Array>;
  shareFiles?: Map<string, Uint8Array>;
  /** This approver says no when shown the summary. */
  decline?: string;
}): MemoryPorts {
  const files = new Map<string, Uint8Array>();
  const paperFiles = new Map<string, Uint8Array>();
  const vault = new Map<string, Uint8Array>();
  let transcript = '';
  const said: string[] = [];
  const unlocked: string[] = [];
  const identities = new Map<string, Uint8Array>();
  const sealed = new Map<string, Uint8Array>();
  const reviewed: { approver: string; title: string; lines: string[] }[] = [];
  let t = Date.parse('2026-11-28T10:00:00.000Z');
  return {
    provider: nativeProvider,
    rng: opts.rng,
    clock: () => new Date((t += 1000)),
    appVersion: '0.1.0-test',
    network: () => opts.network ?? { interfaces: [{ name: 'lo', loopback: true, addresses: ['127.0.0.1'] }] },
    async unlock(id) {
      unlocked.push(id);
      const who = opts.impostor?.asked === id ? opts.impostor.presents : id;
      const known = opts.ids.get(who);
      if (known) {
        // A known identity is presented as a file sealed to its passphrase (at a test work factor), as a person would.
        const passphrase = `${who} identity passphrase`;
        if (!sealed.has(who)) sealed.set(who, await sealIdentity({ provider: nativeProvider, rng: osRng }, known, passphrase, 10));
        return { file: sealed.get(who)!.slice(), passphrase };
      }
      const saved = identities.get(who); // made by an enrollment in these ports
      if (!saved) throw new Error(`test ports: no identity for ${who}`);
      return { file: saved.slice(), passphrase: opts.passphrases?.[who] ?? `${who} identity passphrase` };
    },
    async review(approver, summary) {
      reviewed.push({ approver, ...summary });
      return opts.decline !== approver;
    },
    async chooseIdentityPassphrase(id) {
      return opts.passphrases?.[id] ?? `${id} identity passphrase`;
    },
    async saveIdentity(id, bytes) {
      if (identities.has(id)) throw new Error(`test ports: ${id}'s identity exists`);
      identities.set(id, bytes.slice());
      return { location: `memory:${id}.identity.age`, sha256: createHash('sha256').update(bytes).digest('hex') };
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
    outputs: memoryMedium(files, 'memory:outputs'),
    paper: memoryMedium(paperFiles, 'memory:paper'),
    fonts: documentFonts,
    vault: memoryMedium(vault, 'memory:vault'),
    input: (p) => {
      const b = opts.inputs?.get(p);
      if (!b) throw new Error(`test ports: no input ${p}`);
      return b.slice();
    },
    openInput: () => {
      throw new Error('test ports: no random-access inputs');
    },
    async shareFile(c) {
      const b = opts.shareFiles?.get(c);
      if (!b) throw new Error(`test ports: no share file for ${c}`);
      return { bytes: b.slice(), passphrase: opts.passphrases?.[c] ?? `${c} passphrase for tests`, label: `${c}.share.age` };
    },
    transcript: {
      existing: () => (transcript === '' ? undefined : transcript),
      append(line, first) {
        if (first !== (transcript === '')) throw new Error('test ports: first flag wrong');
        transcript += line;
      },
    },
    verifyReceipt: () => {
      throw new Error('test ports: no receipts');
    },
    say: (s) => void said.push(s),
    files,
    paperFiles,
    identities,
    reviewed,
    vaultFiles: vault,
    transcriptText: () => transcript,
    said,
    unlocked,
  };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A directory in a Map: exclusive create, partial files invisible until committed. */
export function memoryMedium(files: Map<string, Uint8Array>, location = 'memory'): Medium {
  const get = (n: string) => {
    const b = files.get(n);
    if (!b) throw new Error(`test medium: no ${n}`);
    return b;
  };
  const randomAccess = (b: Uint8Array): RandomAccess => ({
    size: b.length,
    read: (o, l) => b.slice(o, o + l),
    *chunks(o, l, c) {
      for (let x = 0; x < l; x += c) yield b.slice(o + x, o + Math.min(l, x + c));
    },
    sha256: (l) => sha(b.subarray(0, l)),
    close() {},
  });
  return {
    location,
    exists: (n) => files.has(n),
    write(n, b) {
      if (files.has(n)) throw new Error(`test medium: ${n} exists`);
      files.set(n, b.slice());
      return sha(b);
    },
    read: (n) => get(n).slice(),
    list: () => [...files.keys()].sort(),
    size: (n) => get(n).length,
    *chunks(n, c) {
      const b = get(n);
      for (let x = 0; x < b.length; x += c) yield b.slice(x, x + c);
    },
    create(n) {
      if (files.has(n)) throw new Error(`test medium: ${n} exists`);
      const parts: Uint8Array[] = [];
      const h = createHash('sha256');
      return {
        write(b) {
          parts.push(b.slice());
          h.update(b);
        },
        digest: () => h.copy().digest('hex'),
        commit() {
          if (files.has(n)) throw new Error(`test medium: ${n} exists`);
          files.set(n, Buffer.concat(parts));
          return h.digest('hex');
        },
        abort() {
          parts.length = 0;
        },
      };
    },
    sha256: (n) => sha(get(n)),
    open: (n) => randomAccess(get(n)),
  };
}
