/**
 * Folders for tests whose plans make paper shares. Custos refuses a paper medium in a temporary
 * folder of the system (os.tmpdir(), /tmp, /var/tmp, /dev/shm: src/node/plan-check.ts), so these
 * tests keep their folders under test-output/tmp in the checkout, or, when the checkout itself is
 * in a temporary folder (a fresh clone in /tmp, say), under ~/.cache/custos-tests; and remove
 * them after, as they would a temporary folder.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { temporaryFolderOf } from '../../src/node/plan-check';

const CANDIDATES = [fileURLToPath(new URL('../../test-output/tmp', import.meta.url)), join(homedir(), '.cache', 'custos-tests')];

let chosen: string | undefined;

/** The first candidate that is not in a temporary folder of the system. */
function scratchRoot(): string {
  if (chosen) return chosen;
  for (const c of CANDIDATES) {
    mkdirSync(c, { recursive: true });
    if (!temporaryFolderOf(c)) return (chosen = c);
  }
  throw new Error(`no folder for test paper media outside the system's temporary folders: tried ${CANDIDATES.join(', ')}; set HOME to a folder that is not temporary`);
}

/** A new, empty folder outside the system's temporary folders whose name starts with `prefix`. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(scratchRoot(), prefix));
}
