/**
 * `custos import` end to end: a transport key enrolled with `custos server enroll`, pinned in an
 * export ceremony, the bundle imported into two PyKMIP servers (a cluster), every key read back;
 * a signed receipt verified; PyKMIP's own client finds the keys by name with the same
 * material; a rerun is idempotent; a half-done import completes; a name clash with another KCV
 * and a bundle for another transport key are refused loudly.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmipClient } from '../../src/kmip/client';
import { payloads, readUid, readUids } from '../../src/kmip/messages';
import { USAGE_MASK } from '../../src/kmip/tags';
import { openTransportKey, signTransportEnrollment } from '../../src/kmip/enroll';
import { checkRehearsal, importBundle } from '../../src/kmip/import';
import { parseTransportKey, type TransportKeyFile } from '../../src/core/documents/transport';
import { verifyRoster } from '../../src/core/roster/roster';
import { base64 } from '@scure/base';
import { nativeProvider as provider } from '../../src/node/native-provider';
import { custos, workstation } from '../helpers/lifecycle';
import { makeRoster } from '../helpers/roster';
import { BUNDLE_SCHEME, type BundleManifest } from '../../src/core/documents/bundle';
import { approve, documentToText } from '../../src/core/documents/signed';
import { kcv } from '../../src/core/crypto/kcv';
import { rsaAesUnwrap, rsaAesWrap } from '../../src/core/crypto/rsa-aes-wrap';
import { osRng } from '../../src/node/platform';
import { pykmipGet, startKmipServer, type TestKmipServer } from '../helpers/kmip-server';
import { tool } from '../helpers/tools';
import { startUnwrappingServer } from '../helpers/unwrapping-kmip-server';

const run = tool('pykmip-server') && tool('openssl');
const dir = mkdtempSync(join(tmpdir(), 'custos-import-'));
const at = (...p: string[]) => join(dir, ...p);
let a: TestKmipServer;
let b: TestKmipServer;
let c: TestKmipServer;
let w: Awaited<ReturnType<typeof workstation>>;
let enrolled: { fingerprint: string; words: string };
const kcvs: Record<string, string> = {};

/** The enrolled endpoints are a, b and c; any other server is named with --unlisted-endpoints allow. */
const importArgs = (server: TestKmipServer[], receipt: string, bundle = at('out-export', 'kms-prod-1.bundle.json'), transport = 'kms-1', pin: string[] = ['--roster-words', w.words]) => [
  'import',
  bundle,
  '--roster',
  w.roster,
  ...pin,
  ...(server.every((s) => [a, b, c].some((x) => x.port === s.port)) ? [] : ['--unlisted-endpoints', 'allow']),
  '--transport',
  at('server', `${transport}.transport.json`),
  '--transport-key',
  at('server', `${transport}.transport-key.age`),
  ...server.flatMap((s) => ['--kmip', `127.0.0.1:${s.port}`]),
  '--ca',
  join(server[0]!.dir, 'pki', 'ca.crt'),
  '--cert',
  join(server[0]!.dir, 'pki', 'client.crt'),
  '--key',
  join(server[0]!.dir, 'pki', 'client.key'),
  '--policy',
  'shared',
  '--passphrase-file',
  at('server', 'pass.txt'),
  '--receipt',
  receipt,
  '--rehearsal',
  'yes', // every bundle here comes from rehearsals
  '--json',
];

