/**
 * Durable outputs. A ceremony never overwrites or half-writes a file: a new file is written
 * under a hidden partial name, fsynced, then published under its final name with link(2),
 * which refuses to replace an existing file; the directory is fsynced and the file read back
 * and hash-checked. A crash at any point leaves at most a `.NAME.partial` file, never a
 * half-written file under the name a person or a verifier would open. The transcript is
 * appended one fsynced line at a time.
 */
import { closeSync, constants, existsSync, fsyncSync, linkSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { CustosError, InputError, VerifyError } from '../core/errors';
import type { StreamWriter } from '../core/ceremony/ports';

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

function ioError(e: unknown, file: string, what: string): CustosError {
  const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
  if (code === 'EEXIST') return new InputError('output.exists', file, 'already exists: Custos never overwrites a file');
  return new InputError(`io.${code.toLowerCase()}`, file, `${what} failed (${code})`, { cause: e });
}

export function partialName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.partial`);
}

/** SHA-256 hex of a file, read in 1 MiB chunks; the buffer is zeroed after (the file may be a share). */
export function hashFile(file: string): string {
  const h = createHash('sha256');
  const fd = openSync(file, constants.O_RDONLY);
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (let n; (n = readSync(fd, chunk, 0, chunk.length, null)) > 0; ) h.update(chunk.subarray(0, n));
  } finally {
    closeSync(fd);
    chunk.fill(0);
  }
  return h.digest('hex');
}

/**
 * Start a new file. A stale partial from an interrupted run is removed first: it was never
 * published, so nothing can rely on it.
 */
export function createNewFile(file: string): StreamWriter {
  if (existsSync(file)) throw ioError(Object.assign(new Error('exists'), { code: 'EEXIST' }), file, 'create');
  const tmp = partialName(file);
  rmSync(tmp, { force: true });
  let fd: number | undefined;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    throw ioError(e, file, 'create');
  }
  const h = createHash('sha256');
  let done = false;
  const abort = () => {
    if (fd !== undefined) closeSync(fd);
    fd = undefined;
    done = true;
    rmSync(tmp, { force: true });
  };
  return {
    write(bytes) {
      if (done || fd === undefined) throw new InputError('output.closed', file, 'is already committed or aborted');
      try {
        writeAll(fd, bytes);
      } catch (e) {
        abort();
        throw ioError(e, file, 'write');
      }
      h.update(bytes);
    },
    digest: () => h.copy().digest('hex'),
    commit() {
      if (done || fd === undefined) throw new InputError('output.closed', file, 'is already committed or aborted');
      try {
        fsyncSync(fd);
        closeSync(fd);
        fd = undefined;
        linkSync(tmp, file); // fails with EEXIST rather than replace a file
        rmSync(tmp);
        fsyncDir(path.dirname(path.resolve(file)));
      } catch (e) {
        abort();
        throw ioError(e, file, 'publish');
      }
      done = true;
      const expected = h.digest('hex');
      let actual: string;
      try {
        actual = hashFile(file);
      } catch (e) {
        throw ioError(e, file, 'read back');
      }
      if (actual !== expected) throw new VerifyError('output.readback', file, 'reads back differently from what was written: the medium is faulty');
      return expected;
    },
    abort,
  };
}

/** Create `file` (it must not exist) with `data`, durably; returns its SHA-256 hex. */
export function writeNewFile(file: string, data: Uint8Array): string {
  const w = createNewFile(file);
  w.write(data);
  return w.commit();
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
