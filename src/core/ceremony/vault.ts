/**
 * The vault: the workstation's data folder. It holds every ceremony transcript and the sealed
 * inventories, one file per generation (`inventory-<master key id>-<generation>.json`, never
 * overwritten). What the vault knows is read from its transcripts that are valid ceremonies
 * (`checkCeremonyTranscript`, the auditor's rule), never assumed; a file that is not one is
 * ignored and reported, so one person cannot change what the vault knows by dropping a file
 * into it. An interrupted ceremony (opened validly, not closed) counts only for the inventory
 * generations it wrote. Rehearsals and real ceremonies never share a vault: a real ceremony
 * tells a rehearsal only from a transcript that verifies, so an unsigned file blocks nothing.
 *  - share sets: issued by a closed generate, reshare or rotate ceremony (`shares.split`);
 *  - revocations: `shares.revoked` in a closed ceremony; a revoked set is refused afterwards;
 *  - retired master keys: `master.retired` in a closed rotate ceremony;
 *  - inventory generations: `inventory.written` with the file's SHA-256, so an older copy or a
 *    substituted file is refused before the master key is even used on it.
 */
import { isCustosError, PolicyError, VerifyError } from '../errors';
import { checkCeremonyTranscript } from './verify';
import { toHex } from '../crypto/bytes';
import type { CryptoProvider } from '../crypto/provider';
import { checkSuccession, verifyRoster, type VerifiedRoster } from '../roster/roster';
import { openInventory, inventoryToText, readInventoryUnsealed, type Inventory } from '../inventory/inventory';
import { verifyTranscript, type SignedEvent, type TranscriptReport } from '../transcript/transcript';
import type { Medium } from './ports';
import type { Session } from './session';

export interface ShareSet {
  setId: string;
  keyId: string;
  kcv: string;
  threshold: number;
  count: number;
  custodians: string[];
  /** Ed25519 public key (hex) that signed the share records. */
  signer: string;
  ceremony: string;
}

export interface InventoryRecord {
  masterKeyId: string;
  masterKcv: string;
  backupRecipient: string;
  generation: number;
  sha256: string;
  name: string;
}

export interface VaultState {
  transcripts: { name: string; report: TranscriptReport }[];
  /** Files that are not valid ceremonies, and why: ignored. */
  ignored: { name: string; reason: string; code: string }[];
  sets: Map<string, ShareSet>;
  revoked: Map<string, { ceremony: string; time: string }>;
  retired: Map<string, { ceremony: string; time: string }>;
  inventories: Map<string, InventoryRecord>;
}

export const inventoryName = (masterKeyId: string, generation: number) => `inventory-${masterKeyId}-${String(generation).padStart(6, '0')}.json`;
const str = (v: unknown) => (typeof v === 'string' ? v : '');

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);

/**
 * Whether a transcript's unlock is a real quorum of a set the vault knows: distinct custodians
 * of that set, at least its threshold, each with their own signed share step of that set. Only
 * then may the transcript revoke, retire, or (left unclosed) move the inventory on.
 */
function quorumBacked(state: VaultState, events: SignedEvent[]): boolean {
  const unlock = events.find((e) => e.type === 'quorum.unlocked');
  if (!unlock) return false;
  const set = state.sets.get(str(unlock.data.setId));
  const used = list(unlock.data.custodians);
  if (!set || set.keyId !== str(unlock.data.keyId) || new Set(used).size !== used.length || used.length < set.threshold) return false;
  return used.every((c) => set.custodians.includes(c) && events.some((e) => e.type === 'quorum.share' && e.actor === c && e.data.custodian === c && e.data.setId === set.setId));
}

/** The share sets a closed ceremony issued (the first pass: revocations refer to them). */
function absorbSets(state: VaultState, events: SignedEvent[], ceremony: string): void {
  for (const e of events) {
    if (e.type !== 'shares.split') continue;
    const d = e.data;
    state.sets.set(str(d.setId), {
      setId: str(d.setId),
      keyId: str(d.keyId),
      kcv: str(d.kcv),
      threshold: Number(d.threshold),
      count: Number(d.count),
      custodians: list(d.custodians),
      signer: str(d.signer),
      ceremony,
    });
  }
}

/**
 * Fold one transcript's events into the state. A closed ceremony's sets count; its revocations
 * and retirements count when its quorum was real (`quorumBacked`). Of an interrupted one, only
 * the inventory generations it wrote count, and only behind a real quorum, unless it is the
 * running ceremony's own earlier run (`own`), which the session verified as its own.
 */
export function absorb(state: VaultState, events: SignedEvent[], ceremony: string, closed: boolean, opts: { own?: boolean } = {}): void {
  if (closed) absorbSets(state, events, ceremony);
  const backed = quorumBacked(state, events);
  for (const e of events) {
    const d = e.data;
    if (e.type === 'inventory.written' && (closed || opts.own || backed)) {
      const rec = { masterKeyId: str(d.masterKeyId), masterKcv: str(d.masterKcv), backupRecipient: str(d.backupRecipient), generation: Number(d.generation), sha256: str(d.sha256), name: str(d.name) };
      const cur = state.inventories.get(rec.masterKeyId);
      if (!cur || rec.generation > cur.generation) state.inventories.set(rec.masterKeyId, rec);
    }
    if (!closed || !backed) continue;
    if (e.type === 'shares.revoked') state.revoked.set(str(d.setId), { ceremony, time: e.time });
    if (e.type === 'master.retired') state.retired.set(str(d.keyId), { ceremony, time: e.time });
  }
}

