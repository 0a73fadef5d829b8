// Electronegativity over the app's sources as one app (main, preload, the renderer's page), failing
// on any HIGH or MEDIUM finding: the tool itself always exits 0, so this reads its CSV report.
// Offline, it says it cannot fetch Electron's release list; the Electron version is given.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const electron = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const bin = require.resolve('@doyensec/electronegativity/dist/index.js');
const out = mkdtempSync(join(tmpdir(), 'custos-electronegativity-'));
let failed = 0;
try {
  for (const input of process.argv.slice(2).length ? process.argv.slice(2) : ['src']) {
    const csv = join(out, `${input.replace(/\W+/g, '-')}.csv`);
    const r = spawnSync(process.execPath, [bin, '-i', input, '-o', csv, '-r', '-v', 'false', '-e', electron], { encoding: 'utf8' });
    if (r.status !== 0) {
      console.error(`electronegativity could not run on ${input}: ${r.stderr || r.stdout}`);
      process.exit(2);
    }
    const rows = readFileSync(csv, 'utf8').trim().split('\n').slice(1).filter(Boolean);
    for (const row of rows) {
      const [issue, severity, confidence, file, location] = row.split(',').map((c) => c.replace(/^"|"$/g, ''));
      const bad = severity === 'HIGH' || severity === 'MEDIUM';
      if (bad) failed++;
      console.log(`${bad ? 'FAIL' : 'note'} ${severity} ${issue} (${confidence}) ${input}/${file}:${location}`);
    }
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
if (failed) {
  console.error(`electronegativity: ${failed} HIGH or MEDIUM finding${failed === 1 ? '' : 's'}`);
  process.exit(1);
}
console.log('electronegativity: no HIGH or MEDIUM finding');
