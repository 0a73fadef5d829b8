/**
 * Main's handlers as the app makes them, for tests: a real engine process (a Node child, the
 * app's is Electron's utility process, with the same messages), real settings in a temporary
 * data folder, and main's dialogs answered from a queue the test fills (`picks`).
 */
import { CameraGate } from '../../src/main/security';
import { fork } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Choices } from '../../src/main/choices';
import { appHandlers } from '../../src/main/handlers';
import { Runs } from '../../src/main/runs';
import { SettingsStore } from '../../src/main/settings';
import type { EngineChild } from '../../src/node/engine-host';
import { nativeProvider } from '../../src/node/native-provider';
import type { ChoiceKind, Drive, RunMessage } from '../../src/shared/ipc';
import type { NetworkState } from '../../src/core/ceremony/network';

export function nodeEngine(opts: { built?: string } = {}): EngineChild {
  const c = opts.built
    ? fork(opts.built, [], { serialization: 'advanced', env: { ...process.env, CUSTOS_ENGINE_CHILD: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
    : fork('src/node/engine-process.ts', [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', env: { ...process.env, CUSTOS_ENGINE_CHILD: '1' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return { send: (m) => c.send(m as never), onMessage: (l) => c.on('message', l), onExit: (l) => c.on('exit', (code) => l(code)), kill: () => c.kill('SIGKILL') };
}

export interface TestApp {
  handlers: ReturnType<typeof appHandlers>;
  choices: Choices;
  runs: Runs;
  settings: SettingsStore;
  /** What main's dialogs return next, in order; a dialog with nothing queued is cancelled. */
  picks: { kind?: ChoiceKind | 'save'; path: string }[];
  dialogsShown: (ChoiceKind | 'save')[];
  /** Each time the window asked for the print dialog (the test's stands in for the system's). */
  printed: string[];
  /** Each opening and closing of the camera's gate. */
  cameraLog: CameraGate['log'];
}

export function testApp(opts: { send: (m: RunMessage) => void; fork?: () => EngineChild; network?: () => NetworkState; drives?: () => Drive[]; dataDir?: string }): TestApp {
  const choices = new Choices();
  const picks: TestApp['picks'] = [];
  const dialogsShown: TestApp['dialogsShown'] = [];
  const printed: string[] = [];
  const settings = new SettingsStore(join(opts.dataDir ?? mkdtempSync(join(tmpdir(), 'custos-settings-')), 'settings.json'));
  const take = (kind: ChoiceKind | 'save') => {
    dialogsShown.push(kind);
    const i = picks.findIndex((p) => p.kind === undefined || p.kind === kind);
    return i < 0 ? undefined : picks.splice(i, 1)[0]!.path;
  };
  // The camera's gate as main keeps it: opened by the share screen, closed when the prompt moves on.
  const gate = new CameraGate();
  const runs = new Runs({ fork: opts.fork ?? (() => nodeEngine()), send: opts.send, choices, appVersion: '0.1.0-test', promptChanged: (kind) => kind !== 'share' && gate.set(false) });
  const handlers = appHandlers({
    about: () => ({ name: 'Custos', version: '0.1.0', nativeCrypto: [...nativeProvider.native], runtime: 'Chromium (test bridge)' }),
    dialog: async (kind) => take(kind),
    saveDialog: async () => take('save'),
    print: async () => {
      printed.push(new Date().toISOString());
      return { printed: true };
    },
    camera: (open) => gate.set(open),
    network: opts.network ?? (() => ({ interfaces: [] })),
    drives: opts.drives ?? (() => []),
    clock: () => new Date(),
    provider: nativeProvider,
    settings,
    choices,
    runs,
  });
  return { handlers, choices, runs, settings, picks, dialogsShown, printed, cameraLog: gate.log };
}
