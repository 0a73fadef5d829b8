#!/usr/bin/env node
// The `custos` command from a checkout (`npm install`, then `npm link` puts it on the PATH):
// runs the TypeScript sources through tsx. A build (`npm run build`) without the sources, as in
// a package, runs dist/cli/custos.mjs instead.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source);
} else {
  await import(new URL('../dist/cli/custos.mjs', import.meta.url).href);
}
