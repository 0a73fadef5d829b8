/**
 * Crashes: the CLI is killed with SIGKILL at random points of a generate and of a backup
 * ceremony (after a random number of transcript lines, plus a random delay). Whatever the
 * point, no half-written output is left under its final name, and a rerun of the same plan
 * either resumes to a closed, verifying ceremony or refuses cleanly, leaving a transcript that
 * does not verify and shares that `custos verify shares` refuses.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededRng } from '../../src/core/crypto/random';
import { uniformInt } from '../../src/core/shares/subsets';
import { openShareFile } from '../../src/core/shares/file';
import { combineShares } from '../../src/core/shares/combine';
import { verifyRoster } from '../../src/core/roster/roster';
import { nativeProvider as provider } from '../../src/node/native-provider';
import { custos, workstation } from '../helpers/lifecycle';

const dir = mkdtempSync(join(tmpdir(), 'custos-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
const rng = seededRng('crash points');
let w: Awaited<ReturnType<typeof workstation>>;

beforeAll(async () => {
  w = await workstation(dir);
}, 60_000);

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').length - 1 : 0);

/** Run the CLI in its own process and SIGKILL it once the transcript has `after` lines and `delay` ms more passed. */
function runAndKill(args: string[], transcript: string, after: number, delay: number): Promise<'killed' | 'finished'> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { stdio: 'ignore' });
    let done = false;
    child.on('exit', (_code, signal) => {
      done = true;
      clearInterval(poll);
      resolve(signal === 'SIGKILL' ? 'killed' : 'finished');
    });
    const poll = setInterval(() => {
      if (done || lines(transcript) < after) return;
      clearInterval(poll);
      setTimeout(() => child.kill('SIGKILL'), delay);
    }, 1);
  });
}

/** Files under their final names (partials are hidden and never count). */
const published = (d: string) => (existsSync(d) ? readdirSync(d).filter((n) => !n.startsWith('.')) : []);

describe('SIGKILL at random points', () => {
  it('generate: a rerun resumes to a closed ceremony or refuses cleanly; nothing half-written verifies', async () => {
    const outcomes: string[] = [];
    const custodians = ['alice', 'bob', 'carol'];
    for (let trial = 0; trial < 6; trial++) {
      const name = `gen-${trial}`;
      const plan = w.plan(name, 'generate', (t) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', `[${custodians.join(', ')}]`).replace('forms: [file, paper]', 'forms: [file]'), { vault: `vault-${name}` });
      const answers = w.answersFile(name, `out-${name}`, custodians);
      const transcript = at(`vault-${name}`, `${name}.jsonl`);
      const after = 1 + uniformInt(rng, 9); // open .. verification steps
      const how = await runAndKill(['rehearse', plan, '--answers', answers, '--work-factor', '12'], transcript, after, uniformInt(rng, 40));
      // Whatever was published is complete: every share file opens.
      for (const f of published(at(`out-${name}`))) await openShareFile(provider, new Uint8Array(readFileSync(at(`out-${name}`, f))), { passphrase: `${f.split('.')[0]} share passphrase` });
      const again = await custos('rehearse', plan, '--answers', answers, '--work-factor', '12');
      const verify = await custos('verify', 'transcript', transcript, '--roster', w.roster, '--roster-words', w.words);
      if (again.code === 0) {
        expect(verify.code, verify.err).toBe(0);
        const roster = verifyRoster(provider, readFileSync(w.roster, 'utf8'));
        const shares = await Promise.all(
          custodians.slice(0, 2).map(async (c) => ({ label: c, record: await openShareFile(provider, new Uint8Array(readFileSync(at(`out-${name}`, `${c}.share.age`))), { passphrase: `${c} share passphrase` }) })),
        );
        const key = await combineShares(provider, shares, { signer: roster.publicKey('oscar')! });
        expect(verify.out).toContain(key.kcv);
        outcomes.push(`${how}@${after}: resumed`);
      } else {
        expect(again.code, again.err).toBe(1);
        expect(again.err).toMatch(/this ceremony is complete|the master key is gone|that key is gone|aborted/);
        if (/complete/.test(again.err)) {
          expect(verify.code, verify.err).toBe(0);
          outcomes.push(`${how}@${after}: complete`);
          continue;
        }
        expect(verify.code).toBe(1);
        for (const f of published(at(`out-${name}`))) {
          const s = await custos('verify', 'shares', at(`out-${name}`, f), '--transcript', transcript, '--roster', w.roster, '--roster-words', w.words, '--answers', answers);
          expect(s.code, `${f} must not verify`).toBe(1);
        }
        outcomes.push(`${how}@${after}: refused`);
      }
    }
    console.info(`generate crash outcomes: ${outcomes.join("; ")}`);
    expect(outcomes.some((o) => o.startsWith('killed'))).toBe(true);
  }, 600_000);

  it('backup: a rerun completes the ceremony; no half-written archive is ever published', async () => {
    const gen = w.plan('base', 'generate', (t) => t.replace('forms: [file, paper]', 'forms: [file]'), { vault: 'vault-b' });
    expect((await custos('rehearse', gen, '--answers', w.answersFile('base', 'out-base', []), '--work-factor', '10')).code).toBe(0);
    const add = w.plan('base-add', 'add-key', (t) => t.replace('"vsphere-kek-2026"', 'kek'), { vault: 'vault-b' });
    expect((await custos('rehearse', add, '--answers', w.answersFile('base-add', 'out-base', ['alice', 'bob', 'carol']))).code).toBe(0);
    let killed = 0;
    for (let trial = 0; trial < 6; trial++) {
      const name = `bak-${trial}`;
      const plan = w.plan(name, 'backup', (t) => t, { vault: 'vault-b' });
      const answers = w.answersFile(name, 'out-base', []);
      const transcript = at('vault-b', `${name}.jsonl`);
      const archive = at(`out-${name}`, 'vault-backup-2026-01.custos-backup');
      const how = await runAndKill(['rehearse', plan, '--answers', answers], transcript, 1 + uniformInt(rng, 4), uniformInt(rng, 30));
      if (how === 'killed') killed++;
      if (existsSync(archive)) expect((await custos('verify', 'backup', archive, '--roster', w.roster, '--roster-words', w.words)).code, 'a published archive is complete').toBe(0);
      const again = await custos('rehearse', plan, '--answers', answers);
      if (how === 'killed' && again.code !== 0) expect(again.err).toMatch(/this ceremony is complete/);
      expect((await custos('verify', 'backup', archive, '--roster', w.roster, '--roster-words', w.words)).code).toBe(0);
      expect((await custos('verify', 'transcript', transcript, '--roster', w.roster, '--roster-words', w.words)).code).toBe(0);
      expect(published(at(`out-${name}`))).toEqual(['vault-backup-2026-01.custos-backup']);
    }
    expect(killed).toBeGreaterThan(0);
  }, 600_000);
});
