/** The renderer in Debian's Chromium, talking to the real main-process handlers via the test bridge. */
import { build } from 'esbuild';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { nativeProvider } from '../../src/node/native-provider';
import { installBridge } from '../helpers/bridge';
import { appHandlers } from '../../src/main/handlers';
import { Choices } from '../../src/main/choices';
import { Runs } from '../../src/main/runs';
import { readNetworkState } from '../../src/node/network';
import { hasChromium, launchChromium } from '../helpers/chromium';

const out = mkdtempSync(join(tmpdir(), 'custos-renderer-'));
let browser: Browser;

describe.runIf(hasChromium())('renderer placeholder in Chromium', () => {
  beforeAll(async () => {
    await build({ entryPoints: ['src/renderer/renderer.ts'], outfile: join(out, 'renderer.js'), bundle: true, platform: 'browser', format: 'iife', logLevel: 'error' });
    for (const f of ['index.html', 'styles.css']) cpSync(`src/renderer/${f}`, join(out, f));
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('shows what main reports, under the strict CSP, with no network request', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    const cspErrors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => m.type() === 'error' && cspErrors.push(m.text()));
    const choices = new Choices();
    await installBridge(
      page,
      appHandlers({
        about: () => ({ name: 'Custos', version: '0.1.0', nativeCrypto: [...nativeProvider.native], runtime: 'Chromium (test bridge)' }),
        dialog: async () => undefined,
        network: readNetworkState,
        clock: () => new Date(),
        drives: () => [],
        choices,
        runs: new Runs({ fork: () => { throw new Error('no run here'); }, send: () => undefined, choices, appVersion: '0.1.0' }),
      }),
    );
    await page.goto(pathToFileURL(join(out, 'index.html')).href);
    await expect.poll(() => page.textContent('#about')).toMatch(/^Custos 0\.1\.0 · Chromium \(test bridge\) · native crypto: .*aesGcm/);
    expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
    expect(cspErrors).toEqual([]);
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/renderer-placeholder.png' });
    // the page cannot reach the network even if it tried: CSP connect-src 'none'
    const blocked = await page.evaluate(() => fetch('https://example.com/').then(() => 'fetched', () => 'blocked'));
    expect(blocked).toBe('blocked');
  });
});
