/**
 * A ceremony run as the window drives it, through main's handlers: the plan and every identity
 * file chosen in main's dialog (tokens), answers relayed to a real engine process (a Node child
 * here, Electron's utility process in the app), the run's prompts and events relayed back.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Choices } from '../../src/main/choices';
import { appHandlers } from '../../src/main/handlers';
import { Runs } from '../../src/main/runs';
import { SettingsStore } from '../../src/main/settings';
import { nativeProvider } from '../../src/node/native-provider';
import type { EngineChild } from '../../src/node/engine-host';
import type { RunMessage, UiAnswer } from '../../src/shared/ipc';
import { custos, workstation } from '../helpers/lifecycle';

const dir = mkdtempSync(join(tmpdir(), 'custos-runs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (...p: string[]) => join(dir, ...p);
let w: Awaited<ReturnType<typeof workstation>>;
beforeAll(async () => {
  w = await workstation(dir);
}, 60_000);

const nodeEngine = (): EngineChild => {
  const c = fork('src/node/engine-process.ts', [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', env: { ...process.env, CUSTOS_ENGINE_CHILD: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return { send: (m) => c.send(m as never), onMessage: (l) => c.on('message', l), onExit: (l) => c.on('exit', (code) => l(code)), kill: () => c.kill('SIGKILL') };
};

describe('main runs a ceremony for the window', () => {
  it('generate 2-of-3 with every file chosen by token; a path or a token of another kind is refused; one run at a time', async () => {
    const choices = new Choices();
    const picks: string[] = [];
    const messages: RunMessage[] = [];
    let ended!: (m: RunMessage) => void;
    const end = new Promise<RunMessage>((r) => (ended = r));
    const bytes = (s: string) => new TextEncoder().encode(s);
    // eslint-disable-next-line prefer-const -- assigned once the handlers exist
    let handlers: ReturnType<typeof appHandlers>;
    const ids = new Map<string, string>();
    const runs = new Runs({
      fork: nodeEngine,
      choices,
      appVersion: 'test',
      send(m) {
        messages.push(m);
        if (m.type === 'end') return ended(m);
        if (m.type !== 'prompt') return;
        const p = m.prompt;
        const reply = (a: UiAnswer) => queueMicrotask(() => void handlers.answer(m.run, m.id, a));
        if (p.kind === 'unlock') {
          if (p.who === 'oscar' && !ids.has('refused')) {
            ids.set('refused', 'yes');
            // A token for a plan does not open an identity: refused by main, the prompt stays open.
            expect(runs.answer(m.run, m.id, { kind: 'unlock', identityFile: planToken, passphrase: bytes('x') })).toBe(false);
          }
          const t = ids.get(p.who) ?? choices.add('identity', at('ids', `${p.who}.identity.age`)).token;
          ids.set(p.who, t);
          return reply({ kind: 'unlock', identityFile: t, passphrase: bytes(`${p.who} identity passphrase`) });
        }
        if (p.kind === 'choose-passphrase') return reply({ kind: 'choose-passphrase', passphrase: bytes(`${p.who} share passphrase`), again: bytes(`${p.who} share passphrase`) });
        if (p.kind === 'reenter-passphrase') return reply({ kind: 'reenter-passphrase', passphrase: bytes(`${p.who} share passphrase`) });
        throw new Error(`unexpected prompt ${p.kind}`);
      },
    });
    handlers = appHandlers({
      about: () => ({ name: 'Custos', version: 'test', nativeCrypto: [], runtime: 'test' }),
      dialog: async () => picks.shift(),
      saveDialog: async () => undefined,
      print: async () => ({ printed: false }),
      camera: () => undefined,
      network: () => ({ interfaces: [] }),
      clock: () => new Date(),
      drives: () => [],
      provider: nativeProvider,
      settings: new SettingsStore(join(dir, 'settings.json')),
      choices,
      runs,
    });
    picks.push(w.plan('generate', 'generate', (t) => t.replace('threshold: 3', 'threshold: 2').replace('[alice, bob, carol, dave, erin]', '[alice, bob, carol]').replace('forms: [file, paper]', 'forms: [file]')));
    const planToken = (await handlers.choose('plan'))!.token;
    const { run } = await handlers.startRun({ plan: planToken, rehearsal: true });
    expect(() => runs.start({ plan: planToken, rehearsal: true })).toThrowError(/run 1 is still going: one ceremony at a time/);
    const last = await end;
    expect(last).toMatchObject({ run, type: 'end', outcome: { closed: { kind: 'generate', kcv: expect.stringMatching(/^cmac-aes:/) } } });
    expect(messages.filter((m) => m.type === 'refused').map((m) => (m as { reason: string }).reason)).toEqual(['the answer names a file that was not chosen in this window']);
    expect(messages.filter((m) => m.type === 'event').map((m) => (m as { event: { type: string } }).event.type).at(-1)).toBe('attest');
    const v = await custos('verify', 'transcript', at('vault', 'generate.jsonl'), '--roster', w.roster, '--roster-words', w.words);
    expect(v.code, v.err).toBe(0);
  }, 120_000);
});

describe('what main vouches for at a show-share moment', () => {
  /** An engine that asks one question and records the answers it is sent. */
  function fakeEngine() {
    const sent: unknown[] = [];
    let deliver: (m: unknown) => void = () => undefined;
    const child: EngineChild = { send: (m) => void sent.push(m), onMessage: (l) => void (deliver = l), onExit: () => undefined, kill: () => undefined };
    return { child, sent, ask: (id: number, prompt: Record<string, unknown>) => deliver({ type: 'prompt', id, prompt }), raw: (m: unknown) => deliver(m) };
  }
  it('the camera opened at a share prompt is main’s to record: noted only while that prompt is open, and the window cannot claim it', () => {
    const e = fakeEngine();
    const choices = new Choices();
    const runs = new Runs({ fork: () => e.child, send: () => undefined, choices, appVersion: 'test' });
    const { run } = runs.start({ plan: choices.add('plan', '/media/plan.yaml').token, rehearsal: true });
    // The window says the camera was used: dropped, main's gate never opened.
    e.ask(1, { kind: 'share', who: 'alice', attempt: 1 });
    expect(runs.answer(run, 1, { kind: 'share', typed: 'CARD', camera: true })).toBe(true);
    expect(e.sent.at(-1)).toEqual({ type: 'answer', id: 1, answer: { kind: 'share', typed: 'CARD' } });
    // Opened while bob is asked, then he types his card: recorded with his answer.
    e.ask(2, { kind: 'share', who: 'bob', attempt: 1 });
    runs.noteCamera();
    expect(runs.answer(run, 2, { kind: 'share', typed: 'CARD' })).toBe(true);
    expect(e.sent.at(-1)).toEqual({ type: 'answer', id: 2, answer: { kind: 'share', typed: 'CARD', camera: true } });
    // Noted at another prompt: nothing to record.
    e.ask(3, { kind: 'dice', who: 'carol', attempt: 1 });
    runs.noteCamera();
    e.ask(4, { kind: 'share', who: 'carol', attempt: 1 });
    expect(runs.answer(run, 4, { kind: 'share', scanned: 'CUSTOS:SHARE:1:X' })).toBe(true);
    expect(e.sent.at(-1)).toEqual({ type: 'answer', id: 4, answer: { kind: 'share', scanned: 'CUSTOS:SHARE:1:X' } });
  });
  it('what the engine sends is checked like IPC: a malformed or unknown message is refused and not relayed; an answer must fit the open prompt', () => {
    const e = fakeEngine();
    const choices = new Choices();
    const shown: RunMessage[] = [];
    const runs = new Runs({ fork: () => e.child, send: (m) => void shown.push(m), choices, appVersion: 'test' });
    const { run } = runs.start({ plan: choices.add('plan', '/media/plan.yaml').token, rehearsal: true });
    e.raw({ type: 'progress', work: { what: 'mining', done: 1, total: 2 } });
    e.raw({ type: 'exec', command: 'rm -rf /' });
    e.raw({ type: 'prompt', id: 1, prompt: { kind: 'unlock', who: '../oscar', attempt: 1 } });
    e.raw({ type: 'step', step: { id: 'open', state: 'started', extra: true } });
    expect(shown.map((m) => m.type)).toEqual(['refused', 'refused', 'refused', 'refused']);
    expect(shown.map((m) => (m as { reason: string }).reason)).toEqual(Array(4).fill(expect.stringMatching(/^the engine sent a malformed message: /)));
    // A well-formed step and warning are relayed as they came.
    e.raw({ type: 'step', step: { id: 'open', state: 'started' } });
    e.raw({ type: 'warning', text: 'wlan0 is up' });
    expect(shown.slice(4)).toEqual([
      { run, type: 'step', step: { id: 'open', state: 'started' } },
      { run, type: 'warning', text: 'wlan0 is up' },
    ]);
    // An answer to a prompt that is not the open one (id or kind) is refused before it reaches the engine.
    e.ask(7, { kind: 'dice', who: 'oscar', attempt: 1 });
    const sentBefore = e.sent.length;
    expect(runs.answer(run, 6, { kind: 'dice', rolls: '123456' })).toBe(false);
    expect(runs.answer(run, 7, { kind: 'review', approve: true })).toBe(false);
    expect(e.sent.length).toBe(sentBefore);
    expect(runs.answer(run, 7, { kind: 'dice', rolls: '123456' })).toBe(true);
    expect(e.sent.at(-1)).toEqual({ type: 'answer', id: 7, answer: { kind: 'dice', rolls: '123456' } });
  });
  it('a card is recorded as printed only when main’s print dialog printed it while that moment was open, whatever the window claims; the card main relayed is wiped', () => {
    const e = fakeEngine();
    const choices = new Choices();
    const shown: RunMessage[] = [];
    const changes: (string | undefined)[] = [];
    const runs = new Runs({ fork: () => e.child, send: (m) => void shown.push(m), choices, appVersion: 'test', promptChanged: (k) => void changes.push(k) });
    const { run } = runs.start({ plan: choices.add('plan', '/media/plan.yaml').token, rehearsal: true });
    const cardPdf = new Uint8Array([37, 80, 68, 70]);
    e.ask(1, { kind: 'show-share', who: 'alice', attempt: 1, card: ['CUSTOS SHARE 1 OF 3'], cardPdf });
    expect(cardPdf.every((b) => b === 0)).toBe(true); // relayed, then gone from main
    expect(runs.openPrompt()).toBe('show-share');
    // The window claims a print that never happened: the engine is told nothing of it.
    expect(runs.answer(run, 1, { kind: 'show-share', seen: true, printed: true })).toBe(true);
    expect(e.sent.at(-1)).toEqual({ type: 'answer', id: 1, answer: { kind: 'show-share', seen: true } });
    expect(runs.openPrompt()).toBeUndefined();
    // Printed through main's dialog while the next card is shown: recorded, even if the window says nothing.
    e.ask(2, { kind: 'show-share', who: 'bob', attempt: 1, card: ['CUSTOS SHARE 2 OF 3'] });
    runs.notePrinted();
    expect(runs.answer(run, 2, { kind: 'show-share', seen: true })).toBe(true);
    expect(e.sent.at(-1)).toEqual({ type: 'answer', id: 2, answer: { kind: 'show-share', seen: true, printed: true } });
    // A print while another kind of prompt is open vouches for nothing.
    e.ask(3, { kind: 'share', who: 'carol', attempt: 1 });
    runs.notePrinted();
    e.ask(4, { kind: 'show-share', who: 'carol', attempt: 1, card: ['CUSTOS SHARE 3 OF 3'] });
    expect(runs.answer(run, 4, { kind: 'show-share', seen: true, printed: true })).toBe(true);
    expect(e.sent.at(-1)).toEqual({ type: 'answer', id: 4, answer: { kind: 'show-share', seen: true } });
    expect(changes).toEqual(['show-share', undefined, 'show-share', undefined, 'share', 'show-share', undefined]);
  });
});
