/**
 * The engine process as the app runs it: a real Node child process (the app's is Electron's
 * utility process, with the same messages), driven through EngineRun by a scripted room. A
 * generate is cancelled in the middle, started again, resumed and closed; the CLI verifies its
 * transcript. On the way: a mistyped passphrase asked again with its attempt number, an answer
 * of the wrong kind stopped by the host, a message to no open prompt refused by the engine.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineRun, type EngineChild, type RunListener } from '../../src/node/engine-host';
import type { Answer, Prompt, Script, WrittenFile } from '../../src/node/engine-protocol';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { custos, workstation } from '../helpers/lifecycle';

const dir = mkdtempSync(join(tmpdir(), 'custos-engine-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
const bytes = (s: string) => new TextEncoder().encode(s);
let w: Awaited<ReturnType<typeof workstation>>;
beforeAll(async () => {
  w = await workstation(dir);
}, 60_000);

function child(): EngineChild & { raw: (m: unknown) => void } {
  const c = fork('src/node/engine-process.ts', [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', env: { ...process.env, CUSTOS_ENGINE_CHILD: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return {
    send: (m) => c.send(m as never),
    raw: (m) => c.send(m as never),
    onMessage: (l) => c.on('message', l),
    onExit: (l) => c.on('exit', (code) => l(code)),
    kill: () => c.kill('SIGKILL'),
  };
}

type Outcome = Parameters<RunListener['end']>[0];

/** A room that answers every prompt as `answer` says; `stopAt` cancels at the first prompt it matches. */
function room(c: ReturnType<typeof child>, answer: (p: Prompt) => Answer, opts: { stopAt?: (p: Prompt) => boolean; onPrompt?: (id: number, p: Prompt, run: EngineRun) => void } = {}) {
  const prompts: Prompt[] = [];
  const events: string[] = [];
  const progress: { what: string; done: number; total: number }[] = [];
  const refused: string[] = [];
  let unwiped = 0;
  let resolveEnd!: (o: Outcome) => void;
  const ended = new Promise<Outcome>((r) => (resolveEnd = r));
  const scripts: Script[] = [];
  const readAloud: string[] = [];
  const written: WrittenFile[] = [];
  const steps: string[] = [];
  const stepStates: string[] = [];
  const warnings: string[] = [];
  const run: EngineRun = new EngineRun(c, {
    script: (s) => void scripts.push(s),
    prompt(id, p) {
      prompts.push(p);
      opts.onPrompt?.(id, p, run);
      if (opts.stopAt?.(p)) return run.cancel();
      queueMicrotask(() => {
        const a = answer(p);
        if (run.answer(id, a) && 'passphrase' in a && a.passphrase) unwiped += a.passphrase.some((b) => b !== 0) ? 1 : 0; // main keeps no copy once sent
      });
    },
    event: (e) => {
      events.push(`${e.actor}:${e.type}`);
      if (e.step) steps.push(e.step);
    },
    say: () => undefined,
    readAloud: (v) => void readAloud.push(v.label),
    written: (f) => void written.push(f),
    progress: (w) => void progress.push(w),
    step: (st) => void stepStates.push(`${st.id}:${st.state}`),
    warning: (t) => void warnings.push(t),
    end: resolveEnd,
    refused: (r) => void refused.push(r),
  });
  return { run, prompts, events, refused, ended, progress, scripts, steps, stepStates, warnings, readAloud, written, unwiped: () => unwiped };
}

const people = (mistype: { done: boolean }) => (p: Prompt): Answer => {
  switch (p.kind) {
    case 'unlock':
      return { kind: 'unlock', identityFile: at('ids', `${p.who}.identity.age`), passphrase: bytes(`${p.who} identity passphrase`) };
    case 'choose-passphrase':
      if (p.who === 'alice' && !mistype.done) {
        mistype.done = true;
        return { kind: 'choose-passphrase', passphrase: bytes('alice share passphrase'), again: bytes('alice share passphrasd') };
      }
      return { kind: 'choose-passphrase', passphrase: bytes(`${p.who} share passphrase`), again: bytes(`${p.who} share passphrase`) };
    case 'reenter-passphrase':
      return { kind: 'reenter-passphrase', passphrase: bytes(`${p.who} share passphrase`) };
    case 'review':
      return { kind: 'review', approve: true };
    case 'share':
      return { kind: 'share', file: at('out-generate', `${p.who}.share.age`), passphrase: bytes(`${p.who} share passphrase`) };
    default:
      throw new Error(`unexpected prompt ${p.kind}`);
  }
};