describe.runIf(run)('custos import into real KMIP servers', () => {
  beforeAll(async () => {
    a = await startKmipServer();
    [b, c] = await Promise.all([startKmipServer(a), startKmipServer(a)]); // one CA and client identity: a cluster
    w = await workstation(dir);
    const { mkdirSync } = await import('node:fs');
    mkdirSync(at('server'));
    writeFileSync(at('server', 'pass.txt'), 'transport key passphrase\n');
    for (const name of ['kms-1', 'kms-other']) {
      const e = await custos('server', 'enroll', '--name', name, ...[a, b, c].flatMap((x) => ['--kmip', `127.0.0.1:${x.port}`]), '--days', '30', '--out', at('server'), '--passphrase-file', at('server', 'pass.txt'), '--rehearsal', 'yes', '--work-factor', '10', '--json');
      expect(e.code, e.err + e.out).toBe(0);
      if (name === 'kms-1') enrolled = JSON.parse(e.out);
    }
    expect(enrolled.words.split(' ')).toHaveLength(8);
    const ok = async (...args: string[]) => {
      const r = await custos(...args);
      if (r.code !== 0) throw new Error(r.err + r.out);
      return JSON.parse(r.out);
    };
    await ok('rehearse', w.plan('generate', 'generate', (t) => t.replace('forms: [file, paper]', 'forms: [file]')), '--answers', w.answersFile('generate', 'out-generate', []), '--work-factor', '10', '--json');
    const add = await ok(
      'rehearse',
      w.plan('add-key', 'add-key', (t) =>
        t.replace(/keys:\n {2}- name: "vsphere-kek-2026"[\s\S]*?# default pre-active; or active\n/, 'keys:\n' + ['a', 'b', 'c'].map((n) => `  - { name: imp-${n}, usage: [wrap-key, unwrap-key], cryptoperiodDays: 365, state: active }\n`).join('')),
      ),
      '--answers',
      w.answersFile('add-key', 'out-generate', ['alice', 'bob', 'carol']),
      '--json',
    );
    for (const k of add.keys) kcvs[k.name] = k.kcv;
    const exportPlan = (name: string, transport: string, fp: string) =>
      w.plan(name, 'export-bundle', (t) =>
        t
          .replace('keys: ["vsphere-kek-2026"]', 'keys: [imp-a, imp-b, imp-c]')
          .replace('file: kms-prod-1.transport.json', `file: server/${transport}.transport.json`)
          .replace('"REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"', `"${fp}"`),
      );
    await ok('rehearse', exportPlan('export', 'kms-1', enrolled.fingerprint), '--answers', w.answersFile('export', 'out-generate', ['alice', 'bob', 'carol']), '--json');
  }, 180_000);
  afterAll(() => {
    a?.stop();
    b?.stop();
    c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the transport private key is sealed with its passphrase and unwraps the bundle', async () => {
    const pk = await openTransportKey(provider, new Uint8Array(readFileSync(at('server', 'kms-1.transport-key.age'))), 'transport key passphrase');
    const m = JSON.parse(readFileSync(at('out-export', 'kms-prod-1.bundle.json'), 'utf8')).manifest as { keys: { wrapped: string }[] };
    expect(rsaAesUnwrap(provider, pk, base64.decode(m.keys[0]!.wrapped))).toHaveLength(32);
    await expect(openTransportKey(provider, new Uint8Array(readFileSync(at('server', 'kms-1.transport-key.age'))), 'wrong passphrase!!')).rejects.toThrowError(/passphrase: does not open/);
  });

  it('imports into a cluster of one (then the idempotent rerun), PyKMIP reads the same keys, the receipt verifies', async () => {
    const r = await custos(...importArgs([a], at('receipt-1.json')));
    expect(r.code, r.err + r.out).toBe(0);
    const out = JSON.parse(r.out);
    expect(out.servers[0].keys.map((k: { name: string; kcv: string; outcome: string }) => [k.name, k.kcv, k.outcome])).toEqual(Object.entries(kcvs).map(([n, k]) => [n, k, 'registered']));
    const v = await custos('verify', 'receipt', at('receipt-1.json'), '--transport', at('server', 'kms-1.transport.json'), '--fingerprint', enrolled.fingerprint, '--bundle', at('out-export', 'kms-prod-1.bundle.json'), '--json');
    expect(v.code, v.err).toBe(0);
    // A standard client finds each key by name and reads the same material the bundle carried.
    const pk = await openTransportKey(provider, new Uint8Array(readFileSync(at('server', 'kms-1.transport-key.age'))), 'transport key passphrase');
    const m = JSON.parse(readFileSync(at('out-export', 'kms-prod-1.bundle.json'), 'utf8')).manifest as { keys: { name: string; wrapped: string }[] };
    for (const k of m.keys) {
      const found = pykmipGet(a, k.name);
      expect(found).toHaveLength(1);
      expect(found[0]!.hex).toBe(Buffer.from(rsaAesUnwrap(provider, pk, base64.decode(k.wrapped))).toString('hex'));
    }
    // Rerun: recognised, not duplicated.
    const again = await custos(...importArgs([a], at('receipt-2.json')));
    expect(again.code, again.err).toBe(0);
    expect(JSON.parse(again.out).servers[0].keys.map((k: { outcome: string }) => k.outcome)).toEqual(['present', 'present', 'present']);
    expect(pykmipGet(a, 'imp-a')).toHaveLength(1);
    // A changed byte of the receipt fails.
    const t = readFileSync(at('receipt-1.json'), 'utf8');
    writeFileSync(at('receipt-bad.json'), t.replace('"registered"', '"present"'));
    expect(await custos('verify', 'receipt', at('receipt-bad.json'), '--transport', at('server', 'kms-1.transport.json'), '--fingerprint', enrolled.fingerprint)).toMatchObject({ code: 1, err: expect.stringMatching(/receipt\.sig: is not a signature by the transport key of kms-1/) });
  }, 120_000);

  it('a cluster: every member gets the keys; a half-done import (registered, not activated) completes', async () => {
    const pk = await openTransportKey(provider, new Uint8Array(readFileSync(at('server', 'kms-1.transport-key.age'))), 'transport key passphrase');
    const m = JSON.parse(readFileSync(at('out-export', 'kms-prod-1.bundle.json'), 'utf8')).manifest as { keys: { name: string; wrapped: string }[] };
    const material = (i: number) => rsaAesUnwrap(provider, pk, base64.decode(m.keys[i]!.wrapped));
    // On b, an earlier run was cut after registering imp-a.
    const cb = new KmipClient({ host: '127.0.0.1', port: b.port }, b.tls);
    const uid = readUid(await cb.call('register', payloads.register({ material: material(0), name: 'imp-a', usageMask: USAGE_MASK.wrapKey, operationPolicyName: 'shared' })), 'register');
    cb.close();
    const r = await custos(...importArgs([a, b], at('receipt-ha.json')));
    expect(r.code, r.err + r.out).toBe(0);
    const servers = JSON.parse(r.out).servers as { endpoint: string; keys: { name: string; uid: string; outcome: string }[] }[];
    expect(servers.map((s) => s.endpoint)).toEqual([`127.0.0.1:${a.port}`, `127.0.0.1:${b.port}`]);
    expect(servers[0]!.keys.map((k) => k.outcome)).toEqual(['present', 'present', 'present']);
    expect(servers[1]!.keys.map((k) => [k.name, k.outcome])).toEqual([['imp-a', 'present'], ['imp-b', 'registered'], ['imp-c', 'registered']]);
    expect(servers[1]!.keys[0]!.uid).toBe(uid);
    for (const [i, name] of ['imp-a', 'imp-b', 'imp-c'].entries()) expect(pykmipGet(b, name)).toEqual([{ uid: expect.any(String), hex: Buffer.from(material(i)).toString('hex') }]);
  }, 120_000);

  it('the same name with another KCV is refused loudly, and nothing is registered', async () => {
    const cc = new KmipClient({ host: '127.0.0.1', port: c.port }, c.tls);
    await cc.call('register', payloads.register({ material: new Uint8Array(32).fill(7), name: 'imp-b', usageMask: USAGE_MASK.wrapKey, operationPolicyName: 'shared' }));
    const r = await custos(...importArgs([c], at('receipt-clash.json')));
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).error.message).toMatch(/a key named "imp-b" already exists there \(unique identifier \d+\) with another KCV/);
    expect(readUids(await cc.call('locate', payloads.locateByName('imp-a')))).toEqual([]);
    expect(readUids(await cc.call('locate', payloads.locateByName('imp-c')))).toEqual([]);
    cc.close();
  }, 60_000);

  it('the workstation confirms the import: the receipt recorded in a closed ceremony; a receipt of another bundle is refused', async () => {
    const plan = (name: string, receipt: string) =>
      w.plan(name, 'confirm-import', (t) =>
        t
          .replace('file: /media/courier/kms-1.receipt.json', `file: ${receipt}`)
          .replace('file: /media/courier/kms-1.bundle.json', `file: ${at('out-export', 'kms-prod-1.bundle.json')}`)
          .replace('file: kms-1.transport.json', 'file: server/kms-1.transport.json')
          .replace('"REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"', `"${enrolled.fingerprint}"`),
      );
    const r = await custos('rehearse', plan('confirm', at('receipt-ha.json')), '--answers', w.answersFile('confirm', 'out-generate', []), '--json');
    expect(r.code, r.err + r.out).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ kind: 'confirm-import', servers: 2, keys: 3 });
    const v = await custos('verify', 'transcript', at('vault', 'confirm.jsonl'), '--roster', w.roster, '--roster-words', w.words, '--json');
    expect(v.code, v.err).toBe(0);
    const events = readFileSync(at('vault', 'confirm.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: { servers?: unknown[] } });
    expect(events.find((e) => e.type === 'import.confirmed')!.data.servers).toHaveLength(2);
    // A receipt whose signature does not hold is refused before anything is written.
    writeFileSync(at('forged.json'), readFileSync(at('receipt-ha.json'), 'utf8').replace(/"uid":"(\d+)"/, '"uid":"9$1"'));
    const forged = await custos('rehearse', plan('confirm-forged', at('forged.json')), '--answers', w.answersFile('confirm', 'out-generate', []));
    expect(forged).toMatchObject({ code: 1, err: expect.stringMatching(/receipt\.sig: is not a signature by the transport key of kms-1/) });
    expect(existsSync(at('vault', 'confirm-forged.jsonl'))).toBe(false);
  }, 60_000);

  it('the server killed mid-import: a clear error; after a restart the rerun completes without duplicates', async () => {
    const d = await startKmipServer(a);
    try {
      const pk = await openTransportKey(provider, new Uint8Array(readFileSync(at('server', 'kms-1.transport-key.age'))), 'transport key passphrase');
      const bundleText = readFileSync(at('out-export', 'kms-prod-1.bundle.json'), 'utf8');
      const roster = verifyRoster(provider, readFileSync(w.roster, 'utf8'));
      const transport = parseTransportKey(provider, readFileSync(at('server', 'kms-1.transport.json'), 'utf8'));
      const client = new KmipClient({ host: '127.0.0.1', port: d.port }, d.tls, { timeoutMs: 5000 });
      // Kill the server right after the second Register has been answered.
      let registers = 0;
      const batch = client.batch.bind(client);
      client.batch = async (items) => {
        const r = await batch(items);
        if (items[0]!.operation === 'register' && ++registers === 2) d.kill();
        return r;
      };
      const req = { bundleText, bundleSha256: 'ab'.repeat(32), roster, transport, privateKey: pk, now: () => new Date(), policyName: 'shared', batchSize: 1, rehearsal: true, say: () => undefined };
      await expect(importBundle(provider, { ...req, clients: [client] })).rejects.toThrowError(/^kmip 127\.0\.0\.1:\d+: (connection refused|closed the connection|.*ECONNRESET)/);
      client.close();
      d.restart();
      const again = new KmipClient({ host: '127.0.0.1', port: d.port }, d.tls);
      const r = await importBundle(provider, { ...req, clients: [again] });
      again.close();
      expect(r.servers[0]!.keys.map((k) => k.outcome)).toEqual(['present', 'present', 'registered']);
      for (const name of ['imp-a', 'imp-b', 'imp-c']) expect(pykmipGet(d, name)).toHaveLength(1);
    } finally {
      d.stop();
    }
  }, 120_000);

  it('a tampered manifest and an expired enrollment are refused before any server is touched', async () => {
    const text = readFileSync(at('out-export', 'kms-prod-1.bundle.json'), 'utf8');
    writeFileSync(at('tampered.bundle.json'), text.replace('"name":"imp-b"', '"name":"imp-x"'));
    const t = await custos(...importArgs([a], at('receipt-t.json'), at('tampered.bundle.json')));
    expect(t.code).toBe(1);
    expect(JSON.parse(t.out).error.message).toMatch(/^bundle\.approvals\[0\]\.sig: is not a valid signature by [a-z]+/);
    const { sig: _, ...e } = JSON.parse(readFileSync(at('server', 'kms-1.transport.json'), 'utf8')) as TransportKeyFile & { sig: string };
    const pk = await openTransportKey(provider, new Uint8Array(readFileSync(at('server', 'kms-1.transport-key.age'))), 'transport key passphrase');
    const old = signTransportEnrollment({ ...e, created: '2025-01-01T00:00:00.000Z', expires: '2025-06-01T00:00:00.000Z' }, pk);
    writeFileSync(at('server', 'old.transport.json'), old);
    writeFileSync(at('server', 'old.transport-key.age'), readFileSync(at('server', 'kms-1.transport-key.age')));
    const x = await custos(...importArgs([a], at('receipt-x.json'), at('out-export', 'kms-prod-1.bundle.json'), 'old'));
    expect(x.code).toBe(1);
    expect(JSON.parse(x.out).error.message).toMatch(/^transport\.expires: the enrollment of kms-1 expired on 2025-06-01/);
    // The same expired enrollment with its expiry pushed back by hand: the key did not sign that.
    writeFileSync(at('server', 'old.transport.json'), old.replace('"expires":"2025-06-01T00:00:00.000Z"', '"expires":"2099-06-01T00:00:00.000Z"'));
    const y = await custos(...importArgs([a], at('receipt-y.json'), at('out-export', 'kms-prod-1.bundle.json'), 'old'));
    expect(y.code).toBe(1);
    expect(JSON.parse(y.out).error.message).toMatch(/^--transport\.sig: is not the signature of this key over this enrollment/);
    expect(existsSync(at('receipt-t.json')) || existsSync(at('receipt-x.json')) || existsSync(at('receipt-y.json'))).toBe(false);
  }, 60_000);

  describe('trust roots: the roster is pinned, the enrollment is whole, the endpoints are enrolled', () => {
    /** What an insider with the USB stick can make: a roster of their own and a bundle it approves, wrapped to the real transport key. */
    const forge = () => {
      const evil = makeRoster('insider', new Date(Date.now() + 30 * 86_400_000), new Date(Date.now() - 86_400_000));
      const transport = parseTransportKey(provider, readFileSync(at('server', 'kms-1.transport.json'), 'utf8'));
      const material = new Uint8Array(32).fill(0x42);
      const now = new Date();
      const manifest = {
        v: 1 as const,
        kind: 'custos.bundle' as const,
        ceremony: 'ab'.repeat(16),
        organization: 'Example Bank KMS',
        created: now.toISOString(),
        expires: new Date(now.getTime() + 86_400_000).toISOString(),
        rehearsal: true,
        masterKeyId: 'cd'.repeat(16),
        recipient: { server: 'kms-1', fingerprint: transport.fingerprint },
        scheme: BUNDLE_SCHEME,
        transcript: { head: 'ef'.repeat(32), seq: 1 },
        keys: [{ id: '01'.repeat(16), name: 'planted-key', algorithm: 'AES' as const, length: 256 as const, usage: ['wrap-key' as const], state: 'active' as const, cryptoperiodDays: 365, kcv: kcv(provider, material), wrapped: base64.encode(rsaAesWrap(provider, osRng, transport.spki, material)) }],
      };
      writeFileSync(at('forged.roster.json'), evil.text);
      writeFileSync(at('forged.bundle.json'), documentToText({ manifest, approvals: ['alice', 'bob'].map((x) => approve(provider, 'bundle', manifest, evil.ids.get(x)!)) }));
      return evil.verified;
    };
    const planted = async () => {
      const ca = new KmipClient({ host: '127.0.0.1', port: a.port }, a.tls);
      try {
        return readUids(await ca.call('locate', payloads.locateByName('planted-key')));
      } finally {
        ca.close();
      }
    };
    const withRoster = (args: string[], roster: string) => args.map((x) => (x === w.roster ? roster : x));

    it("a swapped roster and a bundle it approves: refused unpinned (exit 2) and against the pinned words (exit 1); nothing registered, no receipt", async () => {
      const evil = forge();
      const base = withRoster(importArgs([a], at('receipt-forged.json'), at('forged.bundle.json')), at('forged.roster.json'));
      const unpinned = await custos(...base.filter((x, i) => x !== '--roster-words' && base[i - 1] !== '--roster-words'));
      expect(unpinned.code).toBe(2);
      expect(JSON.parse(unpinned.out).error.message).toMatch(/^--roster: is not pinned, and a roster proves nothing by itself .*--roster-words .*--trust PIN/);
      const pinned = await custos(...base);
      expect(pinned.code).toBe(1);
      expect(JSON.parse(pinned.out).error.message).toBe('roster: its fingerprint differs from the pinned one: this is not the roster that was pinned');
      expect(pinned.out).not.toContain(evil.words.join(' '));
      expect(await planted()).toEqual([]);
      expect(existsSync(at('receipt-forged.json'))).toBe(false);
    }, 60_000);

    it('custos server trust records the checked words once, signed by the transport key; imports then use --trust; a swapped roster or an altered pin is refused', async () => {
      const trust = (out: string, words: string) =>
        custos('server', 'trust', w.roster, '--roster-words', words, '--transport', at('server', 'kms-1.transport.json'), '--transport-key', at('server', 'kms-1.transport-key.age'), '--passphrase-file', at('server', 'pass.txt'), '--out', out, '--json');
      const wrong = await trust(at('server', 'wrong.pin'), 'abandon '.repeat(7) + 'about');
      expect(wrong.code).toBe(1);
      expect(existsSync(at('server', 'wrong.pin'))).toBe(false);
      // This workstation's roster is a rehearsal roster: pinned only for drills, and said so.
      const real = await trust(at('server', 'real.pin'), w.words);
      expect(real.code).toBe(1);
      expect(JSON.parse(real.out).error.message).toMatch(/^roster: is a REHEARSAL roster .*pin it only for drills, with --rehearsal yes/);
      const t = await custos('server', 'trust', w.roster, '--roster-words', w.words, '--transport', at('server', 'kms-1.transport.json'), '--transport-key', at('server', 'kms-1.transport-key.age'), '--passphrase-file', at('server', 'pass.txt'), '--out', at('server', 'roster.pin'), '--rehearsal', 'yes', '--json');
      expect(t.code, t.err + t.out).toBe(0);
      const viaPin = importArgs([a], at('receipt-pin.json'), undefined, 'kms-1', ['--trust', at('server', 'roster.pin')]);
      const ok = await custos(...viaPin);
      expect(ok.code, ok.err + ok.out).toBe(0);
      expect(JSON.parse(ok.out).servers[0].keys.map((k: { outcome: string }) => k.outcome)).toEqual(['present', 'present', 'present']);
      // The insider's roster against the pin.
      const evil = forge();
      const swapped = await custos(...withRoster(importArgs([a], at('receipt-pin2.json'), at('forged.bundle.json'), 'kms-1', ['--trust', at('server', 'roster.pin')]), at('forged.roster.json')));
      expect(swapped.code).toBe(1);
      expect(JSON.parse(swapped.out).error.message).toMatch(/^roster: its fingerprint differs from the pinned one/);
      // The insider rewrites the pin to name their roster: its signature no longer holds.
      const evilFp = evil.fingerprint;
      const pin = readFileSync(at('server', 'roster.pin'), 'utf8');
      writeFileSync(at('server', 'evil.pin'), pin.replace(/"roster":"[0-9a-f]{64}"/, `"roster":"${evilFp}"`));
      const altered = await custos(...withRoster(importArgs([a], at('receipt-pin3.json'), at('forged.bundle.json'), 'kms-1', ['--trust', at('server', 'evil.pin')]), at('forged.roster.json')));
      expect(altered.code).toBe(1);
      expect(JSON.parse(altered.out).error.message).toMatch(/^--trust\.sig: is not a signature by the transport key of kms-1: the pin was altered/);
      expect(await planted()).toEqual([]);
      expect([at('receipt-pin2.json'), at('receipt-pin3.json')].some((f) => existsSync(f))).toBe(false);
    }, 90_000);

    it('a rehearsal bundle is refused by a real import (exit 1, nothing registered, no receipt)', async () => {
      const args = importArgs([c], at('receipt-real.json'));
      const i = args.indexOf('--rehearsal');
      const r = await custos(...args.slice(0, i), ...args.slice(i + 2));
      expect(r.code).toBe(1);
      // The roster that approved it is a rehearsal roster: refused first; the bundle's own mark is the second lock.
      expect(JSON.parse(r.out).error.message).toMatch(/^--roster: is a REHEARSAL roster \(made from an unattended enrollment file\): a real import never trusts it/);
      const manifest = JSON.parse(readFileSync(at('out-export', 'kms-prod-1.bundle.json'), 'utf8')).manifest as BundleManifest;
      expect(() => checkRehearsal(manifest, false)).toThrowError(/^bundle\.manifest\.rehearsal: this bundle was made in a rehearsal \(throwaway keys\): a real import refuses it/);
      expect(() => checkRehearsal({ ...manifest, rehearsal: false }, true)).toThrowError(/carries real keys: --rehearsal yes imports rehearsal bundles only/);
      expect(existsSync(at('receipt-real.json'))).toBe(false);
      const cc = new KmipClient({ host: '127.0.0.1', port: c.port }, c.tls);
      expect(readUids(await cc.call('locate', payloads.locateByName('imp-a')))).toEqual([]);
      cc.close();
    }, 30_000);

    it('an endpoint the transport key was not enrolled for is refused before any connection, unless allowed out loud', async () => {
      const args = [...importArgs([a], at('receipt-ep.json')), '--kmip', '127.0.0.1:1'];
      const r = await custos(...args);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out).error.message).toMatch(/^--kmip: --kmip 127\.0\.0\.1:1 is not an endpoint the transport key was enrolled for .*--unlisted-endpoints allow/);
      expect(existsSync(at('receipt-ep.json'))).toBe(false);
      const bad = await custos(...importArgs([a], at('receipt-ep.json')), '--unlisted-endpoints', 'yes');
      expect(bad.code).toBe(2);
    }, 30_000);

    it('a bundle addressed to another server than the enrollment names is refused naming both, unless allowed out loud, then imported with a warning', async () => {
      // The same transport key enrolled again under another server name (its endpoints unchanged).
      const { sig: _, ...e } = JSON.parse(readFileSync(at('server', 'kms-1.transport.json'), 'utf8')) as TransportKeyFile & { sig: string };
      const pk = await openTransportKey(provider, new Uint8Array(readFileSync(at('server', 'kms-1.transport-key.age'))), 'transport key passphrase');
      writeFileSync(at('server', 'renamed.transport.json'), signTransportEnrollment({ ...e, server: { ...e.server, name: 'kms-renamed' } }, pk));
      writeFileSync(at('server', 'renamed.transport-key.age'), readFileSync(at('server', 'kms-1.transport-key.age')));
      const args = importArgs([a], at('receipt-renamed.json'), undefined, 'renamed');
      const r = await custos(...args);
      expect(r.code).toBe(1);
      expect(JSON.parse(r.out).error.message).toBe('bundle.manifest.recipient.server: the bundle is addressed to server "kms-1", the transport key was enrolled for "kms-renamed": check the command, or give --unlisted-endpoints allow to go on');
      expect(existsSync(at('receipt-renamed.json'))).toBe(false);
      const allowed = await custos(...args, '--unlisted-endpoints', 'allow');
      expect(allowed.code, allowed.err + allowed.out).toBe(0);
      expect(allowed.err).toBe('custos: WARNING: the bundle is addressed to server "kms-1", the transport key was enrolled for "kms-renamed" (--unlisted-endpoints allow)\n');
      expect(JSON.parse(readFileSync(at('receipt-renamed.json'), 'utf8')).receipt.transport).toMatchObject({ server: 'kms-renamed', fingerprint: enrolled.fingerprint });
    }, 60_000);
  });

  it('refuses a bundle for another transport key, before touching any server', async () => {
    const r = await custos(...importArgs([a], at('receipt-other.json'), at('out-export', 'kms-prod-1.bundle.json'), 'kms-other'));
    expect(r).toMatchObject({ code: 1 });
    expect(r.out).toMatch(/bundle\.manifest\.recipient\.fingerprint: the bundle is wrapped for transport key [0-9a-f]{64}, not [0-9a-f]{64}/);
  }, 60_000);

  describe('the wrapped form (--wrapped UID), for servers that unwrap', () => {
    const transportKey = async () => openTransportKey(provider, new Uint8Array(readFileSync(at('server', 'kms-1.transport-key.age'))), 'transport key passphrase');
    const plaintexts = async () => {
      const pk = await transportKey();
      const m = JSON.parse(readFileSync(at('out-export', 'kms-prod-1.bundle.json'), 'utf8')).manifest as { keys: { name: string; wrapped: string }[] };
      return m.keys.map((k) => ({ name: k.name, wrapped: base64.decode(k.wrapped), material: rsaAesUnwrap(provider, pk, base64.decode(k.wrapped)) }));
    };
    const spkiOf = (name: string) => base64.decode(JSON.parse(readFileSync(at('server', `${name}.transport.json`), 'utf8')).publicKey as string);
    const onPort = (port: number) => ({ ...a, port });
    /** A KMIP server that unwraps, holding the kms-1 transport key, with the PKI of server a. */
    const unwrapping = async (opts: Omit<Parameters<typeof startUnwrappingServer>[0], 'tls' | 'transport'> = {}) => {
      const pki = (f: string) => readFileSync(join(a.dir, 'pki', f));
      return startUnwrappingServer({ tls: { ca: pki('ca.crt'), cert: pki('server.crt'), key: pki('server.key') }, transport: { pkcs8: await transportKey(), spki: spkiOf('kms-1') }, ...opts });
    };

    it('PyKMIP refuses the standard wrapped form: the importer says so after that one key, with nothing registered', async () => {
      const d = await startKmipServer(a);
      try {
        const cd = new KmipClient({ host: '127.0.0.1', port: d.port }, d.tls);
        await cd.negotiate();
        const pub = readUid(await cd.call('register', payloads.registerPublicKey(spkiOf('kms-1'), 'kms-1 transport', 4096, 'shared')), 'register');
        const other = readUid(await cd.call('register', payloads.registerPublicKey(spkiOf('kms-other'), 'another transport', 4096, 'shared')), 'register');
        // A UID that is not the transport key the bundle was wrapped to is refused before any Register.
        const wrong = await custos(...importArgs([d], at('receipt-w0.json')), '--wrapped', other);
        expect(wrong.code).toBe(1);
        expect(JSON.parse(wrong.out).error.message).toMatch(new RegExp(`^--wrapped: object ${other} on 127\\.0\\.0\\.1:${d.port} is the public key [0-9a-f]{64}, not the transport key ${enrolled.fingerprint}`));
        const r = await custos(...importArgs([d], at('receipt-w1.json')), '--wrapped', pub);
        expect(r.code).toBe(1);
        expect(JSON.parse(r.out).error.message).toMatch(/refused imp-a in the wrapped form \(kmip\.register: register failed: Invalid Message .*\); nothing was registered there: if this server does not take wrapped keys, import without --wrapped/);
        for (const name of ['imp-a', 'imp-b', 'imp-c']) expect(readUids(await cd.call('locate', payloads.locateByName(name)))).toEqual([]);
        expect(existsSync(at('receipt-w0.json')) || existsSync(at('receipt-w1.json'))).toBe(false);
        cd.close();
        // The default form then imports into the same server.
        const plain = await custos(...importArgs([d], at('receipt-w2.json')));
        expect(plain.code, plain.err + plain.out).toBe(0);
        const imported = JSON.parse(plain.out).servers[0];
        expect(imported).toMatchObject({ form: 'unwrapped' });
        // A UID that names a secret key is refused from its type alone: its material is never fetched.
        const secret = await custos(...importArgs([d], at('receipt-w8.json')), '--wrapped', imported.keys[0].uid);
        expect(secret.code).toBe(1);
        expect(JSON.parse(secret.out).error.message).toMatch(new RegExp(`^--wrapped: object ${imported.keys[0].uid} on 127\\.0\\.0\\.1:\\d+ is a symmetric key, not the transport public key`));
      } finally {
        d.stop();
      }
    }, 120_000);

    it('a server that unwraps gets only wrapped keys on the wire, unwraps them to the signed KCVs, and the receipt says so', async () => {
      const srv = await unwrapping();
      try {
        const r = await custos(...importArgs([onPort(srv.port)], at('receipt-w3.json')), '--wrapped', '1');
        expect(r.code, r.err + r.out).toBe(0);
        const server = JSON.parse(r.out).servers[0] as { form: string; keys: { name: string; kcv: string; outcome: string; uid: string }[] };
        expect(server.form).toBe('wrapped');
        expect(server.keys.map((k) => [k.name, k.kcv, k.outcome])).toEqual(Object.entries(kcvs).map(([n, k]) => [n, k, 'registered']));
        const keys = await plaintexts();
        for (const [i, k] of server.keys.entries()) {
          const stored = srv.objects.get(k.uid)!;
          expect(stored.state).toBe(2); // active
          expect(stored.obj).toMatchObject({ type: 'symmetric', material: keys[i]!.material, wrapped: false });
        }
        // What crossed the wire: every key's wrap exactly as signed, and no plaintext key.
        const wire = Buffer.concat(srv.requests);
        for (const k of keys) {
          expect(wire.includes(Buffer.from(k.wrapped))).toBe(true);
          expect(wire.includes(Buffer.from(k.material))).toBe(false);
        }
        const v = await custos('verify', 'receipt', at('receipt-w3.json'), '--transport', at('server', 'kms-1.transport.json'), '--fingerprint', enrolled.fingerprint, '--json');
        expect(v.code, v.err).toBe(0);
        // Rerun: recognised by name and KCV.
        const again = await custos(...importArgs([onPort(srv.port)], at('receipt-w4.json')), '--wrapped', '1');
        expect(JSON.parse(again.out).servers[0].keys.map((k: { outcome: string }) => k.outcome)).toEqual(['present', 'present', 'present']);
      } finally {
        await srv.close();
      }
    }, 60_000);

    it("a cluster: every member's transport key is checked before anything is registered anywhere; each gets the wrapped keys", async () => {
      const one = await unwrapping();
      const two = await unwrapping({ transportUid: '7' });
      try {
        // One UID for both: the second server has no object 1, so nothing is registered on the first either.
        const same = await custos(...importArgs([onPort(one.port), onPort(two.port)], at('receipt-c1.json')), '--wrapped', '1');
        expect(same.code).toBe(1);
        expect(JSON.parse(same.out).error.message).toMatch(/getAttributes failed: Item Not Found/);
        expect([...one.objects.keys()]).toEqual(['1']);
        const counted = await custos(...importArgs([onPort(one.port), onPort(two.port)], at('receipt-c2.json')), '--wrapped', '1', '--wrapped', '7', '--wrapped', '9');
        expect(counted).toMatchObject({ code: 2 });
        expect(JSON.parse(counted.out).error.message).toMatch(/^--wrapped: give one UID for every server or one per --kmip \(2\), not 3/);
        const r = await custos(...importArgs([onPort(one.port), onPort(two.port)], at('receipt-c3.json')), '--wrapped', '1', '--wrapped', '7');
        expect(r.code, r.err + r.out).toBe(0);
        const servers = JSON.parse(r.out).servers as { form: string; keys: { kcv: string; outcome: string }[] }[];
        expect(servers.map((x) => [x.form, x.keys.map((k) => k.outcome)])).toEqual([['wrapped', ['registered', 'registered', 'registered']], ['wrapped', ['registered', 'registered', 'registered']]]);
        for (const srv of [one, two]) expect([...srv.objects.values()].filter((e) => e.obj.type === 'symmetric' && e.state === 2)).toHaveLength(3);
      } finally {
        await one.close();
        await two.close();
      }
    }, 60_000);

    it('a server that cannot give the first key back is refused, and that key destroyed', async () => {
      const srv = await unwrapping({ noGetBeforeActive: true });
      try {
        const r = await custos(...importArgs([onPort(srv.port)], at('receipt-g.json')), '--wrapped', '1');
        expect(r.code).toBe(1);
        expect(JSON.parse(r.out).error.message).toMatch(/could not read imp-a back \(kmip\.get: get failed: Permission Denied \(server: a pre-active key cannot be read\)\); the probe key imp-a \(unique identifier 2, pre-active\) was destroyed/);
        expect([...srv.objects.keys()]).toEqual(['1']);
      } finally {
        await srv.close();
      }
    }, 60_000);

    it('a server that unwraps to another key is refused after the first key, which is destroyed', async () => {
      const srv = await unwrapping({ corrupt: true });
      try {
        const r = await custos(...importArgs([onPort(srv.port)], at('receipt-w5.json')), '--wrapped', '1');
        expect(r.code).toBe(1);
        expect(JSON.parse(r.out).error.message).toMatch(new RegExp(`unwrapped imp-a to a key with another KCV than ${kcvs['imp-a']}; the probe key imp-a \\(unique identifier 2, pre-active\\) was destroyed`));
        expect([...srv.objects.keys()]).toEqual(['1']); // only the transport public key
        expect(existsSync(at('receipt-w5.json'))).toBe(false);
        // A key of that name kept wrapped by the server cannot be compared: refused, not duplicated.
        const cs = new KmipClient({ host: '127.0.0.1', port: srv.port }, a.tls);
        await cs.call('register', payloads.register({ material: new Uint8Array(32).fill(3), name: 'imp-b', usageMask: USAGE_MASK.wrapKey }));
        srv.objects.get('3')!.obj = { type: 'symmetric', material: new Uint8Array(40).fill(3), wrapped: true };
        cs.close();
        const kept = await custos(...importArgs([onPort(srv.port)], at('receipt-w7.json')));
        expect(kept.code).toBe(1);
        expect(JSON.parse(kept.out).error.message).toMatch(/a key named "imp-b" already exists there \(unique identifier 3\), stored wrapped: its KCV cannot be compared/);
        expect([...srv.objects.keys()]).toEqual(['1', '3']);
        const bad = await custos(...importArgs([onPort(srv.port)], at('receipt-w6.json')), '--wrapped', 'two words');
        expect(bad).toMatchObject({ code: 2 });
        expect(JSON.parse(bad.out).error.message).toMatch(/^--wrapped: must be the KMIP Unique Identifier/);
      } finally {
        await srv.close();
      }
    }, 60_000);
  });
});
