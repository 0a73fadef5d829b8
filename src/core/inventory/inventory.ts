/**
 * The sealed key inventory: the keys a master key protects (KEKs for key servers, escrow
 * keys), each wrapped under the master key with AES key wrap with padding (RFC 5649) and the
 * whole inventory authenticated with HMAC-SHA-256, both under keys derived from the master key
 * by HKDF. The master key itself is never stored: opening the inventory needs a quorum.
 *
 *   wrapKey = HKDF-SHA-256(master, salt = empty, info = "custos/inventory/v1/wrap", 32)
 *   macKey  = HKDF-SHA-256(master, salt = empty, info = "custos/inventory/v1/mac", 32)
 *   mac     = HMAC-SHA-256(macKey, "custos/inventory/v1" || 0x00 || canonical JSON without "mac")
 *
 * Lifecycle states and transitions follow NIST SP 800-57 Part 1 §7: pre-active, active,
 * deactivated, compromised, destroyed.
 */
import { base64 } from '@scure/base';
import { InputError, PolicyError, VerifyError } from '../errors';
import { assertBytes, concat, equalBytes, toHex, utf8, wipe } from '../crypto/bytes';
import { kcv as kcvOf, type KcvString } from '../crypto/kcv';
import { deriveKeyId } from '../crypto/key-id';
import type { CryptoProvider } from '../crypto/provider';
import type { Rng } from '../crypto/random';
import { canonicalJson, parseCanonicalJson } from '../transcript/canonical';
import { isUtcTime } from '../ids';
import { ageRecipientOf } from '../roster/identity';

export const STATES = ['pre-active', 'active', 'deactivated', 'compromised', 'destroyed'] as const;
export type KeyState = (typeof STATES)[number];
export const USAGES = ['wrap-key', 'unwrap-key', 'encrypt', 'decrypt', 'mac'] as const;
export type KeyUsage = (typeof USAGES)[number];

/** SP 800-57 Part 1 §7.2 (figure 3): the allowed transitions. */
const TRANSITIONS: Record<KeyState, KeyState[]> = {
  'pre-active': ['active', 'compromised', 'destroyed'],
  active: ['deactivated', 'compromised'],
  deactivated: ['compromised', 'destroyed'],
  compromised: ['destroyed'],
  destroyed: [],
};

export interface InventoryKey {
  id: string;
  name: string;
  algorithm: 'AES';
  length: 256;
  usage: KeyUsage[];
  state: KeyState;
  created: string;
  cryptoperiodDays: number;
  kcv: KcvString;
  /** RFC 5649 wrap under the inventory wrap key, base64; null once destroyed. */
  wrapped: string | null;
  history: { time: string; from: KeyState | null; to: KeyState; reason: string }[];
}

export interface Inventory {
  v: 1;
  kind: 'custos.inventory';
  masterKeyId: string;
  masterKcv: KcvString;
  /** age recipient that backups of this inventory are encrypted to; its identity is derived from the master key. */
  backupRecipient: string;
  generation: number;
  keys: InventoryKey[];
  mac: string;
}

const MAC_LABEL = utf8('custos/inventory/v1\0');
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$/;

function derived(provider: CryptoProvider, master: Uint8Array, what: 'wrap' | 'mac' | 'backup'): Uint8Array {
  assertBytes(master, 'masterKey', 32);
  return provider.hkdfSha256(master, new Uint8Array(0), utf8(`custos/inventory/v1/${what}`), 32);
}

function macOf(provider: CryptoProvider, master: Uint8Array, inv: Omit<Inventory, 'mac'>): string {
  const k = derived(provider, master, 'mac');
  try {
    return base64.encode(provider.hmacSha256(k, concat(MAC_LABEL, utf8(canonicalJson({ ...inv, mac: undefined }, 'inventory')))));
  } finally {
    wipe(k);
  }
}

/** The master key must be the inventory's own: re-sealing under another would lose every key. */
function checkMaster(provider: CryptoProvider, master: Uint8Array, inv: { masterKeyId: string; masterKcv: string }): void {
  if (inv.masterKeyId !== toHex(deriveKeyId(provider, master)))
    throw new VerifyError('inventory.master', 'inventory.masterKeyId', `belongs to master key ${inv.masterKeyId} (${inv.masterKcv}), not the key rebuilt here`);
}

function seal(provider: CryptoProvider, master: Uint8Array, inv: Omit<Inventory, 'mac'>): Inventory {
  checkMaster(provider, master, inv);
  return { ...inv, mac: macOf(provider, master, inv) };
}

/**
 * SECRET: the X25519 secret of the age identity backups are encrypted to,
 * HKDF-SHA-256(master, info = "custos/inventory/v1/backup"). Only a quorum can rebuild it.
 */