export function emptyVaultState(): VaultState {
  return { transcripts: [], ignored: [], sets: new Map(), revoked: new Map(), retired: new Map(), inventories: new Map() };
}

export interface VaultOptions {
  /** The running ceremony's own transcript, which is not read as part of the vault. */
  exclude?: string;
  /** Whether the running ceremony is a rehearsal: a vault holds rehearsals or real ceremonies, never both. */
  rehearsal?: boolean;
  /** Where an ignored file is reported (the ceremony's narration). */
  say?: (text: string) => void;
}

/** Where the enrollment ceremony keeps a roster in the vault, so later ceremonies can read the transcripts made under it. */
export const vaultRosterName = (fingerprint: string) => `roster-${fingerprint}.json`;
export const VAULT_ROSTER_RE = /^roster-[0-9a-f]{64}\.json$/;

/** Every roster the vault keeps that verifies (self-consistent only: trusted through a pin or a link, never by being there), by fingerprint. */
export function keptRosters(provider: CryptoProvider, vault: Medium): Map<string, VerifiedRoster> {
  const kept = new Map<string, VerifiedRoster>();
  for (const n of vault.list().filter((x) => VAULT_ROSTER_RE.test(x))) {
    try {
      const r = verifyRoster(provider, new TextDecoder().decode(vault.read(n)));
      kept.set(r.fingerprint, r);
    } catch (e) {
      if (!isCustosError(e)) throw e; // a damaged copy links nothing
    }
  }
  return kept;
}

/**
 * The rosters transcripts may be read under: `current`, and the earlier rosters kept in the
 * vault that `current` succeeds through endorsed renewals, by fingerprint. A roster file in
 * the vault is trusted only through that link, never by being there. Each file is verified once.
 */
function earlierRosters(provider: CryptoProvider, vault: Medium, current: VerifiedRoster): Map<string, VerifiedRoster> {
  const kept = keptRosters(provider, vault);
  const lineage = new Map([[current.fingerprint, current]]);
  for (let r = current, prev = r.roster.previous; prev !== undefined && !lineage.has(prev); prev = r.roster.previous) {
    const parent = kept.get(prev);
    if (!parent) break;
    try {
      checkSuccession(provider, r, parent);
    } catch (e) {
      if (!isCustosError(e)) throw e;
      break;
    }
    lineage.set(parent.fingerprint, parent);
    r = parent;
  }
  return lineage;
}

/** What a transcript's first line says of itself, unverified: only to choose the roster to verify it under, or for a rehearsal to keep out; never to trust. */
function opening(text: string): { kind?: unknown; rehearsal?: unknown; roster?: unknown } {
  try {
    const first = JSON.parse(text.slice(0, text.indexOf('\n'))) as { type?: unknown; data?: { kind?: unknown; rehearsal?: unknown; roster?: unknown } };
    return first.type === 'ceremony.open' && typeof first.data === 'object' && first.data !== null ? first.data : {};
  } catch {
    return {}; // not JSON: verified below, and ignored as damaged
  }
}

function mixedVault(name: string, rehearsal: boolean): never {
  throw new PolicyError(
    'vault.rehearsal',
    `vault/${name}`,
    rehearsal ? 'is a real ceremony: a rehearsal never runs in a real vault; give the rehearsal a vault of its own' : 'is a rehearsal: a real ceremony never runs in a rehearsal vault, nor trusts what a rehearsal made; choose the real vault',
  );
}

