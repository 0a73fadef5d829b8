/**
 * Folders for tests whose plans make paper shares. Custos refuses a paper medium in a temporary
 * folder of the system (os.tmpdir(), /tmp, /var/tmp, /dev/shm: src/node/plan-check.ts), so these
 * tests keep their folders in the checkout, under test-output/tmp (ignored by git), and remove
 * them after, as they would a temporary folder.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCRATCH = fileURLToPath(new URL('../../test-output/tmp', import.meta.url));

/** A new, empty folder under test-output/tmp whose name starts with `prefix`. */
export function scratchDir(prefix: string): string {
  mkdirSync(SCRATCH, { recursive: true });
  return mkdtempSync(join(SCRATCH, prefix));
}
