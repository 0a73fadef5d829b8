/** Main-process security settings, asserted against a mocked electron (the binary is not needed). */
import { describe, expect, it, vi } from 'vitest';
import { APP_INDEX, appFile, CameraGate, CSP, hardenContents, hardenSession, isAllowedUrl, isAppSender, serveApp, webPreferences } from '../../src/main/security';
import { registerIpc } from '../../src/main/ipc';
import { appHandlers } from '../../src/main/handlers';
import { Choices } from '../../src/main/choices';
import { Runs } from '../../src/main/runs';
import { SettingsStore } from '../../src/main/settings';
import { nativeProvider } from '../../src/node/native-provider';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { channelOf, METHODS, type Method, type RunMessage } from '../../src/shared/ipc';

vi.mock('electron', () => ({}));

describe('BrowserWindow webPreferences', () => {
  it('isolate, sandbox and keep Node out of the renderer', () => {
    const p = webPreferences('/app/preload/preload.cjs', { devTools: false });
    expect(webPreferences('/x', { devTools: true }).devTools).toBe(true);
    expect(p).toMatchObject({
      devTools: false,
      preload: '/app/preload/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      disableBlinkFeatures: 'Auxclick',
    });
  });
});

describe('session hardening', () => {
  type Cb<T> = (r: T) => void;
  interface FakeSession {
    permissionRequest?: (wc: unknown, p: string, cb: Cb<boolean>) => void;
    permissionCheck?: () => boolean;
    beforeRequest?: (d: { url: string }, cb: Cb<{ cancel: boolean }>) => void;
    headers?: (d: { responseHeaders: Record<string, string[]> }, cb: Cb<{ responseHeaders: Record<string, string[]> }>) => void;
    proxy?: unknown;
  }
  function fakeSession() {
    const s: FakeSession = {};
    const api = {
      setPermissionRequestHandler: (h: FakeSession['permissionRequest']) => void (s.permissionRequest = h),
      setPermissionCheckHandler: (h: FakeSession['permissionCheck']) => void (s.permissionCheck = h),
      setDevicePermissionHandler: () => undefined,
      setProxy: (p: unknown) => ((s.proxy = p), Promise.resolve()),
      webRequest: {
        onBeforeRequest: (h: FakeSession['beforeRequest']) => void (s.beforeRequest = h),
        onHeadersReceived: (h: FakeSession['headers']) => void (s.headers = h),
      },
    };
    return { s, api };
  }
  const { s, api } = fakeSession();
  hardenSession(api as never, '/opt/custos/resources/app/renderer', { devTools: false });

  it('denies every permission request and check', () => {
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'usb', 'hid', 'serial']) {
      let granted: boolean | undefined;
      s.permissionRequest!({}, p, (ok) => (granted = ok));
      expect(granted).toBe(false);
    }
    expect(s.permissionCheck!()).toBe(false);
    expect(s.proxy).toEqual({ mode: 'direct' });
  });
  it('the camera: video only, for the app page only, only while the scan screen holds the gate open; each opening and closing kept', () => {
    const gate = new CameraGate(() => new Date('2026-12-01T10:00:00.000Z'));
    const cam = fakeSession();
    hardenSession(cam.api as never, '/opt/custos/resources/app/renderer', { devTools: false, camera: gate });
    const ask = (p: string, details: unknown) => {
      let granted: boolean | undefined;
      (cam.s.permissionRequest as unknown as (wc: unknown, p: string, cb: Cb<boolean>, d: unknown) => void)({}, p, (ok) => (granted = ok), details);
      return granted;
    };
    const video = { mediaTypes: ['video'], requestingUrl: 'custos://app/index.html' };
    expect(ask('media', video)).toBe(false); // closed: denied
    gate.set(true);
    expect(ask('media', video)).toBe(true);
    expect(ask('media', { ...video, mediaTypes: ['video', 'audio'] })).toBe(false); // never the microphone
    expect(ask('media', { ...video, mediaTypes: [] })).toBe(false);
    expect(ask('media', { ...video, requestingUrl: 'https://example.com/' })).toBe(false);
    for (const p of ['geolocation', 'notifications', 'clipboard-read', 'display-capture']) expect(ask(p, video), p).toBe(false);
    expect((cam.s.permissionCheck as unknown as (wc: unknown, p: string, o: string, d: unknown) => boolean)({}, 'media', 'custos://app', { mediaType: 'video' })).toBe(true);
    expect((cam.s.permissionCheck as unknown as (wc: unknown, p: string, o: string, d: unknown) => boolean)({}, 'media', 'custos://app', { mediaType: 'audio' })).toBe(false);
    gate.set(false);
    expect(ask('media', video)).toBe(false);
    expect(gate.log).toEqual([
      { at: '2026-12-01T10:00:00.000Z', open: true },
      { at: '2026-12-01T10:00:00.000Z', open: false },
    ]);
  });
  it('cancels every request that is not one of the app files on the app scheme (file:// included)', () => {
    const cancel = (url: string) => {
      let r: boolean | undefined;
      s.beforeRequest!({ url }, (x) => (r = x.cancel));
      return r;
    };
    expect(cancel('custos://app/index.html')).toBe(false);
    expect(cancel('custos://app/renderer.js')).toBe(false);
    expect(cancel('devtools://devtools/bundled/inspector.html')).toBe(true); // packaged: no DevTools
    expect(isAllowedUrl('devtools://devtools/bundled/inspector.html', '/opt/custos/resources/app/renderer', { devTools: true })).toBe(true);
    for (const url of ['https://example.com/', 'http://127.0.0.1:8080/', 'ws://localhost/', 'file:///opt/custos/resources/app/renderer/index.html', 'file:///etc/passwd', 'data:text/html,hi', 'ftp://x/', 'custos://evil/index.html', 'custos://app/'])
      expect(cancel(url), url).toBe(true);
  });
  it('maps only plain app URLs to files under the renderer folder: no traversal, encoded or not', () => {
    const root = '/opt/custos/resources/app/renderer';
    expect(appFile('custos://app/index.html', root)).toBe(`${root}/index.html`);
    expect(appFile('custos://app/fonts/atkinson.woff2', root)).toBe(`${root}/fonts/atkinson.woff2`);
    for (const sneaky of [
      'custos://app/../main/main.cjs',
      'custos://app/%2e%2e/main/main.cjs',
      'custos://app/..%2Fmain%2Fmain.cjs',
      'custos://app/fonts%2F..%2F..%2Fmain.cjs',
      'custos://app/..%5Cmain.cjs',
      'custos://app/.hidden.js',
      'custos://app/index.html%00.js',
      'custos://app/preload.cjs',
      'custos://app/main.cjs.map',
      'custos://user:pw@app/index.html',
      'custos://app:8080/index.html',
      'custos://other/index.html',
      'file:///opt/custos/resources/app/renderer/index.html',
    ])
      expect(appFile(sneaky, root), sneaky).toBeUndefined();
  });
  it('serves each app file with its type and the CSP as a header; anything else is 404', () => {
    const files: Record<string, string> = { '/r/index.html': '<html>', '/r/renderer.js': 'x()' };
    const read = (f: string) => (files[f] ? new TextEncoder().encode(files[f]) : undefined);
    const ok = serveApp('custos://app/index.html', '/r', read);
    expect(ok).toMatchObject({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP, 'x-content-type-options': 'nosniff' } });
    expect(new TextDecoder().decode(ok.body)).toBe('<html>');
    expect(serveApp('custos://app/renderer.js', '/r', read).headers['content-type']).toBe('text/javascript; charset=utf-8');
    for (const url of ['custos://app/missing.js', 'custos://app/../etc/passwd', 'custos://app/x.exe']) expect(serveApp(url, '/r', read), url).toMatchObject({ status: 404, headers: { 'content-security-policy': CSP } });
  });
  it('sets the strict CSP on every response', () => {
    let out: Record<string, string[]> | undefined;
    s.headers!({ responseHeaders: { 'X-Other': ['1'] } }, (r) => (out = r.responseHeaders));
    expect(out!['Content-Security-Policy']).toEqual([CSP]);
    expect(CSP).toContain("default-src 'none'");
    expect(CSP).toContain("connect-src 'none'");
    expect(CSP).not.toMatch(/unsafe-(inline|eval)/);
  });
});

