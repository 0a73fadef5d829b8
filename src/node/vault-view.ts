/**
 * The vault as the app's home screen shows it: the rosters it keeps, the one pinned by the words
 * written at enrollment (typed once by the operator from the paper, never taken from the files),
 * its participants, and what the vault doctor finds: closed ceremonies and anything that blocks.
 */
import { existsSync, statSync } from 'node:fs';
import type { CryptoProvider } from '../core/crypto/provider';
import { InputError, isCustosError } from '../core/errors';
import { diagnoseVault } from '../core/ceremony/doctor';
import { keptRosters } from '../core/ceremony/vault';
import type { VerifiedRoster } from '../core/roster/roster';
import type { VaultView } from '../shared/ipc';
import { directoryMedium } from './medium';

const byWords = (rosters: Iterable<VerifiedRoster>, words: string[]) => [...rosters].find((r) => r.words.join(' ') === words.join(' '));

/** The roster of this vault whose words are `words`; undefined if none. */
export function pinnedVaultRoster(provider: CryptoProvider, dir: string, words: string[]): VerifiedRoster | undefined {
  return byWords(keptRosters(provider, directoryMedium(dir)).values(), words);
}

export function vaultView(provider: CryptoProvider, dir: string, words: string[] | undefined): VaultView {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError('vault.missing', 'vault', `${dir} is not a folder (choose the vault again)`);
  const medium = directoryMedium(dir);
  const rosters = keptRosters(provider, medium);
  const view: VaultView = { path: dir, rosters: rosters.size, closed: [], findings: [] };
  if (!words) return view;
  const r = byWords(rosters.values(), words);
  if (!r) return { ...view, pinMissing: true };
  view.pinned = {
    organization: r.roster.organization,
    words: r.words,
    fingerprint: r.fingerprint,
    rehearsal: r.rehearsal,
    participants: r.roster.participants.map((p) => ({ id: p.id, name: p.name, roles: [...p.roles], expires: p.expires })),
  };
  try {
    const d = diagnoseVault(provider, medium, r);
    view.closed = d.closed;
    view.findings = d.findings.map((f) => ({ file: f.file, status: f.status, why: f.why, todo: f.todo, ...(f.rehearsal && { rehearsal: true }) }));
  } catch (e) {
    if (!isCustosError(e)) throw e;
    view.problem = e.message;
  }
  return view;
}
