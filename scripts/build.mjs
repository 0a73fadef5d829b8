// Builds every face of Custos with esbuild: Electron main and preload (CommonJS), the renderer
// (one browser bundle with its page, styles and fonts: build-renderer.mjs) and the `custos` CLI.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { buildRenderer } from './build-renderer.mjs';

rmSync('dist', { recursive: true, force: true });
const common = { bundle: true, sourcemap: true, logLevel: 'warning', legalComments: 'none' };
// CommonJS bundles find their files by __dirname; import.meta (ESM only) is never reached there.
const cjs = { define: { 'import.meta.url': 'undefined' } };

await Promise.all([
  build({ ...common, entryPoints: ['src/main/main.ts'], ...cjs, outfile: 'dist/main/main.cjs', platform: 'node', format: 'cjs', target: 'node22', external: ['electron'] }),
  // The engine process the app forks (Electron's utilityProcess) to run a ceremony.
  build({ ...common, entryPoints: ['src/node/engine-process.ts'], ...cjs, outfile: 'dist/engine/engine-process.cjs', platform: 'node', format: 'cjs', target: 'node22' }),
  build({ ...common, entryPoints: ['src/preload/preload.ts'], outfile: 'dist/preload/preload.cjs', platform: 'node', format: 'cjs', target: 'node22', external: ['electron'] }),
  buildRenderer('dist/renderer'),
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
// The fonts printed documents embed, for main and the engine process (src/node/fonts.ts).
mkdirSync('dist/fonts', { recursive: true });
for (const f of readdirSync('assets/fonts').filter((x) => x.endsWith('.woff'))) cpSync(`assets/fonts/${f}`, `dist/fonts/${f}`);
console.log('built dist/{main,preload,renderer,engine,cli,fonts}');
