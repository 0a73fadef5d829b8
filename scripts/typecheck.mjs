// Type-check every layer with its own tsconfig (core: no DOM, no Node types; renderer: DOM).
import { spawnSync } from 'node:child_process';

const projects = ['src/core', 'src/shared', 'src/node', 'src/kmip', 'src/cli', 'src/main', 'src/preload', 'src/renderer', '.'];
let failed = false;
for (const p of projects) {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', p, '--noEmit'], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`typecheck failed in ${p}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