export function backupSecret(provider: CryptoProvider, master: Uint8Array): Uint8Array {
  return derived(provider, master, 'backup');
}

export function backupRecipientOf(provider: CryptoProvider, master: Uint8Array): string {
  const s = backupSecret(provider, master);
  try {
    return ageRecipientOf(s);
  } finally {
    wipe(s);
  }
}

/** The unsealed fields of an inventory of `master` at generation 0 with the given keys. */
function inventoryOf(provider: CryptoProvider, master: Uint8Array, keys: InventoryKey[]): Omit<Inventory, 'mac'> {
  return {
    v: 1,
    kind: 'custos.inventory',
    masterKeyId: toHex(deriveKeyId(provider, master)),
    masterKcv: kcvOf(provider, master),
    backupRecipient: backupRecipientOf(provider, master),
    generation: 0,
    keys,
  };
}

export function createInventory(provider: CryptoProvider, master: Uint8Array): Inventory {
  return seal(provider, master, inventoryOf(provider, master, []));
}

/** The same keys under another master key (rotation): every key unwrapped, checked and wrapped again. */
export function rewrapInventory(provider: CryptoProvider, inv: Inventory, oldMaster: Uint8Array, newMaster: Uint8Array): Inventory {
  checkMaster(provider, oldMaster, inv);
  const oldWrap = derived(provider, oldMaster, 'wrap');
  const newWrap = derived(provider, newMaster, 'wrap');
  try {
    const keys = inv.keys.map((k) => {
      if (k.wrapped === null) return k;
      const material = provider.aesKeyUnwrapPad(oldWrap, base64.decode(k.wrapped));
      try {
        if (kcvOf(provider, material) !== k.kcv) throw new VerifyError('inventory.kcv', `keys.${k.name}.kcv`, 'the unwrapped key does not have the recorded KCV');
        return { ...k, wrapped: base64.encode(provider.aesKeyWrapPad(newWrap, material)) };
      } finally {
        wipe(material);
      }
    });
    return seal(provider, newMaster, inventoryOf(provider, newMaster, keys));
  } finally {
    wipe(oldWrap, newWrap);
  }
}

/**
 * Open an inventory: strict parse, the right master key, an intact MAC, and (against rollback
 * to an older copy) at least `minGeneration`, the generation the last transcript recorded.
 */
export function openInventory(provider: CryptoProvider, text: string, master: Uint8Array, opts: { minGeneration?: number } = {}): Inventory {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new InputError('inventory.text', 'inventory', 'must be one line of canonical JSON ending in a newline');
  const inv = checkInventory(parseCanonicalJson(text.slice(0, -1), 'inventory'));
  checkMaster(provider, master, inv);
  const { mac, ...rest } = inv;
  if (!equalBytes(utf8(macOf(provider, master, rest)), utf8(mac))) throw new VerifyError('inventory.mac', 'inventory.mac', 'does not match: the inventory was altered');
  if (opts.minGeneration !== undefined && inv.generation < opts.minGeneration)
    throw new VerifyError('inventory.rollback', 'inventory.generation', `is ${inv.generation}, older than generation ${opts.minGeneration} recorded in the transcript: an old copy`);
  return inv;
}

/**
 * What an inventory holds (key names, states, KCVs: never material), read without the master
 * key: strictly parsed, its MAC not checked (that needs the master key). Only for a file whose
 * SHA-256 a verified transcript recorded, to refuse before a quorum what the quorum's inventory
 * would refuse after.
 */
export function readInventoryUnsealed(text: string): Inventory {
  if (typeof text !== 'string' || !text.endsWith('\n')) throw new InputError('inventory.text', 'inventory', 'must be one line of canonical JSON ending in a newline');
  return checkInventory(parseCanonicalJson(text.slice(0, -1), 'inventory'));
}

export function inventoryToText(inv: Inventory): string {
  return canonicalJson(inv, 'inventory') + '\n';
}

export interface NewKey {
  name: string;
  usage: KeyUsage[];
  cryptoperiodDays: number;
  state?: 'pre-active' | 'active';
}

/** A new key's name is free: no key of that name that is not destroyed. Readable without the master key (names are in the clear). */
export function checkNameFree(inv: Pick<Inventory, 'keys'>, name: string, field: string): void {
  if (inv.keys.some((x) => x.name === name && x.state !== 'destroyed')) throw new PolicyError('inventory.duplicate', field, `a key named "${name}" already exists`);
}

/** The state a key may move to from its own (NIST SP 800-57 transitions). */
export function checkTransition(key: { name: string; state: KeyState }, to: KeyState, field: string): void {
  if (!TRANSITIONS[key.state].includes(to))
    throw new PolicyError('inventory.transition', field, `${key.name} cannot go from ${key.state} to ${to} (allowed: ${TRANSITIONS[key.state].join(', ') || 'none'})`);
}

