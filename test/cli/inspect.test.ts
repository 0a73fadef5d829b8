/**
 * `custos inspect FILE` on every kind of Custos file a real rehearsal writes: the facts people
 * compare by phone or on paper (fingerprint words, names, KCVs, dates, approvers), each the
 * same as what the command that made the file printed or what `custos verify` reports, in text
 * and in --json, always labelled unverified with the verify command that gives a trusted answer.
 */
import { createPrivateKey } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { custos, TRANSPORT_PEM, workstation, type CliResult } from '../helpers/lifecycle';
import { signedTransport } from '../helpers/vectors';
import { nativeProvider as provider } from '../../src/node/native-provider';
import { parseTransportKey } from '../../src/core/documents/transport';
import { openShareFile } from '../../src/core/shares/file';
import { describeShare, wipeShareRecord } from '../../src/core/shares/record';
import { shareToText } from '../../src/core/shares/text';
import { fingerprintWords } from '../../src/core/transcript/words';
import { toHex, utf8 } from '../../src/core/crypto/bytes';
import { signReceipt } from '../../src/kmip/receipt';
import { signRosterPin } from '../../src/kmip/enroll';

const dir = mkdtempSync(join(tmpdir(), 'custos-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
type Json = Record<string, unknown> & { keys?: { name: string; kcv: string }[] };
const ok = (r: CliResult): Json => {
  expect(r.code, r.err + r.out).toBe(0);
  return JSON.parse(r.out) as Json;
};
/** A small set: 2 of alice, bob, carol, share files only. */
const small = (t: string) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]').replace('forms: [file, paper]', 'forms: [file]');
const quorum = (t: string) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]');
/** A text line `label  value`, as inspect aligns them. */
const line = (label: string, value: string) => new RegExp(`^${label}\\s{2,}${value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm');

/** Inspect FILE in text and in --json; both say they are unverified and name `verify`. */
async function inspect(file: string, verify: RegExp): Promise<{ text: string; json: Json }> {
  const t = await custos('inspect', file);
  expect(t.code, t.err).toBe(0);
  expect(t.out).toMatch(line('file', file));
  expect(t.out).toMatch(/^unverified: .* gives a trusted answer/m);
  expect(t.out.split('\n').find((l) => l.startsWith('unverified: '))?.slice('unverified: '.length)).toMatch(verify);
  const json = ok(await custos('inspect', file, '--json'));
  expect(json).toMatchObject({ ok: true, file, unverified: true });
  expect(json.verify).toMatch(verify);
  return { text: t.out, json };
}

let w: Awaited<ReturnType<typeof workstation>>;
let transport: ReturnType<typeof parseTransportKey>;
const runs: Record<string, Json> = {};

beforeAll(async () => {
  w = await workstation(dir);
  transport = parseTransportKey(provider, readFileSync(at('kms.transport.json'), 'utf8'));
  const rehearse = async (name: string, kind: string, edit: (t: string) => string, quorumOf: string[], shareDir = 'out-generate') =>
    (runs[name] = ok(await custos('rehearse', w.plan(name, kind, edit), '--answers', w.answersFile(name, shareDir, quorumOf), '--work-factor', '10', '--json')));
  await rehearse('generate', 'generate', small, []);
  await rehearse('add-key', 'add-key', (t) => quorum(t).replace('"vsphere-kek-2026"', 'kek-inspect'), ['alice', 'bob']);
  await rehearse(
    'export',
    'export-bundle',
    (t) =>
      quorum(t)
        .replace('keys: ["vsphere-kek-2026"]', 'keys: [kek-inspect]')
        .replace('file: kms-prod-1.transport.json', 'file: kms.transport.json')
        .replace('"REPLACE WITH THE 64-HEX SHA-256 FINGERPRINT CONFIRMED BY PHONE"', `"${transport.fingerprint}"`),
    ['alice', 'bob'],
  );
  await rehearse('escrow', 'escrow', (t) => quorum(t).replace('keys: ["vsphere-kek-2026"]', 'keys: [kek-inspect]').replace(`"REPLACE WITH THE AGENT'S age1... RECIPIENT"`, `"${w.agentRecipient}"`), ['alice', 'bob']);
  await rehearse('backup', 'backup', (t) => t, []);
}, 180_000);

describe('custos inspect', { timeout: 180_000 }, () => {
  it('a transport-key enrollment: its fingerprint and words as custos server enroll prints them, server, endpoints, dates; EXPIRED when past', async () => {
    const file = at('kms.transport.json');
    const { text, json } = await inspect(file, /^custos verify bundle BUNDLE .*--transport .*kms\.transport\.json --fingerprint HEX/);
    expect(json).toMatchObject({ type: 'custos.transport-key', fingerprint: transport.fingerprint, words: transport.words.join(' '), server: 'kms-test-1', kmip: ['127.0.0.1:5696'], key: 'RSA-4096', expires: transport.file.expires, expired: false });
    expect(text).toMatch(line('fingerprint', transport.fingerprint));
    expect(text).toMatch(line('words', transport.words.join(' ')));
    expect(text).toMatch(line('server', 'kms-test-1'));
    expect(text).toMatch(line('kmip', '127.0.0.1:5696'));
    expect(text).toMatch(line('expires', transport.file.expires));
    const day = 86_400_000;
    writeFileSync(at('old.transport.json'), signedTransport(TRANSPORT_PEM, { server: { name: 'kms-old', kmip: [] }, created: new Date(Date.now() - 60 * day).toISOString(), expires: new Date(Date.now() - day).toISOString() }));
    const old = await inspect(at('old.transport.json'), /custos verify bundle/);
    expect(old.json).toMatchObject({ expired: true, server: 'kms-old', kmip: [] });
    expect(old.text).toMatch(/^expires\s+\S+ {2}EXPIRED$/m);
  });

  it('a roster: the words custos enroll printed and custos plan check prints, organization, rehearsal, participants with roles and key words', async () => {
    const check = await custos('plan', 'check', w.plan('check-only', 'generate', (t) => t.replace('forms: [file, paper]', 'forms: [file]')));
    expect(check.out).toMatch(line('roster', `${w.words} (REHEARSAL roster: for custos rehearse only)`));
    const { text, json } = await inspect(w.roster, /^custos verify transcript ENROLL-TRANSCRIPT --roster .*roster\.json --roster-words/);
    expect(json).toMatchObject({ type: 'custos.roster', words: w.words, organization: 'Example Bank KMS', rehearsal: true, valid: { expired: false } });
    const people = json.participants as { id: string; name: string; roles: string[]; keyWords: string }[];
    expect(people.map((p) => p.id)).toEqual(['oscar', 'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'wendy', 'rita']);
    expect(people.find((p) => p.id === 'rita')).toMatchObject({ name: 'Rita Recovery', roles: ['dr-officer'] });
    expect(people.every((p) => p.keyWords.split(' ').length === 8)).toBe(true);
    expect(json.signedBy).toHaveLength(9);
    expect(text).toMatch(line('words', w.words));
    expect(text).toMatch(line('organization', 'Example Bank KMS'));
    expect(text).toMatch(/^rehearsal\s+yes: REHEARSAL/m);
    expect(text).toMatch(new RegExp(`^\\s+alice\\s+Alice Custodian\\s+custodian\\s+key words ${people[1]!.keyWords}$`, 'm'));
  });

  it('a closed transcript: its closing head as custos rehearse printed it and custos verify transcript reports it, steps, people, closed', async () => {
    const file = at('vault', 'generate.jsonl');
    const verified = ok(await custos('verify', 'transcript', file, '--roster', w.roster, '--roster-words', w.words, '--json'));
    const { text, json } = await inspect(file, /^custos verify transcript .*generate\.jsonl --roster ROSTER --roster-words/);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const head = toHex(provider.sha256(utf8(lines.at(-1)!)));
    expect(runs.generate!.headWords).toBe(verified.closingWords);
    expect(json).toMatchObject({
      type: 'transcript',
      ceremony: runs.generate!.ceremony,
      kind: 'generate',
      name: verified.name,
      rehearsal: true,
      closed: true,
      closingWords: runs.generate!.headWords,
      closingHead: runs.generate!.head,
      head,
      headWords: fingerprintWords(provider.sha256(utf8(lines.at(-1)!))).join(' '),
      events: verified.events,
      operator: 'oscar',
      witnesses: ['wendy'],
      custodians: ['alice', 'bob', 'carol'],
      attestedBy: ['wendy', 'oscar'],
      roster: { words: w.words },
      chain: 'intact',
    });
    expect((json.steps as { type: string; count: number }[]).slice(0, 3)).toEqual([{ type: 'ceremony.open', count: 1 }, { type: 'key.generated', count: 1 }, { type: 'shares.split', count: 1 }]);
    expect(json.actors).toEqual(['oscar', 'alice', 'bob', 'carol', 'wendy']);
    expect(text).toMatch(line('closing head', String(runs.generate!.headWords)));
    expect(text).toMatch(line('state', 'closed: attested by wendy, then oscar (their signatures not checked)'));
    expect(text).toMatch(line('roster words', `${w.words} (roster ${String((json.roster as { fingerprint: string }).fingerprint)})`));
    expect(text).toMatch(/^\s+share\.issued\s+x3$/m);
    // Cut before its attestations, it is not closed, and says so.
    writeFileSync(at('cut.jsonl'), lines.slice(0, -2).join('\n') + '\n');
    const cut = await inspect(at('cut.jsonl'), /custos verify transcript/);
    expect(cut.json).toMatchObject({ closed: false, events: lines.length - 2, attestedBy: [] });
    expect(cut.text).toMatch(/^state\s+not closed: the ceremony did not finish/m);
    // Attested by the witness but not yet by the operator: still not closed.
    writeFileSync(at('closing.jsonl'), lines.slice(0, -1).join('\n') + '\n');
    const closing = await inspect(at('closing.jsonl'), /custos verify transcript/);
    expect(closing.json).toMatchObject({ closed: false, attestedBy: ['wendy'], closingWords: runs.generate!.headWords });
    expect(closing.text).toMatch(line('state', 'being closed: attested by wendy of wendy, oscar'));
  });

  it('a bundle: its keys with the KCVs of the inventory, the recipient and its words, dates, approvers, ceremony, rehearsal', async () => {
    const file = at('out-export', 'kms-prod-1.bundle.json');
    const { text, json } = await inspect(file, /^custos verify bundle .*kms-prod-1\.bundle\.json --roster ROSTER --roster-words .* --fingerprint HEX/);
    const kcv = runs['add-key']!.keys![0]!.kcv;
    expect(json).toMatchObject({
      type: 'custos.bundle',
      ceremony: runs.export!.ceremony,
      rehearsal: true,
      recipient: { server: 'kms-test-1', fingerprint: transport.fingerprint, words: transport.words.join(' ') },
      keys: [{ name: 'kek-inspect', kcv, state: 'active' }],
      approvers: ['dave', 'erin'],
      expired: false,
      sha256: runs.export!.sha256,
    });
    expect(text).toMatch(new RegExp(`^keys\\s+kek-inspect\\s+${kcv}\\s`, 'm'));
    expect(text).toMatch(line('recipient', `kms-test-1, transport key ${transport.fingerprint}`));
    expect(text).toMatch(line('read aloud', transport.words.join(' ')));
    expect(text).toMatch(line('approvers', 'dave, erin (their signatures not checked)'));
    expect(text).toMatch(line('ceremony', String(runs.export!.ceremony)));
    expect(text).not.toContain((JSON.parse(readFileSync(file, 'utf8')) as { manifest: { keys: { wrapped: string }[] } }).manifest.keys[0]!.wrapped.slice(0, 24));
  });

  it('an escrow manifest: the agent, the payload it names, keys and KCVs, approvers', async () => {
    const file = at('out-escrow', 'escrow-2026-01.json');
    const { text, json } = await inspect(file, /^custos verify escrow .*escrow-2026-01\.json --roster ROSTER .* --payload .*escrow-2026-01\.age gives/);
    expect(json).toMatchObject({ type: 'custos.escrow', agent: { type: 'age', recipient: w.agentRecipient }, payload: { file: 'escrow-2026-01.age' }, keys: [{ name: 'kek-inspect', kcv: runs['add-key']!.keys![0]!.kcv }], approvers: ['dave', 'erin'], rehearsal: true });
    expect(text).toMatch(line('agent', `Escrow Agent Ltd, age recipient ${w.agentRecipient}`));
  });

  it('a backup archive, read at its ends: master key and KCV, files, share sets, approvers; a truncated one says its trailer is missing', async () => {
    const file = at('out-backup', 'vault-backup-2026-01.custos-backup');
    const verified = ok(await custos('verify', 'backup', file, '--roster', w.roster, '--roster-words', w.words, '--json'));
    const { text, json } = await inspect(file, /^custos verify backup .*vault-backup-2026-01\.custos-backup --roster ROSTER/);
    expect(json).toMatchObject({
      type: 'custos.backup',
      ceremony: verified.ceremony,
      created: verified.created,
      masterKeyId: runs.generate!.keyId,
      masterKcv: runs.generate!.kcv,
      approvers: ['dave', 'erin'],
      rehearsal: true,
      files: verified.files,
      shareSets: [{ setId: runs.generate!.setId, threshold: 2, count: 3, custodians: ['alice', 'bob', 'carol'] }],
    });
    expect(text).toMatch(line('master key', `${String(runs.generate!.keyId)} ${String(runs.generate!.kcv)}`));
    expect(text).toMatch(new RegExp(`^share sets\\s+set ${String(runs.generate!.setId)}\\s+2 of 3\\s`, 'm'));
    expect(text).toMatch(/^\s+generate\.jsonl\s+transcript\s+\d+ bytes$/m);
    copyFileSync(file, at('cut.custos-backup'));
    truncateSync(at('cut.custos-backup'), 4000);
    const cut = await inspect(at('cut.custos-backup'), /custos verify backup/);
    expect(cut.json).toMatchObject({ masterKcv: runs.generate!.kcv, approvers: null, seal: null });
    expect(cut.text).toMatch(/^trailer\s+.*: the archive is truncated or damaged$/m);
  });

  it('a receipt: the server, each key imported with its KCV and uid, the time, the bundle SHA-256', async () => {
    const pkcs8 = new Uint8Array(createPrivateKey(TRANSPORT_PEM).export({ type: 'pkcs8', format: 'der' }));
    const bundle = JSON.parse(readFileSync(at('out-export', 'kms-prod-1.bundle.json'), 'utf8')) as { manifest: { ceremony: string; transcript: { head: string }; keys: { id: string; name: string; kcv: string }[] } };
    const k = bundle.manifest.keys[0]!;
    const time = new Date().toISOString();
    writeFileSync(
      at('kms.receipt.json'),
      signReceipt(
        {
          v: 1,
          kind: 'custos.receipt',
          bundle: { sha256: String(runs.export!.sha256), ceremony: bundle.manifest.ceremony, transcriptHead: bundle.manifest.transcript.head },
          transport: { server: 'kms-test-1', fingerprint: transport.fingerprint },
          rehearsal: true,
          servers: [{ endpoint: '127.0.0.1:5696', subject: 'kmip', time, form: 'unwrapped', keys: [{ id: k.id, name: k.name, uid: 'uid-42', kcv: k.kcv, outcome: 'registered' }] }],
        },
        pkcs8,
      ),
    );
    const { text, json } = await inspect(at('kms.receipt.json'), /^custos verify receipt .*kms\.receipt\.json --transport ENROLLMENT --fingerprint HEX/);
    expect(json).toMatchObject({ type: 'custos.receipt', server: 'kms-test-1', bundle: { sha256: runs.export!.sha256 }, keys: [{ name: 'kek-inspect', kcv: k.kcv, uid: 'uid-42', time }], rehearsal: true });
    expect(text).toMatch(line('bundle', `SHA-256 ${String(runs.export!.sha256)}`));
    expect(text).toMatch(new RegExp(`^imported\\s+127\\.0\\.0\\.1:5696\\s+${time.replace(/\./g, '\\.')}\\s+kek-inspect\\s+${k.kcv}\\s+uid uid-42\\s+registered$`, 'm'));
  });

  it('a roster pin, an identity request, a paper share, an age file and an inventory', async () => {
    const pkcs8 = new Uint8Array(createPrivateKey(TRANSPORT_PEM).export({ type: 'pkcs8', format: 'der' }));
    const rosterSha = String(ok(await custos('inspect', w.roster, '--json')).fingerprint);
    writeFileSync(at('roster.pin'), signRosterPin({ v: 1, kind: 'custos.roster-pin', organization: 'Example Bank KMS', roster: rosterSha, words: w.words, pinned: new Date().toISOString(), transport: transport.fingerprint, rehearsal: true }, pkcs8));
    const pin = await inspect(at('roster.pin'), /^custos import BUNDLE --trust .*roster\.pin/);
    expect(pin.json).toMatchObject({ type: 'custos.roster-pin', words: w.words, roster: rosterSha, transport: { fingerprint: transport.fingerprint } });
    expect(pin.text).toMatch(line('roster words', w.words));

    writeFileSync(at('pass.txt'), 'dave identity passphrase\n');
    mkdirSync(at('dave-usb'));
    const req = ok(await custos('identity', 'request', '--id', 'dave', '--name', 'Dave Custodian', '--out', at('dave-usb'), '--passphrase-file', at('pass.txt'), '--json'));
    const r = await inspect(at('dave-usb', 'dave.request.json'), /^the enrollment ceremony that names it \(custos run ENROLL-PLAN\) gives a trusted answer/);
    expect(r.json).toMatchObject({ type: 'custos.enrollment-request', id: 'dave', name: 'Dave Custodian', keyWords: req.words });
    expect(r.text).toMatch(line('key words', String(req.words)));
    const identity = await inspect(at('dave-usb', 'dave.identity.age'), /^the ceremony that unlocks it \(custos run PLAN\) gives a trusted answer/);
    expect(identity.json).toMatchObject({ type: 'age file', namedLike: 'an identity' });

    // Alice's paper share, copied from her share file.
    const record = await openShareFile(provider, new Uint8Array(readFileSync(at('out-generate', 'alice.share.age'))), { passphrase: 'alice share passphrase' });
    const paper = shareToText(provider, record);
    const d = describeShare(record);
    wipeShareRecord(record);
    writeFileSync(at('alice.share.txt'), paper);
    const share = await inspect(at('alice.share.txt'), /^custos verify shares .*alice\.share\.txt --vault VAULT --roster ROSTER/);
    expect(share.json).toMatchObject({ type: 'paper share', share: { ...d, setId: runs.generate!.setId, index: 1, count: 3, threshold: 2 } });
    expect(share.text).toMatch(line('share', '1 of 3 (any 2 restore)'));
    expect(share.text).toMatch(line('kcv', String(runs.generate!.kcv)));
    for (const l of paper.split('\n').slice(1, -1)) expect(share.text + JSON.stringify(share.json)).not.toContain(l.slice(4, 18));

    const age = await inspect(at('out-generate', 'alice.share.age'), /custos verify shares .*alice\.share\.age .*--answers ANSWERS/);
    expect(age.json).toMatchObject({ type: 'age file', sealedTo: 'a passphrase (scrypt, work factor 2^10)', namedLike: 'a share file' });
    expect(age.text).toMatch(line('sealed to', 'a passphrase (scrypt, work factor 2^10)'));

    const inv = readdirSync(at('vault')).filter((n) => n.startsWith('inventory-')).sort().at(-1)!;
    const inventory = await inspect(at('vault', inv), /^custos verify transcript TRANSCRIPT/);
    expect(inventory.json).toMatchObject({ type: 'custos.inventory', masterKeyId: runs.generate!.keyId, masterKcv: runs.generate!.kcv, keys: [{ name: 'kek-inspect', kcv: runs['add-key']!.keys![0]!.kcv }] });
  });

  it('a file that is not a Custos file, or a damaged one, is an input error naming it (exit 2)', async () => {
    writeFileSync(at('notes.txt'), 'hello\n');
    expect(await custos('inspect', at('notes.txt'))).toMatchObject({ code: 2, err: `custos: ${at('notes.txt')}: is not a file Custos recognises\n` });
    const j = await custos('inspect', at('notes.txt'), '--json');
    expect(j.code).toBe(2);
    expect(JSON.parse(j.out)).toMatchObject({ ok: false, error: { kind: 'input', code: 'inspect.unknown', field: at('notes.txt') } });
    writeFileSync(at('other.json'), '{"name":"not custos"}\n');
    expect(await custos('inspect', at('other.json'))).toMatchObject({ code: 2, err: expect.stringContaining(`${at('other.json')}: is not a file Custos recognises`) });
    writeFileSync(at('bad.bundle.json'), readFileSync(at('out-export', 'kms-prod-1.bundle.json'), 'utf8').replace(/"kcv":"cmac-aes:[0-9a-f]{6}"/, '"kcv":"cmac-aes:zz"'));
    expect(await custos('inspect', at('bad.bundle.json'))).toMatchObject({ code: 2, err: expect.stringMatching(/bad\.bundle\.json: looks like an export bundle, but bundle\.manifest\.keys\[0\]\.kcv: must be a KCV/) });
    expect(await custos('inspect', at('missing.json'))).toMatchObject({ code: 2, err: expect.stringContaining(`${at('missing.json')} cannot be read (ENOENT)`) });
  });
});