describe('the engine process', () => {
  it('runs a generate for the app: Cancel in the middle, then start again, resume and close; the CLI verifies it', async () => {
    const plan = w.plan('generate', 'generate', (t) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]').replace('forms: [file, paper]', 'forms: [file]'));
    const mistype = { done: false };
    const c1 = child();
    let probed = false;
    const first = room(c1, people(mistype), {
      stopAt: (p) => p.kind === 'reenter-passphrase',
      onPrompt(id, p, run) {
        if (probed || p.kind !== 'unlock') return;
        probed = true;
        // The host stops an answer of another kind; the engine refuses an answer to a prompt that is not open.
        expect(run.answer(id, { kind: 'dice', rolls: '123' })).toBe(false);
        c1.raw({ type: 'answer', id: id + 1000, answer: { kind: 'review', approve: true } });
        c1.raw({ type: 'answer', id, answer: { kind: 'unlock', identityFile: 'x', passphrase: 'not bytes' } });
      },
    });
    first.run.start(plan, true, '0.1.0-test', 10);
    const o1 = await first.ended;
    expect(o1).toEqual({ stopped: expect.stringMatching(/cancelled: the ceremony is interrupted, not lost/) });
    expect(first.refused).toEqual([
      expect.stringMatching(/the open prompt is 1 \(unlock\), not 1 \(dice\)/),
      expect.stringMatching(/no open prompt 1001/),
      expect.stringMatching(/^malformed message/),
    ]);
    const retried = first.prompts.filter((p) => p.kind === 'choose-passphrase' && p.who === 'alice');
    expect(retried.map((p) => p.attempt)).toEqual([1, 2]);
    expect(first.events).toContain('oscar:attempt.failed');
    // The subset check reported as it went: 2-of-3 has 3 subsets, the last report is the whole.
    expect(first.progress.filter((p) => p.what === 'subsets').at(-1)).toEqual({ what: 'subsets', done: 3, total: 3 });
    expect(first.events.filter((e) => e.endsWith(':share.issued'))).toEqual(['alice:share.issued', 'bob:share.issued', 'carol:share.issued']);
    expect(readdirSync(at('out-generate')).sort()).toEqual(['alice.share.age', 'bob.share.age', 'carol.share.age']);
    // Each share file was reported once written and read back, with the SHA-256 of the bytes on the medium.
    expect(first.written.map((f) => f.name)).toEqual(['alice.share.age', 'bob.share.age', 'carol.share.age']);
    for (const f of first.written) expect(f).toEqual({ medium: 'outputs', location: at('out-generate'), name: f.name, sha256: createHash('sha256').update(readFileSync(at('out-generate', f.name))).digest('hex') });
    // The script came first, whole, with names from the roster; each step recorded was reported by its id.
    expect(first.scripts).toHaveLength(1);
    const script = first.scripts[0]!;
    expect(script).toMatchObject({ kind: 'generate', rehearsal: true, resuming: false, done: [], people: { alice: 'Alice Custodian', wendy: 'Wendy Witness' } });
    expect(script.steps.find((s) => s.id === 'issue:bob')).toMatchObject({ person: 'bob', name: 'Bob Custodian', position: 'custodian 2 of 3' });
    expect(first.steps.slice(0, 3)).toEqual(['open', 'generate', 'split']);
    // The engine said where it is in the script: each step started, then done, in the script's order.
    expect(first.stepStates.slice(0, 6)).toEqual(['open:started', 'open:done', 'generate:started', 'generate:done', 'split:started', 'split:done']);
    // Each scrypt derivation (identities opened, share files sealed) was reported as work going on.
    expect(first.progress.filter((p) => p.what === 'scrypt').slice(0, 2)).toEqual([{ what: 'scrypt', done: 0, total: 1 }, { what: 'scrypt', done: 1, total: 1 }]);
    expect(first.steps).toContain('issue:carol');

    const second = room(child(), people(mistype));
    second.run.start(plan, true, '0.1.0-test', 10);
    const o2 = await second.ended;
    expect(first.unwiped() + second.unwiped()).toBe(0);
    expect(o2).toEqual({ closed: expect.objectContaining({ kind: 'generate', rehearsal: true, kcv: expect.stringMatching(/^cmac-aes:/) }) });
    expect(second.events.slice(0, 2)).toEqual(['oscar:ceremony.resumed', 'wendy:deviation.countersigned']);
    // Resumed: the script says which steps the interrupted run did.
    // Resumed: the first step it starts is the first the interrupted run had not done.
    expect(second.stepStates[0]).toBe(`${second.scripts[0]!.steps.find((st) => !second.scripts[0]!.done.includes(st.id))!.id}:started`);
    expect(second.scripts[0]).toMatchObject({ resuming: true, done: expect.arrayContaining(['open', 'generate', 'split', 'inventory', 'issue:alice', 'issue:carol']) });
    expect(second.steps.at(-1)).toBe('close');
    // Values for the room to read aloud came as such: the KCV at the split, the closing head.
    expect(first.readAloud).toEqual(['Master key KCV']);
    expect(second.readAloud).toEqual(['Closing head']);
    expect(second.events.slice(-2)).toEqual(['wendy:attest', 'oscar:attest']);
    const v = await custos('verify', 'transcript', at('vault', 'generate.jsonl'), '--roster', w.roster, '--roster-words', w.words, '--json');
    expect(v.code, v.err).toBe(0);
    expect(JSON.parse(v.out)).toMatchObject({ kcv: (o2 as { closed: { kcv: string } }).closed.kcv });
  }, 120_000);

  it('backs up and restores for the app, reporting the bytes as it goes', async () => {
    const backup = room(child(), people({ done: true }));
    backup.run.start(w.plan('backup', 'backup'), true, '0.1.0-test');
    expect(await backup.ended).toEqual({ closed: expect.objectContaining({ kind: 'backup' }) });
    const sealed = backup.progress.filter((p) => p.what === 'backup');
    expect(sealed.length).toBeGreaterThan(0);
    expect(sealed.at(-1)!.done).toBe(sealed.at(-1)!.total);
    expect(backup.prompts.filter((p) => p.kind === 'review').map((p) => [p.who, p.summary?.title])).toEqual([
      ['dave', expect.stringMatching(/^Approve a backup/)],
      ['erin', expect.stringMatching(/^Approve a backup/)],
    ]);
    const file = readdirSync(at('out-backup')).find((n) => n.endsWith('.custos-backup'))!;
    const restore = room(child(), people({ done: true }));
    restore.run.start(w.plan('restore', 'restore', (t) => t.replace(/file: \S+\.custos-backup/, `file: out-backup/${file}`).replace('quorum: [alice, bob, carol]', 'quorum: [alice, bob]'), { vault: 'vault-restored' }), true, '0.1.0-test');
    expect(await restore.ended).toEqual({ closed: expect.objectContaining({ kind: 'restore' }) });
    const restored = restore.progress.filter((p) => p.what === 'restore');
    expect(restored.at(-1)).toEqual({ what: 'restore', done: sealed.at(-1)!.total, total: sealed.at(-1)!.total });
  }, 120_000);

  it('a refusal before anyone is asked comes back as the failure, naming the field', async () => {
    const plan = w.plan('one-short', 'add-key', (t) => t.replace('quorum: [alice, bob, carol]', 'quorum: [alice]'));
    const r = room(child(), () => {
      throw new Error('nobody may be asked');
    });
    r.run.start(plan, true, '0.1.0-test');
    expect(await r.ended).toEqual({ failed: expect.objectContaining({ code: 'quorum.short', field: 'plan.quorum' }) });
    expect(r.prompts).toEqual([]);
    // The script's first step is where it stopped.
    expect(r.stepStates).toEqual(['open:started', 'open:failed']);
  }, 60_000);
});
