/**
 * The removable drives mounted on this workstation (Linux): the block devices the kernel marks
 * removable (/sys/block/<dev>/removable), their partitions, and where each is mounted
 * (/proc/self/mounts). Where each output goes is chosen among these; nothing is written to a
 * drive the operator did not choose. `root` lets the tests give a tree of their own.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export interface RemovableDrive {
  /** The block device, e.g. sdb. */
  device: string;
  /** The partition mounted, e.g. sdb1 (the device itself when it has no partitions). */
  partition: string;
  mountpoint: string;
  /** Vendor and model as the kernel reports them, when it does. */
  model?: string;
  sizeBytes: number;
}

const read = (f: string): string | undefined => {
  try {
    return readFileSync(f, 'utf8').trim();
  } catch {
    return undefined;
  }
};

/** A mount path as /proc/mounts writes it: spaces and tabs as octal escapes. */
const unescapeMount = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));

export function removableDrives(root = '/'): RemovableDrive[] {
  const block = path.join(root, 'sys', 'block');
  if (!existsSync(block)) return [];
  const mounts = new Map<string, string>();
  for (const line of (read(path.join(root, 'proc', 'self', 'mounts')) ?? '').split('\n')) {
    const [source, target] = line.split(' ');
    if (source?.startsWith('/dev/') && target && !mounts.has(source.slice(5))) mounts.set(source.slice(5), unescapeMount(target));
  }
  const drives: RemovableDrive[] = [];
  for (const device of readdirSync(block).sort()) {
    if (read(path.join(block, device, 'removable')) !== '1') continue;
    const model = [read(path.join(block, device, 'device', 'vendor')), read(path.join(block, device, 'device', 'model'))].filter(Boolean).join(' ') || undefined;
    const partitions = readdirSync(path.join(block, device)).filter((n) => n.startsWith(device) && existsSync(path.join(block, device, n, 'partition')));
    for (const partition of partitions.length ? partitions.sort() : [device]) {
      const mountpoint = mounts.get(partition);
      if (!mountpoint) continue;
      const sectors = Number(read(path.join(block, device, ...(partition === device ? [] : [partition]), 'size')) ?? 0);
      drives.push({ device, partition, mountpoint, ...(model && { model }), sizeBytes: sectors * 512 });
    }
  }
  return drives;
}
