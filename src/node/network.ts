/** The workstation's network interfaces, read from the OS (no request is made). */
import { networkInterfaces } from 'node:os';
import type { NetworkState } from '../core/ceremony/network';

export function readNetworkState(): NetworkState {
  const ifs = networkInterfaces();
  return {
    interfaces: Object.entries(ifs)
      .map(([name, addrs]) => ({
        name,
        loopback: (addrs ?? []).every((a) => a.internal),
        addresses: (addrs ?? []).map((a) => a.address),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}
