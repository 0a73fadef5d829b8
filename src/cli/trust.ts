/**
 * How a command is told which roster to trust. A roster file proves only that it is
 * self-consistent, so every door takes it pinned: `--roster-words` (the eight words written on
 * the paper signed at enrollment) or `--roster-sha256`, or on a key server `--trust PIN` (a pin
 * the administrator recorded once with `custos server trust`). A successor of the pinned roster
 * is trusted when its predecessors are given (`--previous-roster`, repeatable) and each link
 * is endorsed by a majority of the roster before it.
 */
import { InputError } from '../core/errors';
import { parseRosterWords, trustRoster, type RosterPin, type TrustedRoster } from '../core/roster/roster';
import { nativeProvider } from '../node/native-provider';
import { read } from './io';

export const PIN_OPTIONS = ['roster', 'roster-words', 'roster-sha256', 'previous-roster'];

/** The pin given on the command line, if any; a malformed one is an input error naming the option. */
export function pinFromOptions(opts: Map<string, string>): RosterPin | undefined {
  const words = opts.get('roster-words');
  const sha = opts.get('roster-sha256');
  if (words !== undefined && sha !== undefined) throw new InputError('cli.pin', '--roster-sha256', 'give the roster pin once: --roster-words or --roster-sha256, not both');
  if (words !== undefined) return { words: parseRosterWords(words, '--roster-words', 'cli.pin') };
  if (sha !== undefined) {
    if (!/^[0-9a-fA-F]{64}$/.test(sha)) throw new InputError('cli.pin', '--roster-sha256', 'must be the 64-hex-digit SHA-256 fingerprint of the roster');
    return { sha256: sha.toLowerCase() };
  }
  return undefined;
}

export const UNPINNED =
  'is not pinned, and a roster proves nothing by itself (anyone can make one): give --roster-words "the eight words written at enrollment" or --roster-sha256 HEX';

/** The roster in `file`, trusted through `pin` (from the command line, or a pin file), with the older rosters of `--previous-roster`. */
export function pinnedRoster(file: string, all: Map<string, string[]>, pin: RosterPin | undefined, how = UNPINNED): TrustedRoster {
  if (!pin) throw new InputError('roster.unpinned', '--roster', how);
  const previous = (all.get('previous-roster') ?? []).map((f) => read(f, '--previous-roster'));
  return trustRoster(nativeProvider, read(file, 'roster'), pin, previous);
}

/** What a bundle is checked against besides the roster: the options `verify bundle` and `print audit bundle` take. */
export const BUNDLE_PIN_OPTIONS = ['fingerprint', 'transport', 'transcript'];

/**
 * A bundle's pins from the command line: the transport key's fingerprint confirmed by phone, its
 * enrollment file (trusted only through that fingerprint, so never without it) and the export
 * ceremony's transcript.
 */
export function bundlePins(opts: Map<string, string>): { fingerprint?: string; transport?: string; transcript?: string } {
  const fingerprint = opts.get('fingerprint')?.trim().toLowerCase();
  if (opts.has('transport') && !fingerprint) throw new InputError('transport.unpinned', '--fingerprint', 'is needed with --transport: the enrollment file is trusted only through the fingerprint confirmed by phone');
  return { ...(fingerprint && { fingerprint }), ...(opts.has('transport') && { transport: opts.get('transport')! }), ...(opts.has('transcript') && { transcript: opts.get('transcript')! }) };
}
