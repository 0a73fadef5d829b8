/**
 * The built app (scripts/build.mjs writes dist/, removing what was there) for the tests that
 * need it. Test files run in parallel, so each holds a lock on dist/ while it builds and uses it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmdirSync } from 'node:fs';

const LOCK = 'dist.lock';

export async function withBuiltApp<T>(use: () => Promise<T> | T): Promise<T> {
  const deadline = Date.now() + 600_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'ignore' });
    return await use();
  } finally {
    rmdirSync(LOCK);
  }
}
