/**
 * The Node version Custos asks for is the one its locked packages need: the README and
 * package.json engines agree, and a package that needs a newer Node is either on the list
 * below, with what it is used for, or this test fails.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const semver = require('semver') as { minVersion(range: string): { version: string } | null; satisfies(version: string, range: string): boolean };

/** Locked packages allowed to need a newer Node than package.json engines, and why nothing `npm install`, `npm start` or `npm test` runs uses them. */
const NEWER_NODE_ALLOWED: Record<string, string> = {
  'node_modules/electron':
    "its JavaScript only downloads and locates the Electron binary; scripts/start.mjs and test/e2e find the binary themselves, and the app runs on Electron's own Node",
  'node_modules/@electron/get': "the electron package's downloader (node_modules/electron/install.js), which nothing here runs",
  'node_modules/@electron-internal/extract-zip': "unzips what the electron package's downloader fetched, which nothing here runs",
  'node_modules/@electron/rebuild': 'electron-builder rebuilds native modules with it: only `npm run dist`, whose Node minimum the README states',
  'node_modules/node-abi': 'used by @electron/rebuild: only `npm run dist`',
};

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { engines: { node: string } };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as { packages: Record<string, { dev?: boolean; engines?: unknown }> };
const minimum = semver.minVersion(pkg.engines.node)!.version;

describe('Node version', () => {
  it('the README states the Node minimum of package.json engines', () => {
    const m = /^npm install\s+#\s*Node >= ?(\d+(?:\.\d+){0,2})\b/m.exec(readFileSync('README.md', 'utf8'));
    expect(m, 'README: the `npm install` line names the Node minimum').not.toBeNull();
    expect(`>=${m![1]}`).toBe(pkg.engines.node);
  });

  it(`every locked package runs on Node ${minimum}, or is listed with why it is never run there`, () => {
    const needNewer = Object.entries(lock.packages)
      .filter(([path, p]) => path !== '' && typeof p.engines === 'object' && p.engines !== null && typeof (p.engines as { node?: unknown }).node === 'string')
      .filter(([, p]) => !semver.satisfies(minimum, (p.engines as { node: string }).node))
      .map(([path, p]) => ({ path, range: (p.engines as { node: string }).node, dev: p.dev === true }));
    const unlisted = needNewer.filter((x) => !(x.path in NEWER_NODE_ALLOWED));
    expect(unlisted, `these packages need a newer Node than ${pkg.engines.node}: raise engines.node and the README, or list them with the reason`).toEqual([]);
    expect(needNewer.filter((x) => !x.dev), 'a runtime dependency cannot be exempted').toEqual([]);
    const stale = Object.keys(NEWER_NODE_ALLOWED).filter((path) => !needNewer.some((x) => x.path === path));
    expect(stale, 'listed but no longer needing a newer Node: remove from the list').toEqual([]);
  });
});
