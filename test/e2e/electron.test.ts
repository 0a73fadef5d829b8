/**
 * Electron end-to-end: the real app, launched with Playwright's _electron. Runs wherever the
 * Electron binary exists; where it does not (electron 42+ downloads it on first launch, which
 * an offline machine cannot do) the suite says so and skips. This is the one suite allowed to
 * skip in CI.
 */
import { METHOD_NAMES } from '../../src/shared/methods';
import { withBuiltApp } from '../helpers/build';
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { _electron } from 'playwright-core';

const require = createRequire(import.meta.url);
/** Where the electron package keeps its binary, found without `require('electron')` (which would try to download it). */
function locateElectron(): string {
  const pkg = dirname(require.resolve('electron/package.json'));
  const name = existsSync(join(pkg, 'path.txt')) ? readFileSync(join(pkg, 'path.txt'), 'utf8').trim() : 'electron';
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkg, 'dist');
  return join(dist, name);
}
const electronPath = locateElectron();
const present = electronPath !== '' && existsSync(electronPath);
if (!present)
  console.warn(
    `Electron end-to-end suite SKIPPED: no Electron binary at ${electronPath} (electron 42+ downloads it on first launch, which needs the network; set ELECTRON_OVERRIDE_DIST_PATH to use one).`,
  );

describe.runIf(present)('Electron app end to end', () => {
  it('opens one hardened window on the home screen, with the air gap shown', () => withBuiltApp(async () => {
    const app = await _electron.launch({ executablePath: electronPath, args: ['.'] });
    try {
      const win = await app.firstWindow();
      await win.getByRole('heading', { name: 'Home' }).waitFor();
      await expect.poll(() => win.getByRole('status').first().textContent()).toMatch(/^.?\s*(Air gap: no network interface is up|Network interface up: )/);
      // The strength estimator's worker starts under the app's scheme and CSP.
      expect(await win.evaluate(() => new Promise((ok) => { const w = new Worker('strength-worker.js'); w.onmessage = () => ok(true); w.onerror = () => ok(false); w.postMessage({ id: 1, passphrase: 'x', context: [] }); }))).toBe(true);
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
      // No Node in the page, and only the named preload API.
      const g = await win.evaluate(() => {
        const w = globalThis as unknown as { require?: unknown; process?: unknown; custos: object };
        return { require: typeof w.require, process: typeof w.process, api: Object.keys(w.custos) };
      });
      expect(g).toEqual({ require: 'undefined', process: 'undefined', api: [...METHOD_NAMES, 'onRun'] });
      expect(win.url()).toBe('custos://app/index.html'); // the app's own scheme, not file://
      // Navigation away from the app is refused.
      const before = win.url();
      await win.evaluate(() => {
        (globalThis as unknown as { location: { href: string } }).location.href = 'https://example.com/';
      });
      await new Promise((r) => setTimeout(r, 500));
      expect(win.url()).toBe(before);
    } finally {
      await app.close();
    }
  }));
});
