/**
 * Passphrase strength for the screen, from zxcvbn-ts running in a worker (strength-worker.ts).
 * Feedback only: the person decides; the engine enforces its own rules.
 */
export interface Strength {
  /** 0 (guessed at once) to 4 (very hard to guess). */
  score: 0 | 1 | 2 | 3 | 4;
  label: string;
  warning: string;
  suggestions: string[];
}

let worker: Worker | undefined;
let next = 0;
const waiting = new Map<number, (s: Strength) => void>();

/** Start the estimator early (it loads its dictionaries once), off the window's thread. */
export function warmStrength(): void {
  if (worker) return;
  worker = new Worker('strength-worker.js');
  worker.onmessage = (e: MessageEvent<{ id: number; strength: Strength }>) => {
    waiting.get(e.data.id)?.(e.data.strength);
    waiting.delete(e.data.id);
  };
  worker.postMessage({ id: 0, passphrase: '', context: [] });
}

export function strength(passphrase: string, context: string[] = []): Promise<Strength> {
  warmStrength();
  const id = ++next;
  return new Promise((resolve) => {
    waiting.set(id, resolve);
    worker!.postMessage({ id, passphrase, context });
  });
}
