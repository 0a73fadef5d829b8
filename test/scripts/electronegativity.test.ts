/**
 * Electronegativity in the test run, through scripts/electronegativity.mjs (the tool always
 * exits 0): the app's sources have no HIGH or MEDIUM finding, and a window made carelessly does
 * fail the wrapper, so the check can fail.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'custos-electronegativity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const wrapper = (...inputs: string[]) => spawnSync(process.execPath, ['scripts/electronegativity.mjs', ...inputs], { encoding: 'utf8', timeout: 240_000 });

describe('electronegativity', () => {
  it('finds no HIGH or MEDIUM issue in the app', () => {
    const r = wrapper();
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('electronegativity: no HIGH or MEDIUM finding');
  }, 240_000);
  it('fails on a window with Node in the renderer and no isolation', () => {
    writeFileSync(join(dir, 'main.js'), "const { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false } });\n");
    const r = wrapper(dir);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL MEDIUM SANDBOX_JS_CHECK/);
    expect(r.stdout).toMatch(/FAIL HIGH CONTEXT_ISOLATION_JS_CHECK/);
  }, 240_000);
});