describe('web contents hardening', () => {
  it('prevents navigation, redirects and webviews, and denies new windows', () => {
    const handlers: Record<string, (e: { preventDefault(): void }) => void> = {};
    let openHandler: (() => { action: string }) | undefined;
    hardenContents({
      on: (ev: string, h: (e: { preventDefault(): void }) => void) => (handlers[ev] = h),
      setWindowOpenHandler: (h: () => { action: string }) => (openHandler = h),
    } as never);
    for (const ev of ['will-navigate', 'will-redirect', 'will-attach-webview']) {
      const e = { preventDefault: vi.fn() };
      handlers[ev]!(e);
      expect(e.preventDefault).toHaveBeenCalled();
    }
    expect(openHandler!()).toEqual({ action: 'deny' });
  });
});

describe('IPC validation in main', () => {
  const registered: Record<string, (e: unknown, ...a: unknown[]) => Promise<unknown>> = {};
  const choices = new Choices();
  const sent: RunMessage[] = [];
  const runs = new Runs({ fork: () => { throw new Error('no engine in this test'); }, send: (m) => void sent.push(m), choices, appVersion: 'test' });
  const about = vi.fn(() => ({ name: 'Custos', version: '0', nativeCrypto: [], runtime: 'test' }));
  const dialog = vi.fn(async () => '/media/usb/plan.yaml');
  const saveDialog = vi.fn(async () => undefined);
  const settings = new SettingsStore(join(mkdtempSync(join(tmpdir(), 'custos-settings-')), 'settings.json'));
  const handlers = appHandlers({ about, dialog, saveDialog, print: async () => ({ printed: false }), camera: () => undefined, provider: nativeProvider, settings, network: () => ({ interfaces: [{ name: 'lo', loopback: true, addresses: ['127.0.0.1'] }, { name: 'wlan0', loopback: false, addresses: ['10.1.1.2'] }] }), clock: () => new Date(0), drives: () => [{ device: 'sdb', partition: 'sdb1', mountpoint: '/media/usb', sizeBytes: 1024 }], choices, runs });
  registerIpc({ handle: (ch: string, h: (e: unknown, ...a: unknown[]) => Promise<unknown>) => (registered[ch] = h) } as never, handlers, (e) => (e as unknown as { trusted: boolean }).trusted);
  const call = (m: Method | string, ...a: unknown[]) => registered[`custos:${m}`]!({ trusted: true }, ...a);

  it('trusts a call only from the app page itself: not another page of its scheme, not a frame that is gone', () => {
    expect(APP_INDEX).toBe('custos://app/index.html');
    expect(isAppSender({ senderFrame: { url: APP_INDEX } })).toBe(true);
    for (const url of ['custos://app/pdf-worker.js', 'custos://app/index.html?x=1', 'custos://app/index.html#/verify', 'custos://other/index.html', 'file:///app/index.html', 'https://example.com/', 'about:blank', ''])
      expect(isAppSender({ senderFrame: { url } }), url).toBe(false);
    expect(isAppSender({ senderFrame: null })).toBe(false);
    expect(isAppSender({})).toBe(false);
  });
  it('has one handler per method of the contract, and nothing else', () => {
    expect(Object.keys(registered).sort()).toEqual((Object.keys(METHODS) as Method[]).map((m) => channelOf(m)).sort());
  });
  it('answers the trusted window', async () => {
    await expect(call('about')).resolves.toMatchObject({ name: 'Custos' });
    await expect(call('airGap')).resolves.toEqual({ live: ['wlan0'], checkedAt: '1970-01-01T00:00:00.000Z' });
    await expect(call('drives')).resolves.toEqual([{ device: 'sdb', partition: 'sdb1', mountpoint: '/media/usb', sizeBytes: 1024 }]);
  });
  it('refuses another sender and unexpected arguments before doing any work, naming the argument', async () => {
    about.mockClear();
    for (const m of Object.keys(METHODS)) await expect(registered[`custos:${m}`]!({ trusted: false })).rejects.toThrowError(/sender: is not the Custos window/);
    await expect(call('about', 'extra')).rejects.toThrowError(/custos:about args: /);
    await expect(call('choose', 'anything')).rejects.toThrowError(/custos:choose args\[0\]: /);
    await expect(call('startRun', { plan: '/etc/passwd', rehearsal: false })).rejects.toThrowError(/custos:startRun args\[0\]\[plan\]: must be a token from a dialog/);
    await expect(call('answer', 1, 1, { kind: 'unlock', identityFile: '/home/x/id.age', passphrase: new Uint8Array([1]) })).rejects.toThrowError(/args\[2\]/);
    await expect(call('answer', 1, 1, { kind: 'unlock', identityFile: 'A'.repeat(24), passphrase: 'a string' })).rejects.toThrowError(/args\[2\]/);
    await expect(call('verify', { kind: 'transcript', file: '/var/lib/custos/vault/x.jsonl', roster: 'vault' })).rejects.toThrowError(/custos:verify args\[0\]\[file\]: must be a token from a dialog/);
    await expect(call('verify', { kind: 'passwd', file: 'A'.repeat(24), roster: 'vault' })).rejects.toThrowError(/custos:verify args\[0\]\[kind\]/);
    await expect(call('verify', { kind: 'receipt', file: 'A'.repeat(24), transport: 'B'.repeat(24), fingerprint: 'xyz' })).rejects.toThrowError(/custos:verify args\[0\]\[fingerprint\]: must be the 64-hex-digit fingerprint/);
    await expect(call('verify', { kind: 'shares', file: 'A'.repeat(24), passphrase: 'typed as text' })).rejects.toThrowError(/custos:verify args\[0\]\[passphrase\]/);
    await expect(call('pinRoster', 42)).rejects.toThrowError(/custos:pinRoster args\[0\]/);
    await expect(call('savePlan', '')).rejects.toThrowError(/custos:savePlan args\[0\]/);
    // What main says of its own (the camera opened, a card printed) the window cannot say.
    await expect(call('answer', 1, 1, { kind: 'share', typed: 'CARD', camera: true })).rejects.toThrowError(/args\[2\]/);
    await expect(call('answer', 1, 1, { kind: 'show-share', seen: true, printed: true })).rejects.toThrowError(/args\[2\]/);
    // A card's versions: one or both, each once, in order.
    for (const bad of [[1, 1], [2, 1], [], [3]]) await expect(call('checkShareLine', 1, '01 X 00', bad), JSON.stringify(bad)).rejects.toThrowError(/custos:checkShareLine args\[2\]/);
    expect(about).not.toHaveBeenCalled();
    expect(dialog).not.toHaveBeenCalled();
    expect(saveDialog).not.toHaveBeenCalled();
  });
  it('files reach a run only as tokens of their kind, from main’s dialog', async () => {
    const chosen = (await call('choose', 'plan')) as { token: string; name: string };
    expect(chosen).toEqual({ token: expect.stringMatching(/^[A-Za-z0-9_-]{24}$/), name: 'plan.yaml' });
    expect(choices.resolve(chosen.token, 'plan')).toBe('/media/usb/plan.yaml');
    expect(choices.resolve(chosen.token, 'identity')).toBeUndefined(); // a plan's token does not name an identity
    await expect(call('startRun', { plan: 'B'.repeat(24), rehearsal: true })).rejects.toThrowError(/the plan was not chosen in this window/);
    await expect(call('answer', 7, 1, { kind: 'review', approve: true })).rejects.toThrowError(/run 7 is not the run in progress/);
  });
});
