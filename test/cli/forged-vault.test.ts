/**
 * Transcripts the engine would never write, signed with real keys of a real roster (from the
 * enrollment ceremony), each aimed at the vault's real share set or master key: the auditor's
 * `custos verify transcript` refuses each (exit 1) naming the rule it breaks; `custos vault
 * doctor` reports each, dropped into the real vault, as ignored with that reason; and with all
 * of them in the vault the next real ceremony runs as if they were not there. One real run
 * serves all of them: each real run costs every person's scrypt-sealed identity and share.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openIdentity, type IdentitySecrets } from '../../src/core/roster/identity';
import { nativeProvider as provider } from '../../src/node/native-provider';
import { forged, type Step, type Data } from '../helpers/forge';
import { custos, custosTyping, enrollmentCeremony, typing, workstation } from '../helpers/lifecycle';

const dir = mkdtempSync(join(tmpdir(), 'custos-forged-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
const PEOPLE = [
  ['oscar', 'Oscar Operator', 'operator'],
  ['wendy', 'Wendy Witness', 'witness'],
  ['alice', 'Alice Custodian', 'custodian'],
  ['bob', 'Bob Custodian', 'custodian'],
  ['carol', 'Carol Custodian', 'custodian'],
  ['victor', 'Victor Witness', 'witness, custodian'],
  ['olga', 'Olga Operator', 'operator, witness'],
] as const;

let w: Awaited<ReturnType<typeof workstation>>;
let real: Awaited<ReturnType<typeof enrollmentCeremony>>;
const pin = () => ['--roster', real.roster, '--roster-words', real.words];
/** Each case: its file name, the transcript, and the reason the auditor and the vault give. */
const cases: { file: string; what: string; text: string; why: RegExp }[] = [];