/** Generate a new AES-256 key inside the inventory. Returns the new inventory and the key's public facts. */
export function addKey(ctx: { provider: CryptoProvider; rng: Rng; now: Date }, inv: Inventory, master: Uint8Array, k: NewKey): { inventory: Inventory; key: InventoryKey } {
  const { provider, rng } = ctx;
  if (typeof k.name !== 'string' || !NAME_RE.test(k.name)) throw new InputError('inventory.name', 'name', 'must be 1 to 100 letters, digits, spaces, . _ -');
  checkNameFree(inv, k.name, 'name');
  if (!Array.isArray(k.usage) || k.usage.length === 0 || k.usage.some((u) => !(USAGES as readonly string[]).includes(u)))
    throw new InputError('inventory.usage', 'usage', `must list usages from: ${USAGES.join(', ')}`);
  if (!Number.isInteger(k.cryptoperiodDays) || k.cryptoperiodDays < 1 || k.cryptoperiodDays > 36500)
    throw new InputError('inventory.cryptoperiod', 'cryptoperiodDays', 'must be a whole number of days, 1 to 36500');
  const state = k.state ?? 'pre-active';
  const material = rng(32);
  const wrapKey = derived(provider, master, 'wrap');
  try {
    const key: InventoryKey = {
      id: toHex(rng(16)),
      name: k.name,
      algorithm: 'AES',
      length: 256,
      usage: [...new Set(k.usage)].sort(),
      state,
      created: ctx.now.toISOString(),
      cryptoperiodDays: k.cryptoperiodDays,
      kcv: kcvOf(provider, material),
      wrapped: base64.encode(provider.aesKeyWrapPad(wrapKey, material)),
      history: [{ time: ctx.now.toISOString(), from: null, to: state, reason: 'generated' }],
    };
    const { mac: _mac, ...rest } = inv;
    return { inventory: seal(provider, master, { ...rest, generation: inv.generation + 1, keys: [...inv.keys, key] }), key };
  } finally {
    wipe(material, wrapKey);
  }
}

/** Move a key to another lifecycle state (SP 800-57 transitions only). Destroying drops its wrapped material. */
export function changeState(provider: CryptoProvider, inv: Inventory, master: Uint8Array, id: string, to: KeyState, reason: string, now: Date): Inventory {
  const key = inv.keys.find((k) => k.id === id);
  if (!key) throw new InputError('inventory.id', 'id', `no key ${id} in this inventory`);
  if (!(STATES as readonly string[]).includes(to)) throw new InputError('inventory.state', 'state', `must be one of: ${STATES.join(', ')}`);
  checkTransition(key, to, 'state');
  if (typeof reason !== 'string' || reason.trim() === '' || reason.length > 500) throw new InputError('inventory.reason', 'reason', 'must say why, in 1 to 500 characters');
  const changed: InventoryKey = {
    ...key,
    state: to,
    wrapped: to === 'destroyed' ? null : key.wrapped,
    history: [...key.history, { time: now.toISOString(), from: key.state, to, reason }],
  };
  const { mac: _mac, ...rest } = inv;
  return seal(provider, master, { ...rest, generation: inv.generation + 1, keys: inv.keys.map((k) => (k.id === id ? changed : k)) });
}

/**
 * The plaintext key, checked against its KCV, if its state is one the caller allows (an export
 * takes active keys; a backup check may take more). SECRET: the caller wipes it.
 */
export function unwrapInventoryKey(provider: CryptoProvider, inv: Inventory, master: Uint8Array, id: string, allowed: KeyState[] = ['active']): Uint8Array {
  checkMaster(provider, master, inv);
  const key = inv.keys.find((k) => k.id === id);
  if (!key) throw new InputError('inventory.id', 'id', `no key ${id} in this inventory`);
  if (key.wrapped === null) throw new PolicyError('inventory.destroyed', id, `${key.name} was destroyed`);
  if (!allowed.includes(key.state)) throw new PolicyError('inventory.state', id, `${key.name} is ${key.state}; this operation takes ${allowed.join(' or ')} keys`);
  const wrapKey = derived(provider, master, 'wrap');
  try {
    const material = provider.aesKeyUnwrapPad(wrapKey, base64.decode(key.wrapped));
    if (kcvOf(provider, material) !== key.kcv) {
      wipe(material);
      throw new VerifyError('inventory.kcv', `keys.${key.name}.kcv`, 'the unwrapped key does not have the recorded KCV');
    }
    return material;
  } finally {
    wipe(wrapKey);
  }
}

