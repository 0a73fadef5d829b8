// Builds every face of Custos with esbuild: Electron main and preload (CommonJS), the renderer
// (browser ESM plus its static files) and the `custos` CLI.
import { build } from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none' };

await Promise.all([
  build({ ...common, entryPoints: ['src/main/main.ts'], outfile: 'dist/main/main.cjs', platform: 'node', format: 'cjs', target: 'node22', external: ['electron'] }),
  // The engine process the app forks (Electron's utilityProcess) to run a ceremony.
  build({ ...common, entryPoints: ['src/node/engine-process.ts'], outfile: 'dist/engine/engine-process.cjs', platform: 'node', format: 'cjs', target: 'node22' }),
  build({ ...common, entryPoints: ['src/preload/preload.ts'], outfile: 'dist/preload/preload.cjs', platform: 'node', format: 'cjs', target: 'node22', external: ['electron'] }),
  build({ ...common, entryPoints: ['src/renderer/renderer.ts'], outfile: 'dist/renderer/renderer.js', platform: 'browser', format: 'iife', target: 'chrome130' }),
  build({
    ...common,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli/custos.mjs',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    banner: { js: '#!/usr/bin/env node' },
  }),
]);
mkdirSync('dist/renderer', { recursive: true });
for (const f of ['index.html', 'styles.css']) cpSync(`src/renderer/${f}`, `dist/renderer/${f}`);
console.log('built dist/{main,preload,renderer,engine,cli}');
