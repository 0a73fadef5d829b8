/**
 * Ceremony ports for the command line: outputs in the plan's output directory and the vault
 * in its own (src/node/medium.ts), the transcript appended line by line with fsync, the OS
 * clock and CSPRNG, the network interfaces, and answers from an answers file.
 */
import { documentFonts } from './fonts';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { InputError } from '../core/errors';
import type { CeremonyPorts, PlatformPorts } from '../core/ceremony/ports';
import type { Answers } from '../core/ceremony/answers';
import { MIN_IDENTITY_PASSPHRASE_CHARS } from '../core/roster/identity';
import { verifyReceipt } from '../kmip/receipt';
import type { Rng } from '../core/crypto/random';
import { nativeProvider } from './native-provider';
import { osRng, systemClock } from './platform';
import { readNetworkState } from './network';
import { appendLine, writeNewFile } from './durable';
import { directoryMedium, openRandomAccess, readInput } from './medium';
import { ask as terminalAsk } from './prompt';
import type { CheckedPlan } from './plan-check';
import { askShare } from './share-entry';

/** Where a plan's files are, for the platform half of the ports. */
export interface PlanMedia {
  outputDir: string;
  /** The medium for paper shares, when the plan makes them. */
  paperDir?: string;
  vaultDir: string;
  transcriptFile: string;
  planDir: string;
  appVersion: string;
  say(text: string): void;
  rng?: Rng;
}

/** The media of a checked plan: its outputs (the vault when it writes none), paper, vault, transcript. */
export function planMedia(c: CheckedPlan, appVersion: string, say: (text: string) => void): PlanMedia {
  return {
    outputDir: c.outputDir ?? c.vaultDir,
    ...(c.paperDir !== undefined && { paperDir: c.paperDir }),
    vaultDir: c.vaultDir,
    transcriptFile: c.transcriptFile,
    planDir: c.planDir,
    appVersion,
    say,
  };
}

/**
 * The platform half of the ceremony ports, the same for every face: the native crypto provider,
 * OS randomness and clock, the network interfaces, the plan's media as directories, inputs
 * relative to the plan, the transcript appended with fsync, receipts checked.
 */
export function platformPorts(opts: PlanMedia): PlatformPorts {
  return {
    provider: nativeProvider,
    rng: opts.rng ?? osRng,
    clock: systemClock,
    appVersion: opts.appVersion,
    network: readNetworkState,
    outputs: directoryMedium(opts.outputDir),
    ...(opts.paperDir !== undefined && { paper: directoryMedium(opts.paperDir) }),
    ...(opts.paperDir !== undefined && { fonts: documentFonts }),
    vault: directoryMedium(opts.vaultDir),
    input: (p, field) => readInput(path.resolve(opts.planDir, p), field),
    openInput: (p, field) => openRandomAccess(path.resolve(opts.planDir, p), field),
    transcript: {
      existing: () => (existsSync(opts.transcriptFile) ? readFileSync(opts.transcriptFile, 'utf8') : undefined),
      append: (line, first) => appendLine(opts.transcriptFile, line, { create: first }),
    },
    verifyReceipt,
    say: opts.say,
  };
}

export function cliPorts(
  opts: PlanMedia & {
    answers: Answers & { interactive?: boolean };
    answersDir: string;
    /** Who answers at the terminal (default: the person at /dev/tty). */
    ask?: typeof terminalAsk;
  },
): CeremonyPorts {
  const ask = opts.ask ?? terminalAsk;
  // An answer comes from the answers file (rehearsals) or, if there is none, from the person at the terminal.
  const need = <T>(v: T | undefined, field: string, ask?: () => T): T => {
    if (v !== undefined) return v;
    if (!opts.answers.interactive || !ask) throw new InputError('answers.missing', field, 'is not in the answers file');
    return ask();
  };
  const twice = (who: string, field: string) => () => {
    const a = ask(`${who}: choose the passphrase of your share file: `, field, true);
    if (ask(`${who}: type it again: `, field, true) !== a) throw new InputError('prompt.mismatch', field, 'the two passphrases differ');
    return a;
  };
  return {
    async unlock(id, purpose) {
      const a = need(opts.answers.identities[id], `answers.identities.${id}`, () => ({
        file: ask(`${id}: path of your identity file (to ${purpose}): `, `identity.${id}`, false),
        passphrase: ask(`${id}: identity passphrase (to ${purpose}): `, `identity.${id}`, true),
      }));
      // The engine opens it and checks it is the enrolled identity.
      return { file: readInput(path.resolve(opts.answersDir, a.file), `answers.identities.${id}.file`), passphrase: a.passphrase };
    },
    async review(approver, summary) {
      const text = `${approver}, read what you are asked to approve:\n  ${summary.title}\n${summary.lines.map((l) => `    ${l}\n`).join('')}`;
      if (!opts.answers.interactive) {
        opts.say(`${text}(approved from the answers file: a rehearsal)`);
        return true;
      }
      return ask(`${text}${approver}: type yes to approve exactly this (anything else declines): `, `approval.${approver}`, false).trim().toLowerCase() === 'yes';
    },
    async chooseIdentityPassphrase(id) {
      return need(opts.answers.identities[id]?.passphrase, `answers.identities.${id}.passphrase`, () => {
        const a = ask(`${id}: choose the passphrase of your identity (only you know it; at least ${MIN_IDENTITY_PASSPHRASE_CHARS} characters): `, `identity.${id}`, true);
        if (ask(`${id}: type it again: `, `identity.${id}`, true) !== a) throw new InputError('prompt.mismatch', `identity.${id}`, 'the two passphrases differ');
        return a;
      });
    },
    async saveIdentity(id, bytes) {
      const file = need(opts.answers.identities[id] && path.resolve(opts.answersDir, opts.answers.identities[id].file), `answers.identities.${id}.file`, () =>
        path.join(ask(`${id}: the folder on your own medium for your identity file: `, `identity.${id}`, false), `${id}.identity.age`),
      );
      return { location: file, sha256: writeNewFile(file, bytes) };
    },
    async choosePassphrase(c) {
      return need(opts.answers.sharePassphrases[c], `answers.sharePassphrases.${c}`, twice(c, `sharePassphrase.${c}`));
    },
    async reenterPassphrase(c) {
      return need(opts.answers.sharePassphrases[c], `answers.sharePassphrases.${c}`, () => ask(`${c}: type your share-file passphrase again: `, `sharePassphrase.${c}`, true));
    },
    async dice(c) {
      return need(opts.answers.dice[c], `answers.dice.${c}`, () => ask(`${c}: your dice rolls (digits 1-6): `, `dice.${c}`, false));
    },
    async shareFile(c) {
      const a = opts.answers.shares[c];
      if (a === undefined) {
        if (!opts.answers.interactive) throw new InputError('answers.missing', `answers.shares.${c}`, 'is not in the answers file');
        return askShare(nativeProvider, ask, c, opts.say);
      }
      const file = path.resolve(opts.answersDir, a.file);
      return { bytes: readInput(file, `answers.shares.${c}.file`), passphrase: a.passphrase, label: `share file ${path.basename(file)} of ${c}` };
    },
    ...platformPorts(opts),
    say: opts.say,
  };
}
