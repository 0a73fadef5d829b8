/**
 * The vault as the app's home screen shows it: the rosters it keeps, the one pinned by the words
 * written at enrollment (typed once by the operator from the paper, never taken from the files),
 * its participants, and what the vault doctor finds: closed ceremonies and anything that blocks.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { fromUtf8 } from '../core/crypto/bytes';
import type { CryptoProvider } from '../core/crypto/provider';
import { InputError, isCustosError } from '../core/errors';
import { diagnoseVault } from '../core/ceremony/doctor';
import { verifyRoster, type VerifiedRoster } from '../core/roster/roster';
import { directoryMedium } from './medium';

export interface VaultView {
  path: string;
  /** Rosters the vault keeps (verified as self-consistent only). */
  rosters: number;
  pinned?: {
    organization: string;
    words: string[];
    fingerprint: string;
    rehearsal: boolean;
    participants: { id: string; name: string; roles: string[]; expires: string }[];
  };
  /** Set when words were pinned but no roster of this vault has them. */
  pinMissing?: boolean;
  closed: string[];
  findings: { file: string; status: string; why: string; todo: string }[];
  /** Why the ceremonies could not be read, if they could not. */
  problem?: string;
}

const WORDS = new Set(wordlist);

/** Eight words typed from the enrollment paper, normalized; an InputError names the field otherwise. */
export function pinWords(text: string, field = 'roster words'): string[] {
  const w = text.trim().toLowerCase().split(/\s+/);
  if (w.length !== 8 || !w.every((x) => WORDS.has(x))) throw new InputError('roster.pin', field, 'must be the eight fingerprint words of the roster, as written on the enrollment paper');
  return w;
}

function vaultRosters(provider: CryptoProvider, dir: string): VerifiedRoster[] {
  const out: VerifiedRoster[] = [];
  const medium = directoryMedium(dir);
  for (const name of readdirSync(dir)) {
    if (!/^roster-[0-9a-f]{64}\.json$/.test(name)) continue;
    try {
      out.push(verifyRoster(provider, fromUtf8(medium.read(name), name)));
    } catch {
      // not a roster this vault can use: the doctor reports the file
    }
  }
  return out;
}

/** The roster of this vault whose words are `words`; undefined if none. */
export function pinnedVaultRoster(provider: CryptoProvider, dir: string, words: string[]): VerifiedRoster | undefined {
  return vaultRosters(provider, dir).find((r) => r.words.join(' ') === words.join(' '));
}

export function vaultView(provider: CryptoProvider, dir: string, words: string[] | undefined): VaultView {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError('vault.missing', 'vault', `${dir} is not a folder (choose the vault again)`);
  const rosters = vaultRosters(provider, dir);
  const view: VaultView = { path: dir, rosters: rosters.length, closed: [], findings: [] };
  if (!words) return view;
  const r = rosters.find((x) => x.words.join(' ') === words.join(' '));
  if (!r) return { ...view, pinMissing: true };
  view.pinned = {
    organization: r.roster.organization,
    words: r.words,
    fingerprint: r.fingerprint,
    rehearsal: r.rehearsal,
    participants: r.roster.participants.map((p) => ({ id: p.id, name: p.name, roles: [...p.roles], expires: p.expires })),
  };
  try {
    const d = diagnoseVault(provider, directoryMedium(dir), r);
    view.closed = d.closed;
    view.findings = d.findings.map((f) => ({ file: f.file, status: f.status, why: f.why, todo: f.todo }));
  } catch (e) {
    if (!isCustosError(e)) throw e;
    view.problem = e.message;
  }
  return view;
}
