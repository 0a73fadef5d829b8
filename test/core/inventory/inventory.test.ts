import { describe, expect, it } from 'vitest';
import { addKey, changeState, createInventory, inventoryToText, openInventory, unwrapInventoryKey } from '../../../src/core/inventory/inventory';
import { seededRng } from '../../../src/core/crypto/random';
import { kcv } from '../../../src/core/crypto/kcv';
import { CustosError, PolicyError, VerifyError } from '../../../src/core/errors';
import { nativeProvider as provider } from '../../../src/node/native-provider';

const rng = seededRng('inventory');
const master = rng(32);
const other = rng(32);
const now = new Date('2026-11-28T12:00:00.000Z');

function sample() {
  let inv = createInventory(provider, master);
  const a = addKey({ provider, rng, now }, inv, master, { name: 'vsan-kek-1', usage: ['wrap-key', 'unwrap-key'], cryptoperiodDays: 730, state: 'active' });
  inv = a.inventory;
  const b = addKey({ provider, rng, now }, inv, master, { name: 'mongodb-kek', usage: ['wrap-key'], cryptoperiodDays: 365 });
  return { inv: b.inventory, a: a.key, b: b.key };
}

describe('sealed inventory', () => {
  it('stores keys wrapped under the master key; the right master unwraps them to their KCV', () => {
    const { inv, a, b } = sample();
    const text = inventoryToText(inv);
    expect(text).not.toContain(Buffer.from(master).toString('base64'));
    const opened = openInventory(provider, text, master);
    expect(opened.generation).toBe(2);
    expect(opened.masterKcv).toBe(kcv(provider, master));
    for (const k of [a, b]) expect(kcv(provider, unwrapInventoryKey(provider, opened, master, k.id, ['active', 'pre-active']))).toBe(k.kcv);
    expect(() => unwrapInventoryKey(provider, opened, master, b.id)).toThrowError(/mongodb-kek is pre-active; this operation takes active keys/);
    expect(() => unwrapInventoryKey(provider, opened, other, a.id)).toThrowError(/^inventory\.masterKeyId:/);
    expect(() => addKey({ provider, rng, now }, opened, other, { name: 'x', usage: ['mac'], cryptoperiodDays: 1 })).toThrowError(/^inventory\.masterKeyId:/);
    expect(() => openInventory(provider, text, master, { minGeneration: 3 })).toThrowError(/^inventory\.generation: is 2, older than generation 3/);
    expect(opened.keys.map((k) => k.state)).toEqual(['active', 'pre-active']);
  });
  it('another master key is refused by id before anything else; an altered byte fails the MAC or the parse', () => {
    const text = inventoryToText(sample().inv);
    expect(() => openInventory(provider, text, other)).toThrowError(/^inventory\.masterKeyId: belongs to master key/);
    for (let i = 0; i < text.length - 1; i += 5) {
      const t = text.slice(0, i) + (text[i] === '1' ? '2' : '1') + text.slice(i + 1);
      expect(() => openInventory(provider, t, master), `char ${i}`).toThrow(CustosError);
    }
  });
  it('follows the SP 800-57 lifecycle and drops the material of a destroyed key', () => {
    const { inv, a, b } = sample();
    expect(() => changeState(provider, inv, master, b.id, 'deactivated', 'test', now)).toThrowError(/^state: mongodb-kek cannot go from pre-active to deactivated \(allowed: active, compromised, destroyed\)/);
    let x = changeState(provider, inv, master, a.id, 'compromised', 'laptop lost', now);
    x = changeState(provider, x, master, a.id, 'destroyed', 'after compromise', now);
    const key = openInventory(provider, inventoryToText(x), master).keys.find((k) => k.id === a.id)!;
    expect(key.wrapped).toBeNull();
    expect(key.history.map((h) => h.to)).toEqual(['active', 'compromised', 'destroyed']);
    expect(() => unwrapInventoryKey(provider, x, master, a.id)).toThrow(PolicyError);
    expect(() => changeState(provider, x, master, a.id, 'active', 'undo', now)).toThrowError(/allowed: none/);
  });
  it('refuses a duplicate name, an unknown usage and a missing reason, naming them', () => {
    const { inv } = sample();
    expect(() => addKey({ provider, rng, now }, inv, master, { name: 'vsan-kek-1', usage: ['wrap-key'], cryptoperiodDays: 10 })).toThrowError(/^name: a key named "vsan-kek-1" already exists/);
    expect(() => addKey({ provider, rng, now }, inv, master, { name: 'k', usage: ['sign' as never], cryptoperiodDays: 10 })).toThrowError(/^usage: must list usages from/);
    expect(() => changeState(provider, inv, master, inv.keys[0]!.id, 'deactivated', ' ', now)).toThrowError(/^reason: must say why/);
  });
  it('each key field is parsed strictly and named', () => {
    const text = inventoryToText(sample().inv);
    expect(() => openInventory(provider, text.replace(/"kcv":"cmac-aes:[0-9a-f]{6}"/, '"kcv":"cmac-aes:xyz"'), master)).toThrowError(/^inventory\.keys\[0\]\.kcv: must be a KCV/);
    expect(() => openInventory(provider, text.replace('"length":256', '"length":128'), master)).toThrowError(/^inventory\.keys\[0\]\.algorithm: only AES-256/);
  });
  it('an unwrapped key that does not match its recorded KCV is refused', () => {
    const { inv } = sample();
    const forged = { ...inv, keys: inv.keys.map((k, i) => (i === 0 ? { ...k, kcv: 'cmac-aes:000000' as const } : k)) };
    expect(() => unwrapInventoryKey(provider, forged, master, inv.keys[0]!.id)).toThrow(VerifyError);
  });
});
