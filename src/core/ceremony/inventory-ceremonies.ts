/**
 * add-key and change-state: a quorum unlocks the master key; keys are generated inside the
 * sealed inventory, or moved along their SP 800-57 lifecycle; the new inventory generation is
 * written to the vault and every change recorded (key id, name, KCV, states; never material).
 */
import { PolicyError } from '../errors';
import { addKey, changeState, type Inventory } from '../inventory/inventory';
import type { PlanOf } from '../plan/schema';
import type { VerifiedRoster } from '../roster/roster';
import type { CeremonyPorts } from './ports';
import type { CeremonyOptions } from './generate';
import { quorumCeremony } from './quorum-ceremony';
import { writeInventory } from './vault';

export interface KeyFacts {
  id: string;
  name: string;
  kcv: string;
  state: string;
}

export async function runAddKey(ports: CeremonyPorts, plan: PlanOf<'add-key'>, roster: VerifiedRoster, opts: CeremonyOptions) {
  return quorumCeremony(ports, plan, roster, opts, { keys: plan.keys.map((k) => k.name) }, () => undefined, async ({ session, state, unlocked, inventory }) => {
    let inv: Inventory = inventory;
    const added: KeyFacts[] = [];
    const resumedWrite = session.done('inventory.written');
    for (const k of plan.keys) {
      const existing = inv.keys.find((x) => x.name === k.name && x.state !== 'destroyed');
      if (existing && resumedWrite) {
        added.push({ id: existing.id, name: existing.name, kcv: existing.kcv, state: existing.state });
        continue; // added by the interrupted run
      }
      const r = addKey({ provider: ports.provider, rng: ports.rng, now: ports.clock() }, inv, unlocked.master, k);
      inv = r.inventory;
      added.push({ id: r.key.id, name: r.key.name, kcv: r.key.kcv, state: r.key.state });
    }
    if (inv !== inventory) writeInventory(session, state, inv);
    for (const k of added)
      if (!session.done('key.added', (e) => e.data.id === k.id))
        session.append(session.operator, 'key.added', { ...k, usage: inv.keys.find((x) => x.id === k.id)!.usage, masterKeyId: unlocked.keyId, generation: inv.generation });
    ports.say(`Added ${added.map((k) => `${k.name} ${k.kcv}`).join(', ')}.`);
    return { keys: added, generation: inv.generation };
  });
}

export async function runChangeState(ports: CeremonyPorts, plan: PlanOf<'change-state'>, roster: VerifiedRoster, opts: CeremonyOptions) {
  return quorumCeremony(ports, plan, roster, opts, { changes: plan.changes.map((c) => ({ key: c.key, to: c.to })) }, () => undefined, async ({ session, state, unlocked, inventory }) => {
    let inv = inventory;
    const changed: { id: string; name: string; kcv: string; from: string; to: string; reason: string }[] = [];
    for (const c of plan.changes) {
      const key = inv.keys.find((k) => k.name === c.key);
      if (!key) throw new PolicyError('inventory.name', 'plan.changes', `no key named "${c.key}" in the inventory of master key ${unlocked.keyId}`);
      if (key.state === c.to && session.done('inventory.written')) continue; // done by the interrupted run
      const from = key.state;
      inv = changeState(ports.provider, inv, unlocked.master, key.id, c.to, c.reason, ports.clock());
      changed.push({ id: key.id, name: key.name, kcv: key.kcv, from, to: c.to, reason: c.reason });
    }
    if (inv !== inventory) writeInventory(session, state, inv);
    for (const k of changed) session.append(session.operator, 'key.state-changed', { ...k, generation: inv.generation });
    return { changed, generation: inv.generation };
  });
}
