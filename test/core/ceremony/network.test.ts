import { describe, expect, it } from 'vitest';
import { checkAirgap, networkRecord } from '../../../src/core/ceremony/network';
import { PolicyError } from '../../../src/core/errors';
import { readNetworkState } from '../../../src/node/network';

const lo = { name: 'lo', loopback: true, addresses: ['127.0.0.1', '::1'] };
const eth = { name: 'eth0', loopback: false, addresses: ['10.0.0.5'] };
const down = { name: 'wlan0', loopback: false, addresses: [] };

describe('air gap', () => {
  it('strict refuses a live interface, naming it; loopback and down interfaces are fine', () => {
    expect(checkAirgap({ interfaces: [lo, down] }, 'strict')).toBeUndefined();
    expect(() => checkAirgap({ interfaces: [lo, eth] }, 'strict')).toThrow(PolicyError);
    expect(() => checkAirgap({ interfaces: [lo, eth] }, 'strict')).toThrowError(/^airgap: the plan requires an air gap, but eth0 is up/);
    expect(checkAirgap({ interfaces: [lo, eth] }, 'warn')).toMatch(/eth0 up/);
  });
  it('the transcript record names interfaces without their addresses', () => {
    const r = networkRecord({ interfaces: [lo, eth, down] });
    expect(r).toEqual({ offline: false, interfaces: [{ name: 'lo', loopback: true, up: true }, { name: 'eth0', loopback: false, up: true }, { name: 'wlan0', loopback: false, up: false }] });
    expect(JSON.stringify(r)).not.toContain('10.0.0.5');
  });
  it('reads this machine: loopback is found and marked', () => {
    const n = readNetworkState();
    expect(n.interfaces.some((i) => i.loopback)).toBe(true);
  });
});
