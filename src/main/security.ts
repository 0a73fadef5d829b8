/**
 * Electron hardening, in one place so tests can assert it (Electron security checklist):
 * context isolation, sandbox, no Node in the renderer, strict CSP, no navigation, no new
 * windows, every permission denied, and no network request of any kind leaves the app.
 */
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** DevTools only in a development build (`npm start`), never in a packaged app. */
export function webPreferences(preloadPath: string, opts: { devTools: boolean }): NonNullable<BrowserWindowConstructorOptions['webPreferences']> {
  return {
    preload: preloadPath,
    devTools: opts.devTools,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    enableWebSQL: false,
    safeDialogs: true,
  };
}

/** Only the app's own files (and DevTools when a developer opens it) may be requested. */
export function isAllowedUrl(url: string, appRoot: string, opts: { devTools: boolean } = { devTools: false }): boolean {
  if (url.startsWith('devtools://')) return opts.devTools;
  if (!url.startsWith('file://')) return false;
  if (/%5c|\\/i.test(url)) return false; // the app's files have no backslash in their names
  try {
    // fileURLToPath refuses encoded separators (%2F, %5C); resolve() removes any "..".
    const file = path.resolve(fileURLToPath(url));
    const root = path.resolve(appRoot);
    return file === root || file.startsWith(root + path.sep);
  } catch {
    return false;
  }
}

export function hardenSession(session: Session, appRoot: string, opts: { devTools: boolean }): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler?.(() => false);
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isAllowedUrl(details.url, appRoot, opts) }));
  session.webRequest.onHeadersReceived((details, callback) =>
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } }),
  );
  // No proxy, no DNS prefetch: the workstation is offline and must stay so.
  void session.setProxy({ mode: 'direct' });
}

export function hardenContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
