/**
 * Questions on the terminal: a passphrase is read without echo (raw mode, nothing printed but
 * a newline), a plain answer with echo. Without a terminal there is no one to ask: the caller
 * gets an InputError naming the answer that is missing.
 */
import { readSync } from 'node:fs';
import { InputError } from '../core/errors';

export function hasTerminal(): boolean {
  return process.stdin.isTTY === true && process.stderr.isTTY === true;
}

/** Read one line from the terminal; `secret` turns echo off. */
export function ask(question: string, field: string, secret: boolean): string {
  if (!hasTerminal()) throw new InputError('prompt.none', field, 'is needed and there is no terminal to ask (use --answers FILE in a rehearsal)');
  process.stderr.write(question);
  const stdin = process.stdin;
  if (secret) stdin.setRawMode(true);
  const bytes: number[] = [];
  const one = Buffer.alloc(1);
  try {
    for (;;) {
      const n = readSync(0, one, 0, 1, null);
      if (n === 0) break;
      const c = one[0]!;
      if (c === 3) throw new InputError('prompt.cancelled', field, 'was cancelled');
      if (c === 10 || c === 13) break;
      if (c === 127 || c === 8) bytes.pop();
      else bytes.push(c);
    }
  } finally {
    if (secret) {
      stdin.setRawMode(false);
      process.stderr.write('\n');
    }
    one.fill(0);
  }
  const s = Buffer.from(bytes).toString('utf8');
  bytes.fill(0);
  return s;
}
