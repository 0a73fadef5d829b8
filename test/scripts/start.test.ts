/**
 * `npm start` (scripts/start.mjs) without building: with no Electron binary it says in one
 * message which archive to bring and where to put it; with one it launches it.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const electronDir = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
const electronVersion = (JSON.parse(readFileSync(join(electronDir, 'package.json'), 'utf8')) as { version: string }).version;
const arch = process.arch === 'arm' ? 'armv7l' : process.arch;

const temps: string[] = [];
afterEach(() => temps.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'custos-start-'));
  temps.push(d);
  return d;
}

function start(overrideDist: string, args: string[] = []) {
  return spawnSync(process.execPath, ['scripts/start.mjs', ...args], {
    encoding: 'utf8',
    env: { ...process.env, CUSTOS_START_SKIP_BUILD: '1', ELECTRON_OVERRIDE_DIST_PATH: overrideDist },
  });
}

describe('npm start', () => {
  it('without an Electron binary names the version and the archive, once, without a stack trace', () => {
    const r = start(tempDir());
    expect(r.status).not.toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toContain(`Electron ${electronVersion}`);
    const archive = `electron-v${electronVersion}-${process.platform}-${arch}.zip`;
    expect(out).toContain(archive);
    expect(out).toContain(`https://github.com/electron/electron/releases/download/v${electronVersion}/${archive}`);
    expect(out).toContain('ELECTRON_OVERRIDE_DIST_PATH');
    expect(out).toContain('path.txt');
    expect(out).not.toContain('    at ');
    expect(out.match(/npm start: cannot launch/g)).toHaveLength(1);
  });

  it.skipIf(process.platform === 'win32')('launches the Electron binary it finds, with the app folder and the extra arguments', () => {
    const dist = tempDir();
    const pathTxt = join(electronDir, 'path.txt');
    const name = (existsSync(pathTxt) && readFileSync(pathTxt, 'utf8').trim()) || (process.platform === 'darwin' ? 'Electron.app/Contents/MacOS/Electron' : 'electron');
    const exe = join(dist, name);
    mkdirSync(dirname(exe), { recursive: true });
    writeFileSync(exe, '#!/bin/sh\necho "fake electron in $(pwd): $*"\nexit 3\n');
    chmodSync(exe, 0o755);
    const r = start(dist, ['--inspect=0']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe(`fake electron in ${process.cwd()}: . --inspect=0`);
    expect(r.status).toBe(3);
  });
});