beforeAll(async () => {
  w = await workstation(dir); // for its plan files only: the roster below is real
  real = await enrollmentCeremony(dir, PEOPLE, { idsDir: 'real-ids', out: 'out-enroll', vault: 'vault' });
  const small = (t: string) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]').replace('forms: [file, paper]', 'forms: [file]');
  const gen = await custosTyping(typing(dir, {}, 'real-ids'), 'run', w.plan('real-generate', 'generate', small, { out: 'out-real', roster: { file: 'out-enroll/roster.json', words: real.words } }));
  if (gen.code !== 0) throw new Error(gen.err + gen.out);
  const split = readFileSync(at('vault', 'real-generate.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string; data: Data }).find((e) => e.type === 'shares.split')!.data;
  const setId = String(split.setId);
  const keyId = String(split.keyId);
  const signers = new Map<string, IdentitySecrets>();
  for (const id of ['oscar', 'wendy', 'victor', 'olga']) signers.set(id, await openIdentity(provider, new Uint8Array(readFileSync(at('real-ids', `${id}.identity.age`))), `${id} identity passphrase`));
  const revoke: Step = ['oscar', 'shares.revoked', { setId, keyId }];
  const forge = (opener: string, open: Data, steps: Step[], attesters: string[]) => forged(signers, real.result.roster, opener, open, steps, attesters, { rehearsal: false, start: new Date().toISOString() });
  cases.push(
    {
      file: 'witness-revokes.jsonl',
      what: 'a witness alone revokes the share set',
      text: forge('wendy', { kind: 'reshare', operator: 'wendy', witnesses: [] }, [['wendy', 'shares.revoked', { setId, keyId }]], ['wendy']),
      why: /transcript\.line\[1\]\.actor: wendy is not enrolled as operator/,
    },
    {
      file: 'confirm-retires.jsonl',
      what: 'a confirm-import with no witnesses retires the master key',
      text: forge('oscar', { kind: 'confirm-import', operator: 'oscar', witnesses: [] }, [['oscar', 'import.confirmed', {}], ['oscar', 'master.retired', { keyId }]], ['oscar']),
      why: /transcript\.line\[1\]\.data\.witnesses: must list the witnesses: a ceremony is witnessed/,
    },
    {
      file: 'twice-custodian.jsonl',
      what: 'one custodian twice in a generate',
      text: forge('oscar', { kind: 'generate', operator: 'oscar', witnesses: ['wendy'], custodians: ['alice', 'alice', 'bob'], threshold: 2 }, [], ['wendy', 'oscar']),
      why: /transcript\.line\[1\]\.data\.custodians: alice would hold two shares of one set/,
    },
    {
      file: 'custodian-witness.jsonl',
      what: 'a custodian of the quorum as witness, revoking the set',
      text: forge('oscar', { kind: 'reshare', operator: 'oscar', witnesses: ['victor'], quorum: ['alice', 'victor'] }, [revoke], ['victor', 'oscar']),
      why: /transcript\.line\[1\]\.data\.witnesses: victor cannot be custodian and witness in the same ceremony/,
    },
    {
      file: 'approver-witness.jsonl',
      what: 'an approver as witness',
      text: forge('oscar', { kind: 'export-bundle', operator: 'oscar', witnesses: ['victor'], quorum: ['alice', 'bob'], approvers: ['carol', 'victor'] }, [revoke], ['victor', 'oscar']),
      why: /transcript\.line\[1\]\.data\.approvers: victor cannot approve and witness the same ceremony/,
    },
    {
      file: 'operator-witness.jsonl',
      what: 'the operator as witness, revoking the set',
      // Olga attests once: a second attestation by the same person does not even verify.
      text: forge('olga', { kind: 'reshare', operator: 'olga', witnesses: ['olga'], quorum: ['alice', 'bob'] }, [['olga', 'shares.revoked', { setId, keyId }]], ['olga']),
      why: /transcript\.line\[1\]\.data\.witnesses: olga operates this ceremony and cannot also witness it/,
    },
  );
  mkdirSync(at('forged'));
  for (const c of cases) writeFileSync(at('forged', c.file), c.text);
}, 240_000);

describe('forged transcripts under a real roster', { timeout: 180_000 }, () => {
  it('the auditor refuses each (exit 1), naming the rule it breaks', async () => {
    expect(cases).toHaveLength(6);
    for (const c of cases) {
      const r = await custos('verify', 'transcript', at('forged', c.file), ...pin());
      expect(r.code, `${c.what}: ${r.err}`).toBe(1);
      expect(r.err, c.what).toMatch(c.why);
      expect(r.out, c.what).toBe('');
    }
  });

  it('each, alone in a copy of the real vault, is reported by the doctor as ignored, with its reason, blocking nothing', async () => {
    for (const [i, c] of cases.entries()) {
      cpSync(at('vault'), at(`vault-${i}`), { recursive: true });
      writeFileSync(at(`vault-${i}`, c.file), c.text);
      const d = await custos('vault', 'doctor', at(`vault-${i}`), ...pin(), '--json');
      expect(d.code, `${c.what}: ${d.err}`).toBe(0);
      const report = JSON.parse(d.out) as { closed: string[]; findings: { file: string; status: string; why: string; blocks?: string }[] };
      expect(report.findings, c.what).toEqual([{ file: c.file, status: 'ignored', why: expect.stringMatching(new RegExp(`^it is not a valid ceremony \\(${c.why.source}`)), todo: expect.any(String) }]);
      expect(report.closed.sort(), c.what).toEqual(['enroll-2026.jsonl', 'real-generate.jsonl']);
    }
  });

  it('all of them in the real vault: the next real ceremony runs with the set they revoke and the master key they retire, and names each as ignored', async () => {
    for (const c of cases) writeFileSync(at('vault', c.file), c.text);
    const plan = w.plan('next', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]').replace('"vsphere-kek-2026"', 'kek-next'), { roster: { file: 'out-enroll/roster.json', words: real.words } });
    const r = await custosTyping(typing(dir, { alice: 'out-real/alice.share.age', bob: 'out-real/bob.share.age' }, 'real-ids'), 'run', plan);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/add-key ceremony [0-9a-f]{32} closed/);
    for (const c of cases) expect(r.out, c.what).toMatch(new RegExp(`Vault: ${c.file.replace('.', '\\.')} is ignored: it is not a valid ceremony \\(${c.why.source}`));
    expect((await custos('verify', 'transcript', at('vault', 'next.jsonl'), ...pin())).code).toBe(0);
  });
});
