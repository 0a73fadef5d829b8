/**
 * Electron hardening, in one place so tests can assert it (Electron security checklist):
 * context isolation, sandbox, no Node in the renderer, strict CSP, no navigation, no new
 * windows, every permission denied but the camera while a card is being scanned, and no
 * network request of any kind leaves the app.
 */
import type { BrowserWindowConstructorOptions, Session, WebContents } from 'electron';
import path from 'node:path';

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
    // A middle click would open a link in a new window: off.
    disableBlinkFeatures: 'Auxclick',
  };
}

/**
 * The window is served from the app's own scheme, never from file://: `custos://app/<file>`
 * maps to the built renderer's folder and nothing else, each response carrying the CSP as a
 * header. The scheme is standard and secure, with no fetch, CORS, streaming or service workers.
 */
export const APP_SCHEME = 'custos';
export const APP_ORIGIN = 'custos://app';
export const APP_INDEX = `${APP_ORIGIN}/index.html`;
export const SCHEME_PRIVILEGES = { standard: true, secure: true, supportFetchAPI: false, corsEnabled: false, stream: false, bypassCSP: false, allowServiceWorkers: false } as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

/** The file under `root` an app URL names; undefined for any other URL, a traversal, an odd character or type. */
export function appFile(url: string, root: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return undefined;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== 'app' || u.username || u.password || u.port) return undefined;
  const segments: string[] = [];
  for (const raw of u.pathname.split('/').slice(1)) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    // Plain names only: no "..", no hidden files, no separators or NUL smuggled in encoded.
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(seg) || seg.includes('..')) return undefined;
    segments.push(seg);
  }
  if (segments.length === 0 || !TYPES[path.extname(segments.at(-1)!)]) return undefined;
  const base = path.resolve(root);
  const file = path.resolve(base, ...segments);
  return file.startsWith(base + path.sep) ? file : undefined;
}

/** The response to an app URL: the file with its type and the CSP, or 404. */
export function serveApp(url: string, root: string, read: (file: string) => Uint8Array | undefined): { status: number; body: Uint8Array; headers: Record<string, string> } {
  const headers = { 'content-security-policy': CSP, 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' };
  const file = appFile(url, root);
  const body = file ? read(file) : undefined;
  if (!file || !body) return { status: 404, body: new TextEncoder().encode('not found'), headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' } };
  return { status: 200, body, headers: { ...headers, 'content-type': TYPES[path.extname(file)]! } };
}

/** Only the app's own scheme (and DevTools when a developer opens it) may be requested: not file://, not the network. */
export function isAllowedUrl(url: string, rendererRoot: string, opts: { devTools: boolean } = { devTools: false }): boolean {
  if (url.startsWith('devtools://')) return opts.devTools;
  return appFile(url, rendererRoot) !== undefined;
}

/**
 * Whether an IPC call comes from the app's own page: its frame shows exactly the app's index
 * (not another page of the protocol, a subframe elsewhere, or a frame that is gone).
 */
export function isAppSender(event: { senderFrame?: { url: string } | null }): boolean {
  return event.senderFrame?.url === APP_INDEX;
}

/**
 * The one permission the window may ever hold: the camera (video only, never the microphone),
 * for the app's own page, and only while the scan screen is open (it opens and closes the gate
 * through main). Each opening and closing is kept with its time (read by the tests; the
 * transcript records an opening at a share prompt, src/main/runs.ts).
 */
export class CameraGate {
  private open = false;
  readonly log: { at: string; open: boolean }[] = [];

  constructor(private readonly clock: () => Date = () => new Date()) {}

  set(open: boolean): void {
    if (open === this.open) return;
    this.open = open;
    this.log.push({ at: this.clock().toISOString(), open });
    if (this.log.length > 200) this.log.splice(0, this.log.length - 200); // the latest openings and closings
  }

  /** A permission request: the camera alone, from the app's page, while the gate is open. */
  allowsRequest(permission: string, details: { mediaTypes?: string[]; requestingUrl?: string }): boolean {
    const types = details.mediaTypes ?? [];
    return this.open && permission === 'media' && types.length > 0 && types.every((t) => t === 'video') && (details.requestingUrl ?? '').startsWith(`${APP_ORIGIN}/`);
  }

  /** A permission check (enumerating devices, say): the same rule. */
  allowsCheck(permission: string, origin: string, details: { mediaType?: string }): boolean {
    return this.open && permission === 'media' && details.mediaType === 'video' && (origin === APP_ORIGIN || origin === `${APP_ORIGIN}/`);
  }
}

export function hardenSession(session: Session, appRoot: string, opts: { devTools: boolean; camera?: CameraGate }): void {
  const camera = opts.camera;
  session.setPermissionRequestHandler((_wc, permission, callback, details) => callback(camera !== undefined && camera.allowsRequest(permission, (details ?? {}) as { mediaTypes?: string[]; requestingUrl?: string })));
  session.setPermissionCheckHandler((_wc, permission, origin, details) => camera !== undefined && camera.allowsCheck(permission, origin, (details ?? {}) as { mediaType?: string }));
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
