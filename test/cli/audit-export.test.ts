/**
 * `custos audit export`: every event of a vault's closed ceremonies for a SIEM, read back by an
 * independent parser (Python's standard library, test/helpers/siem_parse.py) in each format. The
 * records follow each transcript line for line: the hash of the line, the hash before it, the
 * head; a torn transcript is left out and named; nothing secret is written.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersYaml, custos, workstation } from '../helpers/lifecycle';
import { tool } from '../helpers/tools';

const CI = process.env.CI === 'true';
const has = tool('python3');
if (!has && CI) throw new Error('python3 is missing: the SIEM export is read back with Python (apt-get install -y python3)');
if (!has) console.warn('skipping the SIEM export tests: install python3');

const dir = mkdtempSync(join(tmpdir(), 'custos-siem-'));
const at = (...p: string[]) => join(dir, ...p);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let w: Awaited<ReturnType<typeof workstation>>;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

beforeAll(async () => {
  w = await workstation(dir);
  writeFileSync(at('answers.yaml'), answersYaml('out-generate'));
  for (const [name, kind, edit] of [
    ['generate', 'generate', (t: string) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]').replace('forms: [file, paper]', 'forms: [file]')],
    ['backup', 'backup', (t: string) => t],
  ] as const) {
    const r = await custos('rehearse', w.plan(name, kind, edit), '--answers', at('answers.yaml'), '--work-factor', '10');
    if (r.code !== 0) throw new Error(r.err);
  }
  // A transcript cut off mid-write: not a closed ceremony, so not exported.
  writeFileSync(at('vault', 'torn.jsonl'), readFileSync(at('vault', 'generate.jsonl'), 'utf8').slice(0, 300));
}, 180_000);

const pin = () => ['--roster', w.roster, '--roster-words', w.words];
const parse = (format: string, file: string) => {
  const r = spawnSync('python3', ['test/helpers/siem_parse.py', format, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Record<string, string | number>[];
};

describe.runIf(has)('the audit trail for a SIEM', () => {
  it.each(['jsonl', 'syslog', 'cef'])('%s: one record per event, each line hashed and chained to the head, read by an independent parser', async (format) => {
    const out = at(`audit.${format}`);
    const r = await custos('audit', 'export', at('vault'), ...pin(), '--format', format, '--out', out, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, ceremonies: 2, leftOut: ['torn.jsonl'], sha256: sha(readFileSync(out, 'utf8')) });
    const records = parse(format, out);
    let n = 0;
    for (const name of ['backup.jsonl', 'generate.jsonl']) {
      const lines = readFileSync(at('vault', name), 'utf8').split('\n').filter(Boolean);
      const ceremony = (JSON.parse(lines[0]!) as { ceremony: string }).ceremony;
      const mine = records.filter((x) => x.ceremony === ceremony);
      expect(mine.map((x) => x.seq)).toEqual(lines.map((_, i) => i));
      mine.forEach((x, i) => {
        const e = JSON.parse(lines[i]!) as { actor: string; type: string; prev: string };
        expect([x.actor, x.event, x.hash, x.prev, x.head]).toEqual([e.actor, e.type, sha(lines[i]!), e.prev, sha(lines.at(-1)!)]);
        if (i > 0) expect(x.prev).toBe(mine[i - 1]!.hash); // the SIEM sees the whole chain
      });
      n += lines.length;
    }
    expect(records).toHaveLength(n);
    // A key generated: its id and KCV travel with the event.
    const generated = records.find((x) => x.event === 'key.generated')!;
    const g = JSON.parse(readFileSync(at('vault', 'generate.jsonl'), 'utf8').split('\n').find((l) => l.includes('"key.generated"'))!) as { data: { keyId: string; kcv: string } };
    expect([generated.keyId, generated.kcv]).toEqual([g.data.keyId, g.data.kcv]);
    if (format === 'syslog') expect(records.every((x) => x.pri === 110 && x.msgid === x.event && !Number.isNaN(Date.parse(String(x.timestamp))))).toBe(true);
    if (format === 'cef') expect(records.every((x) => x.vendor === 'Custos' && x.severity === '3' && typeof x.rt === 'number')).toBe(true);
    // Never a secret: no passphrase of the answers file, no identity or share material.
    const text = readFileSync(out, 'utf8');
    expect(text).not.toMatch(/passphrase|AGE-SECRET-KEY|CUSTOS (?:REHEARSAL )?SHARE/);
  });

  it('--since keeps the events from that time; a bad format or an existing file is refused, nothing written', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const r = await custos('audit', 'export', at('vault'), ...pin(), '--format', 'jsonl', '--out', at('none.jsonl'), '--since', future, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ events: 0 });
    const bad = await custos('audit', 'export', at('vault'), ...pin(), '--format', 'xml', '--out', at('bad.xml'));
    expect([bad.code, bad.err]).toEqual([2, expect.stringMatching(/--format: must be one of: jsonl, syslog, cef/)]);
    expect(existsSync(at('bad.xml'))).toBe(false);
    writeFileSync(at('taken.jsonl'), 'kept\n');
    const taken = await custos('audit', 'export', at('vault'), ...pin(), '--format', 'jsonl', '--out', at('taken.jsonl'));
    expect(taken.code).not.toBe(0);
    expect(readFileSync(at('taken.jsonl'), 'utf8')).toBe('kept\n');
    const unpinned = await custos('audit', 'export', at('vault'), '--roster', w.roster, '--format', 'jsonl', '--out', at('u.jsonl'));
    expect([unpinned.code, existsSync(at('u.jsonl'))]).toEqual([2, false]);
    // A mistyped vault is not an empty one.
    const typo = await custos('audit', 'export', at('vualt'), ...pin(), '--format', 'jsonl', '--out', at('typo.jsonl'));
    expect([typo.code, typo.err, existsSync(at('typo.jsonl'))]).toEqual([2, expect.stringMatching(/^custos: VAULT: .*vualt is not a vault folder/), false]);
  });
});
