/** The SIEM formats' escaping, read back by the independent parser: values with the characters each format reserves survive whole. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { items } from '../../helpers/siem-items';
import { toCef, toJsonl, toSyslog, type AuditRecord } from '../../../src/core/audit/siem';
import { tool } from '../../helpers/tools';

const has = tool('python3');
if (!has && process.env.CI === 'true') throw new Error('python3 is missing (apt-get install -y python3)');
const dir = mkdtempSync(join(tmpdir(), 'custos-siem-unit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record: AuditRecord = {
  ceremony: 'ab'.repeat(16),
  kind: 'backup',
  name: 'Vault "Q1" | 2026 = done\\ok\n<110>1 2026-11-28T10:00:05.000Z forged',
  rehearsal: false,
  seq: 4,
  time: '2026-11-28T10:00:04.000Z',
  actor: 'oscar',
  event: 'backup.written',
  hash: 'cd'.repeat(32),
  prev: 'ef'.repeat(32),
  head: '01'.repeat(32),
  fields: { file: 'odd "name"] with \\ and = and | in it.custos-backup', masterKeyId: '23'.repeat(16), masterKcv: 'cmac-aes:a1b2c3' },
};

/** A bundle written: its keys and files as lists, one file's location holding every character the formats and the lists reserve. */
const listed: AuditRecord = {
  ...record,
  event: 'bundle.written',
  fields: {
    keys: [
      { id: '45'.repeat(16), name: 'kek a', kcv: 'cmac-aes:010203' },
      { id: '67'.repeat(16), name: 'kek-b', kcv: 'cmac-aes:040506' },
    ],
    files: [
      { name: 'a.share.age', sha256: '89'.repeat(32) },
      { name: 'a.share.pdf', sha256: 'ab'.repeat(32), medium: 'paper', location: '/media/odd, "cards"] = | \\ here' },
    ],
  },
};


describe.runIf(has)('SIEM escaping', () => {
  it.each([
    ['syslog', toSyslog([listed], { host: 'ws' }), ['keys.id', 'keys.name', 'keys.kcv', 'files.name', 'files.sha256', 'files.medium', 'files.location']],
    ['cef', toCef([listed], { appVersion: '0.1.0' }), ['keyId', 'keyName', 'kcv', 'fname', 'fileHash', 'fileType', 'filePath']],
  ])('%s carries lists whole, item by item, whatever an item holds', (format, text, names) => {
    const file = join(dir, `list.${format}`);
    writeFileSync(file, text);
    const r = spawnSync('python3', ['test/helpers/siem_parse.py', format, file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [x] = JSON.parse(r.stdout) as Record<string, unknown>[];
    const keys = listed.fields.keys as { id: string; name: string; kcv: string }[];
    const files = listed.fields.files as { name: string; sha256: string; medium?: string; location?: string }[];
    expect(names.map((n) => items(x![n]))).toEqual([keys.map((k) => k.id), keys.map((k) => k.name), keys.map((k) => k.kcv), files.map((f) => f.name), files.map((f) => f.sha256), ['', 'paper'], ['', files[1]!.location!]]);
    expect(text.split('\n')).toHaveLength(2);
  });


  it.each([
    ['jsonl', toJsonl([record])],
    ['syslog', toSyslog([record], { host: 'ws 1' })],
    ['cef', toCef([record], { appVersion: '0.1|0' })],
  ])('%s keeps reserved characters in values', (format, text) => {
    const file = join(dir, `x.${format}`);
    writeFileSync(file, text);
    const r = spawnSync('python3', ['test/helpers/siem_parse.py', format, file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const [x] = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(x).toMatchObject({ seq: 4, actor: 'oscar', event: 'backup.written', hash: record.hash, prev: record.prev, head: record.head });
    if (format !== 'cef') expect(x!.file).toBe(record.fields.file);
    expect(text.split('\n')).toHaveLength(2); // one record, one line
    if (format === 'cef') expect([x!.keyId, x!.kcv, x!.msg]).toEqual([record.fields.masterKeyId, 'cmac-aes:a1b2c3', 'oscar backup.written in backup ceremony "Vault "Q1" | 2026 = done\\ok\n<110>1 2026-11-28T10:00:05.000Z forged"']);
  });
});
