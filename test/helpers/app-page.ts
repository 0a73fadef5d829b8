/**
 * The renderer as shipped, in Debian's Chromium: built with the shipping options into a folder
 * of its own, served at a stand-in origin by main's own `serveApp` (the CSP header and all, as
 * the app's custos:// handler serves it), talking to the real main-process handlers through the
 * test bridge. Every request the page makes is recorded.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { serveApp, APP_ORIGIN } from '../../src/main/security';
import { installBridge } from './bridge';
import { testApp, type TestApp } from './app';
import type { RunMessage } from '../../src/shared/ipc';
import { readFileSync, statSync } from 'node:fs';

export const ORIGIN = 'http://custos.test';

export async function builtRenderer(): Promise<string> {
  const out = mkdtempSync(join(tmpdir(), 'custos-renderer-'));
  // @ts-expect-error: a plain ES module of the build scripts
  const { buildRenderer } = (await import('../../scripts/build-renderer.mjs')) as { buildRenderer: (dir: string, o?: { sourcemap?: boolean }) => Promise<void> };
  await buildRenderer(out, { sourcemap: false });
  return out;
}

export interface AppPage {
  page: Page;
  app: TestApp;
  /** Every URL the page requested (a request the CSP blocked included). */
  requests: string[];
  /** Requests that failed, with why ('csp' for one the CSP blocked). */
  failed: Map<string, string>;
  /** What the page logged as errors (a CSP violation among them). */
  consoleErrors: string[];
  /** Every run message main sent the window. */
  messages: RunMessage[];
}

const readIfFile = (f: string): Uint8Array | undefined => {
  try {
    return statSync(f).isFile() ? readFileSync(f) : undefined;
  } catch {
    return undefined;
  }
};

export async function openApp(browser: Browser, root: string, opts: Parameters<typeof testApp>[0] extends infer O ? Omit<O, 'send'> & { serve?: typeof serveApp; viewport?: { width: number; height: number }; init?: () => void; path?: string } : never = {}): Promise<AppPage> {
  const context = await browser.newContext({ viewport: opts.viewport ?? { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.on('close', () => void context.close().catch(() => undefined));
  const requests: string[] = [];
  const messages: RunMessage[] = [];
  const failed = new Map<string, string>();
  page.on('request', (r) => requests.push(r.url()));
  const consoleErrors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  page.on('requestfailed', (r) => failed.set(r.url(), r.failure()?.errorText ?? ''));
  let send: (m: RunMessage) => Promise<void> = async () => undefined;
  const app = testApp({ ...opts, send: (m) => void (messages.push(m), send(m)) });
  send = (await installBridge(page, app.handlers)).send;
  const serve = opts.serve ?? serveApp;
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = route.request().url().replace(ORIGIN, APP_ORIGIN);
    const r = serve(url, root, readIfFile);
    await route.fulfill({ status: r.status, headers: r.headers, body: Buffer.from(r.body) });
  });
  if (opts.init) await page.addInitScript(opts.init);
  await page.goto(`${ORIGIN}/${opts.path ?? 'index.html'}`);
  return { page, app, requests, failed, consoleErrors, messages };
}
