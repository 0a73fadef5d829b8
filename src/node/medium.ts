/** A directory as a ceremony medium: plain file names only, durable writes (src/node/durable.ts). */
import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, readFileSync, readSync, realpathSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { InputError } from '../core/errors';
import type { Medium, RandomAccess } from '../core/ceremony/ports';
import { hashFile } from './durable';
import { createNewFile, writeNewFile } from './durable';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

function fileOf(dir: string, name: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) throw new InputError('medium.name', 'name', `"${String(name)}" is not a plain file name`);
  return path.join(dir, name);
}

function readError(e: unknown, name: string): InputError {
  return new InputError('medium.read', name, `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
}

export function directoryMedium(dir: string): Medium {
  return {
    location: existsSync(dir) ? realpathSync(dir) : path.resolve(dir),
    exists: (name) => existsSync(fileOf(dir, name)),
    write: (name, bytes) => writeNewFile(fileOf(dir, name), bytes),
    read(name) {
      try {
        return readFileSync(fileOf(dir, name)); // the Buffer itself, so the engine's wipe reaches it
      } catch (e) {
        throw readError(e, name);
      }
    },
    list: () => (existsSync(dir) ? readdirSync(dir).filter((n) => NAME.test(n)).sort() : []),
    size(name) {
      try {
        return statSync(fileOf(dir, name)).size;
      } catch (e) {
        throw readError(e, name);
      }
    },
    *chunks(name, chunkSize) {
      let fd: number;
      try {
        fd = openSync(fileOf(dir, name), constants.O_RDONLY);
      } catch (e) {
        throw readError(e, name);
      }
      const b = Buffer.allocUnsafeSlow(chunkSize); // one buffer, reused: see Medium.chunks
      try {
        for (;;) {
          let n = 0;
          while (n < chunkSize) {
            const r = readSync(fd, b, n, chunkSize - n, null);
            if (r === 0) break;
            n += r;
          }
          if (n === 0) return;
          yield n === chunkSize ? b : b.subarray(0, n);
          if (n < chunkSize) return;
        }
      } finally {
        closeSync(fd);
        b.fill(0);
      }
    },
    create: (name) => createNewFile(fileOf(dir, name)),
    sha256(name) {
      try {
        return hashFile(fileOf(dir, name));
      } catch (e) {
        throw readError(e, name);
      }
    },
    open: (name) => openRandomAccess(fileOf(dir, name), name),
  };
}

/**
 * A file the person chose (in a dialog, or on the command line of an app's engine): its bytes, or
 * an input error naming the field and not the path (retried like a wrong file).
 */
export function readChosen(file: string, field: string, what = 'file'): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new InputError('input.read', field, `the ${what} chosen cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** An input file a plan names (a backup, a transport key), read whole. */
export function readInput(file: string, field: string): Uint8Array {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new InputError('input.read', field, `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/** Random access to a file by descriptor. */
export function openRandomAccess(file: string, field: string): RandomAccess {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY);
  } catch (e) {
    throw new InputError('input.read', field, `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const size = fstatSync(fd).size;
  const readAt = (offset: number, length: number): Buffer => {
    const b = Buffer.allocUnsafeSlow(length);
    let n = 0;
    while (n < length) {
      const r = readSync(fd, b, n, length - n, offset + n);
      if (r === 0) throw new InputError('input.short', field, `${file} ended early`);
      n += r;
    }
    return b;
  };
  return {
    size,
    read: readAt,
    *chunks(offset, length, chunkSize) {
      for (let o = 0; o < length; o += chunkSize) yield readAt(offset + o, Math.min(chunkSize, length - o));
    },
    sha256(length) {
      const h = createHash('sha256');
      for (let o = 0; o < length; o += 1 << 20) h.update(readAt(o, Math.min(1 << 20, length - o)));
      return h.digest('hex');
    },
    close: () => closeSync(fd),
  };
}
