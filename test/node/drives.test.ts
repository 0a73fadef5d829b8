/** Removable drives read from a sysfs and mounts tree of the test's own. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removableDrives } from '../../src/node/drives';

const root = mkdtempSync(join(tmpdir(), 'custos-drives-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const put = (p: string, text: string) => {
  mkdirSync(dirname(join(root, p)), { recursive: true });
  writeFileSync(join(root, p), text + '\n');
};

describe('removable drives', () => {
  it('lists the mounted partitions of removable devices only, with where they are mounted', () => {
    put('sys/block/sda/removable', '0'); // the workstation's own disk
    put('sys/block/sda/sda1/partition', '1');
    put('sys/block/sdb/removable', '1');
    put('sys/block/sdb/device/vendor', 'SanDisk');
    put('sys/block/sdb/device/model', 'Ultra');
    put('sys/block/sdb/sdb1/partition', '1');
    put('sys/block/sdb/sdb1/size', '2048');
    put('sys/block/sdb/sdb2/partition', '2'); // not mounted
    put('sys/block/sdc/removable', '1'); // no partition table, mounted whole
    put('sys/block/sdc/size', '4096');
    put('sys/block/sdd/removable', '1'); // not mounted at all
    put('proc/self/mounts', ['/dev/sda1 / ext4 rw 0 0', '/dev/sdb1 /media/alice\\040usb vfat rw 0 0', '/dev/sdc /media/card exfat rw 0 0', 'tmpfs /tmp tmpfs rw 0 0'].join('\n'));
    expect(removableDrives(root)).toEqual([
      { device: 'sdb', partition: 'sdb1', mountpoint: '/media/alice usb', model: 'SanDisk Ultra', sizeBytes: 2048 * 512 },
      { device: 'sdc', partition: 'sdc', mountpoint: '/media/card', sizeBytes: 4096 * 512 },
    ]);
  });
  it('is empty where there is no sysfs', () => {
    expect(removableDrives(join(root, 'nowhere'))).toEqual([]);
  });
});
