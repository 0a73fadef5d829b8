/**
 * Questions on the terminal. The terminal's settings are saved (`stty -g`) and restored
 * whatever happens. Before a question is written, anything typed ahead is discarded (the
 * terminal is switched to non-blocking raw reads and drained, which is what tcflush(TCIFLUSH)
 * does), so a keystroke meant for an earlier moment never answers this question; and for a
 * passphrase, echo, line editing and signal keys are switched off *before* the question
 * appears, so a person who types as soon as they see it is never echoed. A plain answer (a file
 * path) is read as a normal echoed line. Ctrl-C at either kind of question does not kill the
 * process: the terminal's signal keys are off while it is asked (for a plain answer Ctrl-C ends
 * the line instead, so line editing still works), the settings are restored, and the caller gets
 * an InputError with the code `prompt.interrupted`. Without a terminal there is no one to ask:
 * the caller gets an InputError naming the missing answer.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { isatty } from 'node:tty';
import { InputError } from '../core/errors';

/** The code of the error a Ctrl-C at a question throws. */
export const INTERRUPTED = 'prompt.interrupted';

/** Checked without touching process.stdin, which would make fd 0 non-blocking. */
export function hasTerminal(): boolean {
  return isatty(0);
}

function stty(fd: number, args: string[]): string {
  const r = spawnSync('stty', args, { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new InputError('prompt.terminal', 'terminal', `cannot set up the terminal (stty ${args.join(' ')}: ${r.stderr.trim() || r.error?.message || 'failed'})`);
  return r.stdout.trim();
}

/** Read and drop whatever is waiting (the terminal is in non-blocking raw mode: VMIN=0, VTIME=0). */
function discardTypedAhead(fd: number): void {
  const sink = Buffer.alloc(256);
  try {
    while (readSync(fd, sink, 0, sink.length, null) > 0);
  } finally {
    sink.fill(0);
  }
}

/**
 * Read one line from the terminal; `secret` turns echo off for it. `flush` false keeps what was
 * typed ahead: for the lines after the first of a paper share, which a fast typist, a paste or a
 * keyboard-emulating scanner sends in one go.
 */
export function ask(question: string, field: string, secret: boolean, flush = true): string {
  if (!hasTerminal()) throw new InputError('prompt.none', field, 'is needed and there is no terminal to ask (use --answers FILE in a rehearsal)');
  const fd = openSync('/dev/tty', 'r+');
  const bytes: number[] = [];
  const one = Buffer.alloc(1);
  const saved = stty(fd, ['-g']);
  let interrupted = false;
  try {
    if (flush) {
      stty(fd, [...(secret ? ['-echo', '-isig'] : []), '-icanon', 'min', '0', 'time', '0']);
      discardTypedAhead(fd);
      stty(fd, secret ? ['min', '1', 'time', '0'] : [saved]);
    } else if (secret) stty(fd, ['-echo', '-isig', '-icanon', 'min', '1', 'time', '0']);
    // A plain line: Ctrl-C (no longer a signal) ends the line, so it is seen at once.
    if (!secret) stty(fd, ['-isig', 'eol', '^C']);
    writeSync(fd, question);
    for (;;) {
      const n = readSync(fd, one, 0, 1, null);
      if (n === 0) break;
      const c = one[0]!;
      if (c === 10 || c === 13) break;
      if (c === 3) {
        interrupted = true;
        bytes.fill(0);
        throw new InputError(INTERRUPTED, field, 'was interrupted (Ctrl-C)');
      }
      if (secret && (c === 127 || c === 8)) bytes.pop();
      else bytes.push(c);
    }
  } finally {
    try {
      stty(fd, [saved]);
      if (secret || interrupted) writeSync(fd, '\n');
    } finally {
      closeSync(fd);
      one.fill(0);
    }
  }
  const b = Buffer.from(bytes); // may sit in Node's shared pool: zeroed once read
  const s = b.toString('utf8');
  b.fill(0);
  bytes.fill(0);
  return s;
}