/** Verify every transcript in the vault (except the running ceremony's own) and fold what the valid ceremonies record. */
export function loadVaultState(provider: CryptoProvider, vault: Medium, roster: VerifiedRoster, opts: VaultOptions = {}): VaultState {
  const state = emptyVaultState();
  const ignore = (name: string, reason: string, code: string) => {
    state.ignored.push({ name, reason, code });
    opts.say?.(`Vault: ${name} is ignored: ${reason}`);
  };
  const rosters = earlierRosters(provider, vault, roster);
  const valid: { report: TranscriptReport; closed: boolean }[] = [];
  for (const name of vault.list().filter((n) => n.endsWith('.jsonl') && n !== opts.exclude)) {
    const text = new TextDecoder().decode(vault.read(name));
    const said = opening(text);
    // A rehearsal keeps out of any vault whose files even say they are real: it may not be able
    // to verify a real roster's transcripts, and it refuses rather than write beside them. A
    // real ceremony decides only from transcripts that verify (below): a file that merely says
    // it is a rehearsal is ignored like any other, so nobody blocks the real vault with one.
    if (opts.rehearsal === true && said.rehearsal === false) mixedVault(name, true);
    // Each ceremony is read under the roster it names: the current one, or an earlier one the
    // current roster succeeds through endorsed renewals (kept in the vault by the enrollment).
    const under = typeof said.roster === 'string' ? rosters.get(said.roster) : undefined;
    if (!under) {
      ignore(name, 'it names a roster that is neither the pinned one nor one the pinned roster succeeds', 'vault.roster');
      continue;
    }
    let report: TranscriptReport;
    try {
      report = verifyTranscript(provider, text, { publicKey: under.publicKey });
    } catch (e) {
      if (!isCustosError(e)) throw e;
      ignore(name, `it does not verify (${e.message})`, e.code);
      continue;
    }
    let closed: boolean;
    try {
      checkCeremonyTranscript(report, under);
      closed = true;
    } catch (e) {
      if (!(e instanceof VerifyError)) throw e;
      // Opened validly and interrupted (or aborted): only the inventory generations it wrote count.
      if (e.code !== 'transcript.unclosed' && e.code !== 'transcript.aborted') {
        ignore(name, `it is not a valid ceremony (${e.message})`, e.code);
        continue;
      }
      closed = false;
    }
    // Rehearsal or real, as a ceremony that verifies says of itself.
    if (opts.rehearsal !== undefined && (report.events[0]?.data.rehearsal === true) !== opts.rehearsal) mixedVault(name, opts.rehearsal);
    state.transcripts.push({ name, report });
    valid.push({ report, closed });
  }
  foldCeremonies(state, valid);
  return state;
}

/**
 * Fold what ceremonies that passed `checkCeremonyTranscript` record (closed) or, interrupted,
 * wrote: every set first, then what refers to sets, since files come in name order, not in time
 * order. The vault's rule, for any set of transcripts.
 */
export function foldCeremonies(state: VaultState, valid: { report: TranscriptReport; closed: boolean }[]): void {
  for (const v of valid) if (v.closed) absorbSets(state, v.report.events, v.report.ceremony);
  for (const v of valid) absorb(state, v.report.events, v.report.ceremony, v.closed);
}

/** The current inventory file of a master key: the latest recorded generation, with the SHA-256 the transcripts recorded. */
function recordedInventory(provider: CryptoProvider, vault: Medium, state: VaultState, masterKeyId: string): { rec: InventoryRecord; text: string } {
  const rec = state.inventories.get(masterKeyId);
  if (!rec) throw new PolicyError('vault.inventory', 'vault', `no transcript in the vault records an inventory of master key ${masterKeyId}`);
  if (!vault.exists(rec.name)) throw new VerifyError('vault.inventory', `vault/${rec.name}`, `is missing: generation ${rec.generation} is recorded in the transcripts`);
  const bytes = vault.read(rec.name);
  if (toHex(provider.sha256(bytes)) !== rec.sha256) throw new VerifyError('vault.inventory', `vault/${rec.name}`, 'is not the file the transcript recorded (its SHA-256 differs)');
  return { rec, text: new TextDecoder().decode(bytes) };
}

/** The current sealed inventory of a master key: the latest recorded generation, its hash, its MAC. */
export function loadInventory(provider: CryptoProvider, vault: Medium, state: VaultState, master: Uint8Array, masterKeyId: string): Inventory {
  const { rec, text } = recordedInventory(provider, vault, state, masterKeyId);
  return openInventory(provider, text, master, { minGeneration: rec.generation });
}

/**
 * What the current inventory of a master key holds (names, states, KCVs), before any quorum:
 * the file the transcripts recorded (SHA-256), strictly parsed; its MAC is checked when the
 * quorum's master key opens it (`loadInventory`).
 */
export function inventoryContents(provider: CryptoProvider, vault: Medium, state: VaultState, masterKeyId: string): Inventory {
  return readInventoryUnsealed(recordedInventory(provider, vault, state, masterKeyId).text);
}

/** An inventory file in the way of the next generation, which no valid ceremony recorded. */
export function orphanInventory(name: string): PolicyError {
  return new PolicyError(
    'vault.orphan',
    `vault/${name}`,
    `exists, and no valid ceremony of this vault records it (a run stopped before recording it, or the file was put there), so the next inventory generation cannot be written: custos vault doctor VAULT says more; move it aside with custos vault quarantine VAULT ${name} ...`,
  );
}

/** Write a new inventory generation to the vault and record it in the transcript. */
export function writeInventory(session: Session, state: VaultState, inv: Inventory): InventoryRecord {
  const name = inventoryName(inv.masterKeyId, inv.generation);
  if (session.ports.vault.exists(name)) throw orphanInventory(name);
  const sha256 = session.ports.vault.write(name, new TextEncoder().encode(inventoryToText(inv)));
  const rec = { masterKeyId: inv.masterKeyId, masterKcv: inv.masterKcv, backupRecipient: inv.backupRecipient, generation: inv.generation, sha256, name };
  session.append(session.operator, 'inventory.written', { ...rec, keys: inv.keys.length });
  state.inventories.set(inv.masterKeyId, rec);
  return rec;
}

/** The one master key a backup covers when the plan does not name it: the single one not retired. */
export function liveMasterKeys(state: VaultState): string[] {
  return [...state.inventories.keys()].filter((k) => !state.retired.has(k));
}
