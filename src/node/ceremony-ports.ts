/**
 * Ceremony ports for the command line: outputs in the plan's directory (exclusive create,
 * fsync, read back), the transcript appended line by line with fsync, the OS clock and CSPRNG,
 * the network interfaces, and answers from an answers file.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../core/errors';
import type { CeremonyPorts } from '../core/ceremony/ports';
import type { Answers } from '../core/ceremony/answers';
import { openIdentity } from '../core/roster/identity';
import type { VerifiedRoster } from '../core/roster/roster';
import { fromHex } from '../core/crypto/bytes';
import type { Rng } from '../core/crypto/random';
import { nativeProvider } from './native-provider';
import { osRng, systemClock } from './platform';
import { readNetworkState } from './network';
import { appendLine, writeNewFile } from './durable';

export function cliPorts(opts: {
  outputDir: string;
  transcriptFile: string;
  answers: Answers;
  answersDir: string;
  roster: VerifiedRoster;
  appVersion: string;
  say(text: string): void;
  rng?: Rng;
}): CeremonyPorts {
  const need = <T>(v: T | undefined, field: string): T => {
    if (v === undefined) throw new InputError('answers.missing', field, 'is not in the answers file');
    return v;
  };
  return {
    provider: nativeProvider,
    rng: opts.rng ?? osRng,
    clock: systemClock,
    appVersion: opts.appVersion,
    network: readNetworkState,
    async unlock(id) {
      const a = need(opts.answers.identities[id], `answers.identities.${id}`);
      const file = path.resolve(opts.answersDir, a.file);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(file));
      } catch (e) {
        throw new InputError('identity.read', `answers.identities.${id}.file`, `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      }
      const p = opts.roster.participant(id);
      return openIdentity(nativeProvider, bytes, a.passphrase, p && { id, signingKey: fromHex(p.signingKey), ageRecipient: p.ageRecipient });
    },
    async choosePassphrase(c) {
      return need(opts.answers.sharePassphrases[c], `answers.sharePassphrases.${c}`);
    },
    async reenterPassphrase(c) {
      return need(opts.answers.sharePassphrases[c], `answers.sharePassphrases.${c}`);
    },
    async dice(c) {
      return need(opts.answers.dice[c], `answers.dice.${c}`);
    },
    outputs: {
      exists: (name) => existsSync(path.join(opts.outputDir, name)),
      write: (name, bytes) => writeNewFile(path.join(opts.outputDir, name), bytes),
      read: (name) => {
        try {
          return readFileSync(path.join(opts.outputDir, name)); // the Buffer itself, so the engine's wipe reaches it
        } catch (e) {
          throw new InputError('output.read', name, `cannot be read back (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
        }
      },
    },
    transcript: { append: (line, first) => appendLine(opts.transcriptFile, line, { create: first }) },
    say: opts.say,
  };
}
