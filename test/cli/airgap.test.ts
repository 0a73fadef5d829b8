/**
 * `airgap: strict` with a network interface up: `plan check` says so, and `custos run` refuses
 * before anyone is asked anything. The workstation's interfaces are replaced for this file only
 * (one wired interface up), so the result does not depend on the machine running the tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { custos, custosTyping, typing, workstation } from '../helpers/lifecycle';

vi.mock('node:os', async (original) => {
  const os = await original<typeof import('node:os')>();
  const up = { address: '10.20.30.40', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '10.20.30.40/24' } as const;
  const lo = { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' } as const;
  return { ...os, default: { ...os, networkInterfaces: () => ({ lo: [lo], enp0s31f6: [up] }) }, networkInterfaces: () => ({ lo: [lo], enp0s31f6: [up] }) };
});

const dir = mkdtempSync(join(tmpdir(), 'custos-airgap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let w: Awaited<ReturnType<typeof workstation>>;
beforeAll(async () => {
  w = await workstation(dir);
}, 60_000);

describe('airgap: strict with an interface up', () => {
  it('plan check names the interface; run refuses having asked nothing; airgap: warn goes on with a warning', async () => {
    const strict = w.plan('strict', 'generate', (t) => t.replace('airgap: warn', 'airgap: strict').replace('forms: [file, paper]', 'forms: [file]'));
    const check = await custos('plan', 'check', strict);
    expect(check).toMatchObject({ code: 1, err: expect.stringMatching(/enp0s31f6/) });
    const people = typing(dir, {});
    const run = await custosTyping(people, 'rehearse', strict);
    expect(run).toMatchObject({ code: 1, err: expect.stringMatching(/enp0s31f6/) });
    expect(people.asked).toEqual([]);
    const warn = await custos('plan', 'check', w.plan('warn', 'generate', (t) => t.replace('forms: [file, paper]', 'forms: [file]')), '--json');
    expect(warn.code, warn.err).toBe(0);
    expect(JSON.parse(warn.out).warnings).toEqual([expect.stringMatching(/enp0s31f6/)]);
  }, 60_000);
});
