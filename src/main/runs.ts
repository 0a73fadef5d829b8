/**
 * Ceremony runs for the window: one at a time, each in its own engine process. Main relays the
 * run's prompts, events and end to the window, maps the files named in an answer from their
 * dialog tokens to paths (an unknown token is refused), and lets an answer through only for
 * the open prompt (the engine host checks id and kind). Cancel kills the process.
 */
import { EngineRun, type EngineChild } from '../node/engine-host';
import { wipeAnswer, type Answer } from '../node/engine-protocol';
import type { RunMessage, UiAnswer } from '../shared/ipc';
import type { Choices } from './choices';

export interface RunDeps {
  fork(): EngineChild;
  send(message: RunMessage): void;
  choices: Choices;
  appVersion: string;
  /** Told each time the open prompt changes (its kind, or none): main closes the camera's gate unless a share is asked. */
  promptChanged?(kind: string | undefined): void;
}

export class Runs {
  private current: { id: number; run: EngineRun } | undefined;
  /** The prompt open now (run, id, kind), and whether main's print dialog printed while it was open. */
  private open: { run: number; id: number; kind: string; printed: boolean; camera: boolean } | undefined;
  private next = 0;

  constructor(private readonly deps: RunDeps) {}

  start(opts: { plan: string; rehearsal: boolean }): { run: number } {
    if (this.current) throw new Error(`run ${this.current.id} is still going: one ceremony at a time`);
    const plan = this.deps.choices.resolve(opts.plan, 'plan');
    if (!plan) throw new Error('the plan was not chosen in this window');
    const id = ++this.next;
    const send = (m: RunMessage) => this.deps.send(m);
    const run = new EngineRun(this.deps.fork(), {
      script: (script) => send({ run: id, type: 'script', script }),
      prompt: (pid, prompt) => {
        this.open = { run: id, id: pid, kind: prompt.kind, printed: false, camera: false };
        this.deps.promptChanged?.(prompt.kind);
        send({ run: id, type: 'prompt', id: pid, prompt });
        prompt.cardPdf?.fill(0); // sent (copied) to the window: main keeps no card
      },
      event: (event) => send({ run: id, type: 'event', event }),
      say: (text) => send({ run: id, type: 'say', text }),
      written: (file) => send({ run: id, type: 'written', file }),
      readAloud: (value) => send({ run: id, type: 'read-aloud', value }),
      progress: (work) => send({ run: id, type: 'progress', work }),
      step: (step) => send({ run: id, type: 'step', step }),
      warning: (text) => send({ run: id, type: 'warning', text }),
      refused: (reason) => send({ run: id, type: 'refused', reason }),
      end: (outcome) => {
        if (this.current?.id === id) this.current = undefined;
        this.open = undefined;
        this.deps.promptChanged?.(undefined);
        send({ run: id, type: 'end', outcome });
      },
    });
    this.current = { id, run };
    run.start(plan, opts.rehearsal, this.deps.appVersion);
    return { run: id };
  }

  answer(runId: number, promptId: number, a: UiAnswer): boolean {
    try {
      const r = this.active(runId);
      // Whether a card was printed is main's to say (its print dialog reported it), not the window's.
      const answer = a.kind === 'show-share' ? { kind: 'show-share' as const, seen: true as const, ...(this.notedNow(runId, promptId, 'printed') && { printed: true }) } : this.toEngine(a, this.notedNow(runId, promptId, 'camera'));
      if (!answer) {
        this.deps.send({ run: runId, type: 'refused', reason: 'the answer names a file that was not chosen in this window' });
        return false;
      }
      const taken = r.answer(promptId, answer);
      if (taken) {
        this.open = undefined;
        this.deps.promptChanged?.(undefined);
      }
      return taken;
    } finally {
      wipeAnswer(a); // taken or refused, main keeps no passphrase
    }
  }

  /** The kind of the prompt open now, if any. */
  openPrompt(): string | undefined {
    return this.open?.kind;
  }

  /** Main's camera gate opened: noted for the share prompt open now, if any (the transcript records it). */
  noteCamera(): void {
    if (this.open?.kind === 'share') this.open.camera = true;
  }

  /** Main's print dialog printed: noted for the show-share prompt open now, if any. */
  notePrinted(): void {
    if (this.open?.kind === 'show-share') this.open.printed = true;
  }

  /** What main noted (its print dialog printed, its camera gate opened) while this very prompt was open. */
  private notedNow(runId: number, promptId: number, what: 'printed' | 'camera'): boolean {
    return this.open?.run === runId && this.open.id === promptId && this.open[what];
  }

  cancel(runId: number): void {
    this.active(runId).cancel();
  }

  private active(runId: number): EngineRun {
    if (!this.current || this.current.id !== runId) throw new Error(`run ${runId} is not the run in progress`);
    return this.current.run;
  }

  /** Tokens to paths; undefined if any token is unknown or of another kind. */
  private toEngine(a: UiAnswer, cameraOpened: boolean): Answer | undefined {
    const c = this.deps.choices;
    switch (a.kind) {
      case 'unlock': {
        const f = c.resolve(a.identityFile, 'identity');
        return f ? { kind: 'unlock', identityFile: f, passphrase: a.passphrase } : undefined;
      }
      case 'save-identity': {
        const f = c.resolve(a.folder, 'folder');
        return f ? { kind: 'save-identity', folder: f } : undefined;
      }
      case 'share': {
        // Whether the camera was opened is main's to say: the window's claim is dropped.
        const camera = cameraOpened ? { camera: true as const } : {};
        if ('typed' in a) return { kind: 'share', typed: a.typed, ...camera };
        if ('scanned' in a) return { kind: 'share', scanned: a.scanned, ...camera };
        const f = c.resolve(a.file, 'share');
        return f ? { kind: 'share', file: f, ...(a.passphrase && { passphrase: a.passphrase }), ...camera } : undefined;
      }
      default:
        return a;
    }
  }
}
