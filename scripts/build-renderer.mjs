// The renderer as shipped (one browser bundle, its page, styles and bundled fonts), built into
// `outdir`: scripts/build.mjs builds it into dist/renderer, and the Chromium tests into a folder
// of their own with exactly the same options.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

export async function buildRenderer(outdir, { sourcemap = true } = {}) {
  const browser = { bundle: true, sourcemap, logLevel: 'warning', legalComments: 'none', platform: 'browser', format: 'iife', target: 'chrome130', minify: true };
  await Promise.all([
    build({ ...browser, entryPoints: ['src/renderer/main.tsx'], outfile: path.join(outdir, 'renderer.js'), jsx: 'automatic', define: { 'process.env.NODE_ENV': '"production"' } }),
    // The passphrase-strength estimator runs in a worker, a bundle of its own.
    build({ ...browser, entryPoints: ['src/renderer/strength-worker.ts'], outfile: path.join(outdir, 'strength-worker.js') }),
    // pdf.js's parser, a module worker (pdf.js starts it with type "module").
    build({ ...browser, format: 'esm', entryPoints: ['src/renderer/pdf-worker.ts'], outfile: path.join(outdir, 'pdf-worker.js') }),
  ]);
  for (const f of ['index.html', 'styles.css', 'pressable.css']) cpSync(`src/renderer/${f}`, path.join(outdir, f));
  mkdirSync(path.join(outdir, 'fonts'), { recursive: true });
  for (const f of readdirSync('assets/fonts').filter((x) => x.endsWith('.woff2'))) cpSync(`assets/fonts/${f}`, path.join(outdir, 'fonts', f));
}
