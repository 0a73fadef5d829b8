/**
 * The parent's side of the engine process: starts one run, checks every message from the
 * engine against the protocol, lets an answer through only for the prompt that is open (its id
 * and kind), and ends the run by killing the process on Cancel (a killed run resumes from its
 * transcript when the plan is started again). Main gives it Electron's utility process; tests
 * give it a Node child process: the same messages either way.
 */
import { fromEngineSchema, issueText, toEngineSchema, wipeAnswer, type Answer, type FromEngine, type Prompt, type Script, type WrittenFile } from './engine-protocol';

/** A started engine process, whatever runs it. */
export interface EngineChild {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

export interface RunListener {
  /** The ceremony's script, once its plan is checked (before the first prompt). */
  script(script: Script): void;
  prompt(id: number, prompt: Prompt): void;
  event(event: { type: string; actor: string; seq: number; step?: string }): void;
  say(text: string): void;
  /** A file written to a medium and read back, with the SHA-256 of what was read. */
  written(file: WrittenFile): void;
  /** A value the room reads aloud (a KCV, a fingerprint and its words). */
  readAloud(value: { label: string; value: string; words?: string[] }): void;
  /** Long work as it goes: the subset check, bytes backed up or restored. */
  progress(work: { what: 'subsets' | 'backup' | 'restore' | 'scrypt'; done: number; total: number }): void;
  /** A step of the script started, was done, or is where the run failed. */
  step(step: { id: string; state: 'started' | 'done' | 'failed' }): void;
  /** A warning the room must see before the ceremony goes on. */
  warning(text: string): void;
  /** The run ended: closed (result), failed (error), or stopped (Cancel, or the process died). */
  end(outcome: { closed: Record<string, unknown> } | { failed: { kind: string; code: string; field: string; message: string } } | { stopped: string }): void;
  /** A message the host or the engine refused; the run goes on. */
  refused(reason: string): void;
}

export class EngineRun {
  private openPrompt: { id: number; kind: string } | undefined;
  private ended = false;

  constructor(
    private readonly child: EngineChild,
    private readonly listener: RunListener,
  ) {
    child.onMessage((raw) => this.receive(raw));
    child.onExit((code) => this.finish({ stopped: code === 0 ? 'the engine process ended' : `the engine process stopped (exit ${String(code)}): start the plan again to resume` }));
  }

  start(plan: string, rehearsal: boolean, appVersion: string, workFactor?: number): void {
    this.child.send(toEngineSchema.parse({ type: 'start', plan, rehearsal, appVersion, ...(workFactor !== undefined && { workFactor }) }));
  }

  /** Answer the open prompt. Refused (nothing sent) unless `id` and the answer's kind are the open prompt's. */
  answer(id: number, answer: Answer): boolean {
    try {
      const p = this.openPrompt;
      if (!p || p.id !== id || p.kind !== answer.kind) {
        this.listener.refused(p ? `the open prompt is ${p.id} (${p.kind}), not ${id} (${answer.kind})` : `no prompt is open (answer to ${id})`);
        return false;
      }
      const checked = toEngineSchema.safeParse({ type: 'answer', id, answer });
      if (!checked.success) {
        this.listener.refused(`answer to ${id}: ${issueText(checked.error.issues[0])}`);
        return false;
      }
      this.openPrompt = undefined;
      this.child.send(checked.data);
      return true;
    } finally {
      // Sent (a structured clone went) or refused: the passphrase bytes held here are wiped at once.
      wipeAnswer(answer);
    }
  }

  /** Cancel: the process is killed; the transcript so far stays, and starting the plan again resumes it. */
  cancel(): void {
    this.openPrompt = undefined;
    this.child.kill();
    this.finish({ stopped: 'cancelled: the ceremony is interrupted, not lost; start the plan again to resume it' });
  }

  private receive(raw: unknown): void {
    const parsed = fromEngineSchema.safeParse(raw);
    if (!parsed.success) {
      this.listener.refused(`the engine sent a malformed message: ${issueText(parsed.error.issues[0])}`);
      return;
    }
    const m: FromEngine = parsed.data;
    switch (m.type) {
      case 'script':
        return this.listener.script(m.script);
      case 'prompt':
        this.openPrompt = { id: m.id, kind: m.prompt.kind };
        return this.listener.prompt(m.id, m.prompt);
      case 'event':
        return this.listener.event(m.event);
      case 'say':
        return this.listener.say(m.text);
      case 'written':
        return this.listener.written(m.file);
      case 'read-aloud':
        return this.listener.readAloud(m.value);
      case 'progress':
        return this.listener.progress(m.work);
      case 'step':
        return this.listener.step(m.step);
      case 'warning':
        return this.listener.warning(m.text);
      case 'refused':
        return this.listener.refused(m.reason);
      case 'done':
        return this.finish({ closed: m.result });
      case 'failed':
        return this.finish({ failed: m.error });
    }
  }

  private finish(outcome: Parameters<RunListener['end']>[0]): void {
    if (this.ended) return;
    this.ended = true;
    this.openPrompt = undefined;
    this.listener.end(outcome);
  }
}
