/**
 * Packaging: electron-builder --dir around a stand-in Electron (the real binary cannot be
 * fetched here) succeeds, and app.asar holds the built code only: no sources, tests, source
 * maps, CLI or node_modules (esbuild bundled every dependency; the bundles require only
 * Node built-ins and electron). Every fuse Electron defines is named in electron-builder.yml,
 * each set to its safe value.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import YAML from 'yaml';
import { withBuiltApp } from '../helpers/build';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'custos-package-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const files = (d: string): string[] => readdirSync(d).flatMap((n) => (statSync(join(d, n)).isDirectory() ? files(join(d, n)) : [join(d, n)]));

describe('packaging', () => {
  it('electron-builder --dir packs the built code only', () =>
    withBuiltApp(() => {
      const fake = join(dir, 'electron-dist');
      mkdirSync(fake);
      writeFileSync(join(fake, 'electron'), '#!/bin/sh\nexit 0\n');
      chmodSync(join(fake, 'electron'), 0o755);
      writeFileSync(join(fake, 'version'), '45.5.0');
      const r = spawnSync(process.execPath, ['test/helpers/pack.mjs', fake, join(dir, 'release')], { encoding: 'utf8', timeout: 240_000 });
      expect(r.status, r.stdout + r.stderr).toBe(0);
      const asar = join(dir, 'release', 'linux-unpacked', 'resources', 'app.asar');
      const listed = execFileSync(process.execPath, [createRequire(import.meta.url).resolve('@electron/asar/bin/asar.js'), 'list', asar], { encoding: 'utf8' })
        .trim()
        .split('\n')
        .filter((p) => !['/dist', '/dist/engine', '/dist/main', '/dist/preload', '/dist/renderer', '/dist/renderer/fonts', '/dist/fonts'].includes(p)); // folders
      const built = files('dist')
        .map((f) => `/${relative('.', f)}`)
        .filter((f) => !f.startsWith('/dist/cli/') && !f.endsWith('.map'));
      expect(listed.sort()).toEqual([...built, '/package.json'].sort());
      for (const f of ['dist/main/main.cjs', 'dist/engine/engine-process.cjs', 'dist/preload/preload.cjs']) {
        const requires = [...readFileSync(f, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
        expect(requires.filter((x) => x !== 'electron' && !x.startsWith('node:') && !/^(assert|buffer|fs|process|stream|util|zlib|path|os|crypto|child_process|events|url|tty)$/.test(x)), f).toEqual([]);
      }
    }), 300_000);

  it('names every Electron fuse, each set safely', () => {
    const config = YAML.parse(readFileSync('electron-builder.yml', 'utf8')) as { electronFuses: Record<string, boolean> };
    const source = readFileSync(createRequire(import.meta.url).resolve('@electron/fuses/dist/config.js'), 'utf8');
    const fuses = [...source.matchAll(/FuseV1Options\["(\w+)"\] = \d+/g)].map((m) => m[1]!.charAt(0).toLowerCase() + m[1]!.slice(1));
    expect(fuses.length).toBeGreaterThanOrEqual(8);
    expect(Object.keys(config.electronFuses).sort()).toEqual(fuses.sort());
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });
});
