/**
 * `custos audit export`: every event of a vault's closed ceremonies for a SIEM, read back by an
 * independent parser (Python's standard library, test/helpers/siem_parse.py) in each format. The
 * records follow each transcript line for line: the hash of the line, the hash before it, the
 * head; the keys a bundle or an escrow carries (ids, names, KCVs) and where each share went travel
 * in every format; a torn transcript is left out and named; nothing secret is written.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { items } from '../helpers/siem-items';
import { answersYaml, custos, workstation } from '../helpers/lifecycle';
import { tool } from '../helpers/tools';
import { scratchDir } from '../helpers/scratch';

const CI = process.env.CI === 'true';
const has = tool('python3');
if (!has && CI) throw new Error('python3 is missing: the SIEM export is read back with Python (apt-get install -y python3)');
if (!has) console.warn('skipping the SIEM export tests: install python3');

const dir = scratchDir('custos-siem-'); // it holds a paper medium: never a temporary folder
const at = (...p: string[]) => join(dir, ...p);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let w: Awaited<ReturnType<typeof workstation>>;
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** The plans run, in order: a generate whose cards go to a paper medium, two keys added, a bundle, an escrow, a backup. */
const CEREMONIES = ['generate', 'add-key', 'export', 'escrow', 'backup'];

beforeAll(async () => {
  w = await workstation(dir);
  writeFileSync(at('answers.yaml'), answersYaml('out-generate', ['alice', 'bob']));
  const { parseTransportKey } = await import('../../src/core/documents/transport');
  const { nativeProvider } = await import('../../src/node/native-provider');
  const fingerprint = parseTransportKey(nativeProvider, readFileSync(at('kms.transport.json'), 'utf8')).fingerprint;
  const keys = (t: string) => t.replace('keys: ["vsphere-kek-2026"]', 'keys: [kek-a, kek-b]');
  for (const [name, kind, edit] of [
    ['generate', 'generate', (t: string) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]')],
    ['add-key', 'add-key', (t: string) => t.replace(/keys:\n {2}- name: "vsphere-kek-2026"[\s\S]*?# default pre-active; or active\n/, 'keys:\n  - { name: kek-a, usage: [wrap-key, unwrap-key], cryptoperiodDays: 365, state: active }\n  - { name: kek-b, usage: [wrap-key, unwrap-key], cryptoperiodDays: 365, state: active }\n')],
    ['export', 'export-bundle', (t: string) => keys(t).replace('file: kms-prod-1.transport.json', 'file: kms.transport.json').replace('"REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"', `"${fingerprint}"`)],
    ['escrow', 'escrow', (t: string) => keys(t).replace(`"REPLACE WITH THE AGENT'S age1... RECIPIENT"`, `"${w.agentRecipient}"`)],
    ['backup', 'backup', (t: string) => t],
  ] as const) {
    const r = await custos('rehearse', w.plan(name, kind, (t) => edit(t).replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]')), '--answers', at('answers.yaml'), '--work-factor', '10');
    if (r.code !== 0) throw new Error(r.err);
  }
  // A transcript cut off mid-write: not a closed ceremony, so not exported.
  writeFileSync(at('vault', 'torn.jsonl'), readFileSync(at('vault', 'generate.jsonl'), 'utf8').slice(0, 300));
}, 300_000);

const pin = () => ['--roster', w.roster, '--roster-words', w.words];
const parse = (format: string, file: string) => {
  const r = spawnSync('python3', ['test/helpers/siem_parse.py', format, file], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
};
type Line = { ceremony: string; seq: number; time: string; actor: string; type: string; prev: string; data: Record<string, unknown> };
const lines = (name: string) => readFileSync(at('vault', name), 'utf8').split('\n').filter(Boolean);
const event = (name: string, type: string) => lines(name).map((l) => JSON.parse(l) as Line).filter((e) => e.type === type);

/** The keys an exported record names, as [id, name, KCV], read the way each format carries them. */
function keysOf(format: string, x: Record<string, unknown>): string[][] {
  if (format === 'jsonl') return (x.keys as { id: string; name: string; kcv: string }[]).map((k) => [k.id, k.name, k.kcv]);
  const [ids, names, kcvs] = (format === 'syslog' ? ['keys.id', 'keys.name', 'keys.kcv'] : ['keyId', 'keyName', 'kcv']).map((k) => items(x[k]));
  return ids!.map((id, i) => [id, names![i]!, kcvs![i]!]);
}
/** The files an exported record names, as [name, SHA-256, medium, location] ('' where none). */
function filesOf(format: string, x: Record<string, unknown>): string[][] {
  if (format === 'jsonl') return (x.files as { name: string; sha256: string; medium?: string; location?: string }[]).map((f) => [f.name, f.sha256, f.medium ?? '', f.location ?? '']);
  const [names, hashes, media, locations] = (format === 'syslog' ? ['files.name', 'files.sha256', 'files.medium', 'files.location'] : ['fname', 'fileHash', 'fileType', 'filePath']).map((k) => items(x[k]));
  return names!.map((n, i) => [n, hashes![i]!, media![i]!, locations![i]!]);
}

describe.runIf(has)('the audit trail for a SIEM', () => {
  it.each(['jsonl', 'syslog', 'cef'])('%s: one record per event, each line hashed and chained to the head, read by an independent parser', async (format) => {
    const out = at(`audit.${format}`);
    const r = await custos('audit', 'export', at('vault'), ...pin(), '--format', format, '--out', out, '--json');
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, ceremonies: CEREMONIES.length, leftOut: ['torn.jsonl'], sha256: sha(readFileSync(out, 'utf8')) });
    const records = parse(format, out);
    let n = 0;
    for (const name of CEREMONIES.map((c) => `${c}.jsonl`)) {
      const text = lines(name);
      const ceremony = (JSON.parse(text[0]!) as Line).ceremony;
      const mine = records.filter((x) => x.ceremony === ceremony);
      expect(mine.map((x) => x.seq)).toEqual(text.map((_, i) => i));
      mine.forEach((x, i) => {
        const e = JSON.parse(text[i]!) as Line;
        expect([x.actor, x.event, x.hash, x.prev, x.head]).toEqual([e.actor, e.type, sha(text[i]!), e.prev, sha(text.at(-1)!)]);
        if (i > 0) expect(x.prev).toBe(mine[i - 1]!.hash); // the SIEM sees the whole chain
      });
      n += text.length;
    }
    expect(records).toHaveLength(n);
    // A key generated: its id and KCV travel with the event.
    const generated = records.find((x) => x.event === 'key.generated')!;
    const g = event('generate.jsonl', 'key.generated')[0]!.data as { keyId: string; kcv: string };
    expect([generated.keyId, generated.kcv]).toEqual([g.keyId, g.kcv]);
    // A bundle and an escrow written: every key they carry, by id, name and KCV, as the signed document holds it.
    for (const [type, name, document] of [
      ['bundle.written', 'export.jsonl', at('out-export', 'kms-prod-1.bundle.json')],
      ['escrow.written', 'escrow.jsonl', at('out-escrow', 'escrow-2026-01.json')],
    ] as const) {
      const exported = records.filter((x) => x.event === type);
      expect(exported).toHaveLength(1);
      const recorded = (event(name, type)[0]!.data.keys as { id: string; name: string; kcv: string }[]).map((k) => [k.id, k.name, k.kcv]);
      const signed = (JSON.parse(readFileSync(document, 'utf8')) as { manifest: { keys: { id: string; name: string; kcv: string }[] } }).manifest.keys.map((k) => [k.id, k.name, k.kcv]);
      expect(recorded.map((k) => k[1])).toEqual(['kek-a', 'kek-b']);
      expect(signed).toEqual(recorded);
      expect(keysOf(format, exported[0]!), type).toEqual(recorded);
    }
    // Where each share went (the paper cards by their medium's location and hash), and how each came to a quorum: never what it holds.
    for (const issued of event('generate.jsonl', 'share.issued')) {
      const x = records.find((y) => y.event === 'share.issued' && y.actor === issued.actor)!;
      const files = (issued.data.files as { name: string; sha256: string; medium?: string; location?: string }[]).map((f) => [f.name, f.sha256, f.medium ?? '', f.location ?? '']);
      expect(files.filter((f) => f[2] === 'paper').map((f) => f[3])).toEqual([at('paper-generate'), at('paper-generate')]);
      expect(filesOf(format, x)).toEqual(files);
    }
    const brought = records.filter((x) => x.event === 'quorum.share' && x.ceremony === records.find((y) => y.event === 'bundle.written')!.ceremony);
    expect(brought.map((x) => (format === 'cef' ? x.act : x.form))).toEqual(format === 'cef' ? ['file share', 'file share'] : ['file', 'file']);
    if (format === 'syslog') expect(records.every((x) => x.pri === 110 && x.msgid === x.event && !Number.isNaN(Date.parse(String(x.timestamp))))).toBe(true);
    if (format === 'cef') expect(records.every((x) => x.vendor === 'Custos' && x.severity === '3' && typeof x.rt === 'number')).toBe(true);
    // Never a secret: no passphrase of the answers file, no identity or share material, no card's lines.
    const text = readFileSync(out, 'utf8');
    expect(text).not.toMatch(/passphrase|AGE-SECRET-KEY|CUSTOS (?:REHEARSAL )?SHARE/);
    for (const c of ['alice', 'bob', 'carol']) expect(text).not.toContain(readFileSync(at('paper-generate', `${c}.share.txt`), 'utf8').split('\n')[1]!.slice(4, 20));
  });

  it('--since an instant between two ceremonies: only the later events, each still naming the head of its whole transcript', async () => {
    const backup = lines('backup.jsonl').map((l) => JSON.parse(l) as Line);
    const since = backup[0]!.time;
    const earlier = lines('escrow.jsonl').map((l) => JSON.parse(l) as Line);
    expect(Date.parse(earlier.at(-1)!.time)).toBeLessThanOrEqual(Date.parse(since)); // the escrow closed before the backup opened
    const r = await custos('audit', 'export', at('vault'), ...pin(), '--format', 'jsonl', '--out', at('since.jsonl'), '--since', since, '--json');
    expect(r.code, r.err).toBe(0);
    const records = parse('jsonl', at('since.jsonl'));
    // Exactly the events at or after that instant, of every transcript.
    const later = CEREMONIES.flatMap((c) => lines(`${c}.jsonl`).map((l) => ({ line: l, e: JSON.parse(l) as Line, head: sha(lines(`${c}.jsonl`).at(-1)!) }))).filter((x) => Date.parse(x.e.time) >= Date.parse(since));
    expect(JSON.parse(r.out)).toMatchObject({ events: later.length, ceremonies: CEREMONIES.length });
    expect(records.map((x) => [x.ceremony, x.seq, x.hash, x.head])).toEqual(later.map((x) => [x.e.ceremony, x.e.seq, sha(x.line), x.head]));
    // The whole backup, none of the first ceremonies; each record names the head of its whole transcript.
    const ceremonyOf = (c: string) => (JSON.parse(lines(`${c}.jsonl`)[0]!) as Line).ceremony;
    expect(records.filter((x) => x.ceremony === ceremonyOf('backup')).map((x) => x.seq)).toEqual(backup.map((e) => e.seq));
    for (const c of ['generate', 'add-key', 'export']) expect(records.some((x) => x.ceremony === ceremonyOf(c)), c).toBe(false);
    expect(records.filter((x) => x.ceremony === ceremonyOf('backup')).every((x) => x.head === sha(lines('backup.jsonl').at(-1)!))).toBe(true);
  });

  it('--since the future exports nothing; a bad format or an existing file is refused, nothing written', async () => {
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
