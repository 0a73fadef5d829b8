/**
 * Durable outputs. A ceremony never overwrites or half-writes a file: new files are created
 * exclusively, written, fsynced (with their directory), read back and hash-checked; the
 * transcript is appended one fsynced line at a time.
 */
import { closeSync, constants, fsyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { CustosError, InputError, VerifyError } from '../core/errors';

function fsyncDir(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: Uint8Array): void {
  for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function ioError(e: unknown, file: string, what: string): CustosError {
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  if (code === 'EEXIST') return new InputError('output.exists', file, 'already exists: Custos never overwrites a file');
  return new InputError(`io.${code.toLowerCase()}`, file, `${what} failed (${code})`, { cause: e });
}

/**
 * Create `file` (it must not exist), write `data`, fsync it and its directory, read it back and
 * compare. Returns the SHA-256 hex. A write that fails part-way removes what it wrote, so no
 * half-written output is left on the medium.
 */
export function writeNewFile(file: string, data: Uint8Array): string {
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    throw ioError(e, file, 'create');
  }
  try {
    try {
      writeAll(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    fsyncDir(path.dirname(path.resolve(file)));
  } catch (e) {
    rmSync(file, { force: true });
    throw ioError(e, file, 'write');
  }
  const expected = sha256(data);
  let back: Buffer;
  try {
    back = readFileSync(file);
  } catch (e) {
    throw ioError(e, file, 'read back');
  }
  const actual = sha256(back);
  back.fill(0); // it may be a share
  if (actual !== expected) throw new VerifyError('output.readback', file, 'reads back differently from what was written: the medium is faulty');
  return expected;
}

/** Append one line to the transcript and fsync it before returning. */
export function appendLine(file: string, line: string, opts: { create: boolean }): void {
  if (!line.endsWith('\n') || line.indexOf('\n') !== line.length - 1) throw new InputError('transcript.line', 'line', 'must be exactly one line ending in a newline');
  let fd: number;
  try {
    fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | (opts.create ? constants.O_CREAT | constants.O_EXCL : 0), 0o600);
  } catch (e) {
    throw ioError(e, file, 'open for append');
  }
  try {
    try {
      writeAll(fd, Buffer.from(line, 'utf8'));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (opts.create) fsyncDir(path.dirname(path.resolve(file)));
  } catch (e) {
    throw ioError(e, file, 'append');
  }
}