function checkInventory(v: unknown): Inventory {
  const f = 'inventory';
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new InputError('inventory.shape', f, 'must be an object');
  const allowed = ['backupRecipient', 'generation', 'keys', 'kind', 'mac', 'masterKcv', 'masterKeyId', 'v'];
  for (const k of Object.keys(v)) if (!allowed.includes(k)) throw new InputError('inventory.unknown', `${f}.${k}`, 'is not a field of an inventory');
  const inv = v as Inventory;
  if (inv.v !== 1) throw new InputError('inventory.version', `${f}.v`, 'version must be 1');
  if (inv.kind !== 'custos.inventory') throw new InputError('inventory.kind', `${f}.kind`, 'must be "custos.inventory"');
  if (typeof inv.masterKeyId !== 'string' || !/^[0-9a-f]{32}$/.test(inv.masterKeyId)) throw new InputError('inventory.masterKeyId', `${f}.masterKeyId`, 'must be 32 hex digits');
  if (typeof inv.masterKcv !== 'string' || !/^cmac-aes:[0-9a-f]{6}$/.test(inv.masterKcv)) throw new InputError('inventory.masterKcv', `${f}.masterKcv`, 'must be a KCV');
  if (typeof inv.backupRecipient !== 'string' || !/^age1[02-9ac-hj-np-z]{58}$/.test(inv.backupRecipient)) throw new InputError('inventory.backupRecipient', `${f}.backupRecipient`, 'must be an age recipient');
  if (!Number.isSafeInteger(inv.generation) || inv.generation < 0) throw new InputError('inventory.generation', `${f}.generation`, 'must be a non-negative integer');
  if (!Array.isArray(inv.keys)) throw new InputError('inventory.keys', `${f}.keys`, 'must be a list');
  if (typeof inv.mac !== 'string') throw new InputError('inventory.mac', `${f}.mac`, 'is missing');
  const keyFields = ['algorithm', 'created', 'cryptoperiodDays', 'history', 'id', 'kcv', 'length', 'name', 'state', 'usage', 'wrapped'];
  inv.keys.forEach((k, i) => {
    const kf = `${f}.keys[${i}]`;
    if (typeof k !== 'object' || k === null) throw new InputError('inventory.key', kf, 'must be an object');
    for (const x of Object.keys(k)) if (!keyFields.includes(x)) throw new InputError('inventory.unknown', `${kf}.${x}`, 'is not a field of an inventory key');
    for (const x of keyFields) if (!(x in k)) throw new InputError('inventory.missing', `${kf}.${x}`, 'is missing');
    const bad = (x: string, why: string) => new InputError(`inventory.${x}`, `${kf}.${x}`, why);
    if (typeof k.id !== 'string' || !/^[0-9a-f]{32}$/.test(k.id)) throw bad('id', 'must be 32 hex digits');
    if (inv.keys.findIndex((o) => o.id === k.id) !== i) throw bad('id', 'is the id of another key');
    if (typeof k.name !== 'string' || !NAME_RE.test(k.name)) throw bad('name', 'must be 1 to 100 letters, digits, spaces, . _ -');
    if (k.algorithm !== 'AES' || k.length !== 256) throw bad('algorithm', 'only AES-256 keys are held');
    if (!Array.isArray(k.usage) || k.usage.length === 0 || k.usage.some((u) => !(USAGES as readonly string[]).includes(u))) throw bad('usage', `must list usages from: ${USAGES.join(', ')}`);
    if (!(STATES as readonly string[]).includes(k.state)) throw bad('state', 'is not a lifecycle state');
    if (!isUtcTime(k.created)) throw bad('created', 'must be a UTC time');
    if (!Number.isInteger(k.cryptoperiodDays) || k.cryptoperiodDays < 1 || k.cryptoperiodDays > 36500) throw bad('cryptoperiodDays', 'must be 1 to 36500 days');
    if (typeof k.kcv !== 'string' || !/^cmac-aes:[0-9a-f]{6}$/.test(k.kcv)) throw bad('kcv', 'must be a KCV');
    if ((k.state === 'destroyed') !== (k.wrapped === null)) throw bad('wrapped', 'must be null exactly when the key is destroyed');
    // RFC 5649 of a 32-byte key: 40 bytes, 56 base64 characters.
    if (k.wrapped !== null && (typeof k.wrapped !== 'string' || !/^[A-Za-z0-9+/]{54}==$/.test(k.wrapped))) throw bad('wrapped', 'must be the base64 of a 40-byte RFC 5649 wrap');
    if (!Array.isArray(k.history) || k.history.length === 0) throw bad('history', 'must record at least the key\'s generation');
  });
  return inv;
}
