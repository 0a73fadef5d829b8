/**
 * The air-gap check. The workstation's network interfaces are recorded in the transcript at
 * the start of every ceremony; a plan with `airgap: strict` refuses to run while any
 * interface other than loopback has an address.
 */
import { PolicyError } from '../errors';

export interface NetworkInterfaceState {
  name: string;
  loopback: boolean;
  addresses: string[];
}

export interface NetworkState {
  interfaces: NetworkInterfaceState[];
}

export function liveInterfaces(n: NetworkState): NetworkInterfaceState[] {
  return n.interfaces.filter((i) => !i.loopback && i.addresses.length > 0);
}

/** A summary fit for the transcript: interface names and whether each is loopback (no addresses). */
export function networkRecord(n: NetworkState): { interfaces: { name: string; loopback: boolean; up: boolean }[]; offline: boolean } {
  return {
    interfaces: n.interfaces.map((i) => ({ name: i.name, loopback: i.loopback, up: i.addresses.length > 0 })),
    offline: liveInterfaces(n).length === 0,
  };
}

export function checkAirgap(n: NetworkState, mode: 'strict' | 'warn'): string | undefined {
  const live = liveInterfaces(n);
  if (live.length === 0) return undefined;
  const names = live.map((i) => i.name).join(', ');
  if (mode === 'strict') throw new PolicyError('policy.airgap', 'airgap', `the plan requires an air gap, but ${names} ${live.length > 1 ? 'are' : 'is'} up: disconnect and disable ${live.length > 1 ? 'them' : 'it'}`);
  return `network interface${live.length > 1 ? 's' : ''} ${names} up (plan allows: warn)`;
}
