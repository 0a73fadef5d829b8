/** The command line's plumbing: output, options, reading the files a command names. */
import { readFileSync } from 'node:fs';
import { InputError } from '../core/errors';

/** Asks the person at the terminal one question; `secret` answers are read without echo. */
export type Terminal = (question: string, field: string, secret: boolean, flush?: boolean) => string;

export interface Io {
  out(s: string): void;
  err(s: string): void;
  /**
   * The person at the terminal. The `custos` binary asks on /dev/tty (src/node/prompt.ts);
   * a program running the CLI in-process may stand in for the person with its own.
   */
  terminal?: Terminal;
}

/**
 * Text from a file, made safe to print on a terminal: control characters (C0, DEL, C1: escape
 * sequences, carriage returns, newlines) and the Unicode bidirectional overrides become visible
 * escapes, so a forged file cannot rewrite the lines people read aloud or drive the terminal.
 */
export function printable(s: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/** `--name value` options after the positional arguments; unknown options are usage errors. */
export function options(args: string[], allowed: string[]): { positional: string[]; opts: Map<string, string>; all: Map<string, string[]> } {
  const positional: string[] = [];
  const opts = new Map<string, string>();
  const all = new Map<string, string[]>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const name = a.slice(2);
    if (!allowed.includes(name)) throw new InputError('cli.option', a, `is not an option of this command (options: ${allowed.map((o) => `--${o}`).join(' ')})`);
    const v = args[++i];
    if (v === undefined) throw new InputError('cli.option', a, 'needs a value');
    opts.set(name, v);
    all.set(name, [...(all.get(name) ?? []), v]);
  }
  return { positional, opts, all };
}

export function read(file: string, field: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError('cli.read', field, `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

export function readBytes(file: string, field: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new InputError('cli.read', field, `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

