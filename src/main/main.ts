/** Electron main process: one hardened window on the app's own files; all I/O happens here. */
import { app, BrowserWindow, dialog, ipcMain, protocol, session, utilityProcess } from 'electron';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { nativeProvider } from '../node/native-provider';
import { registerIpc } from './ipc';
import { readNetworkState } from '../node/network';
import { removableDrives } from '../node/drives';
import type { EngineChild } from '../node/engine-host';
import { channelOf, type ChoiceKind } from '../shared/ipc';
import { Choices } from './choices';
import { appHandlers } from './handlers';
import { Runs } from './runs';
import { SettingsStore } from './settings';
import { APP_INDEX, APP_SCHEME, CameraGate, hardenContents, isAppSender, hardenSession, SCHEME_PRIVILEGES, serveApp, webPreferences } from './security';

const appRoot = path.resolve(__dirname, '..');
const rendererRoot = path.join(appRoot, 'renderer');

// The window's own scheme, registered before the app is ready (Electron requires it then).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: SCHEME_PRIVILEGES }]);

/** A regular file's bytes, or undefined. */
function readIfFile(file: string): Uint8Array | undefined {
  try {
    return statSync(file).isFile() ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

const devTools = !app.isPackaged;

app.enableSandbox();
app.on('web-contents-created', (_e, contents) => hardenContents(contents));

async function createWindow(): Promise<BrowserWindow> {
  const win = new BrowserWindow({
    width: 1200,
    height: 800,
    title: 'Custos',
    backgroundColor: '#f7f7f5',
    show: false,
    // The settings are security.ts's (tested there); the essential ones are repeated here, where
    // the window is made, so a reader and a scanner see them at a glance.
    webPreferences: { ...webPreferences(path.join(appRoot, 'preload', 'preload.cjs'), { devTools }), contextIsolation: true, sandbox: true, nodeIntegration: false, disableBlinkFeatures: 'Auxclick' },
  });
  win.once('ready-to-show', () => win.show());
  await win.loadURL(APP_INDEX);
  return win;
}

/** The engine runs each ceremony in Electron's utility process, never in main or the window. */
function engineProcess(): EngineChild {
  const child = utilityProcess.fork(path.join(appRoot, 'engine', 'engine-process.cjs'), [], { serviceName: 'Custos engine', stdio: 'ignore' });
  return {
    send: (m) => child.postMessage(m),
    onMessage: (l) => child.on('message', l),
    onExit: (l) => child.on('exit', (code) => l(code)),
    kill: () => void child.kill(),
  };
}

/** Main's save dialog for a plan built in the window, or a printed document. */
async function saveAs(win: BrowserWindow | undefined, what: 'plan' | 'document', name?: string): Promise<string | undefined> {
  const options: Electron.SaveDialogOptions =
    what === 'plan'
      ? { title: 'Save the ceremony plan', defaultPath: 'ceremony.yaml', filters: [{ name: 'Ceremony plan', extensions: ['yaml'] }], properties: ['createDirectory', 'showOverwriteConfirmation'] }
      : { title: 'Save the document', defaultPath: name ?? 'document.pdf', filters: [{ name: 'PDF document', extensions: ['pdf'] }], properties: ['createDirectory', 'showOverwriteConfirmation'] };
  const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
  return r.canceled ? undefined : r.filePath;
}

/** Main's open dialog, the only way a file or folder reaches a ceremony from the window. */
async function choose(win: BrowserWindow | undefined, kind: ChoiceKind): Promise<string | undefined> {
  const filters: Record<ChoiceKind, Electron.FileFilter[]> = {
    plan: [{ name: 'Ceremony plan', extensions: ['yaml', 'yml'] }],
    identity: [{ name: 'Identity file', extensions: ['age'] }],
    share: [{ name: 'Share file, paper share, or a picture of its QR code', extensions: ['age', 'txt', 'png', 'jpg', 'jpeg'] }],
    folder: [],
    roster: [{ name: 'Roster', extensions: ['json'] }],
    document: [{ name: 'Transcript, bundle, backup or escrow manifest', extensions: ['jsonl', 'json', 'custos-backup'] }, { name: 'Any file', extensions: ['*'] }],
  };
  const options: Electron.OpenDialogOptions = { properties: kind === 'folder' ? ['openDirectory', 'createDirectory'] : ['openFile'], filters: filters[kind] };
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return r.canceled ? undefined : r.filePaths[0];
}

// A second instance would share media and state: it exits at once, and the first comes forward.
if (!app.requestSingleInstanceLock()) {
  app.exit(0);
} else {
  let main: BrowserWindow | undefined;
  app.on('second-instance', () => {
    if (main?.isMinimized()) main.restore();
    main?.focus();
  });
  void app.whenReady().then(async () => {
    const camera = new CameraGate();
    hardenSession(session.defaultSession, rendererRoot, { devTools, camera });
    session.defaultSession.protocol.handle(APP_SCHEME, (request) => {
      const r = serveApp(request.url, rendererRoot, readIfFile);
      return new Response(Buffer.from(r.body), { status: r.status, headers: r.headers });
    });
    const choices = new Choices();
    const runs = new Runs({
      // The camera's gate closes whenever the prompt is no longer a share (answered, another one, the run's end).
      promptChanged: (kind) => kind !== 'share' && camera.set(false),
      fork: engineProcess,
      send: (m) => main?.webContents.send(channelOf('run'), m),
      choices,
      appVersion: app.getVersion(),
    });
    registerIpc(
      ipcMain,
      appHandlers({
        about: () => ({ name: 'Custos', version: app.getVersion(), nativeCrypto: [...nativeProvider.native], runtime: `Electron ${process.versions.electron}` }),
        dialog: (kind) => choose(main, kind),
        saveDialog: (what, name) => saveAs(main, what, name),
        // The system's print dialog for the pages the window shows for print; the person picks the printer.
        print: () =>
          new Promise((resolve) => {
            if (!main) return resolve({ printed: false, reason: 'no window' });
            main.webContents.print({ silent: false, printBackground: false }, (printed, reason) => resolve({ printed, ...(reason && { reason }) }));
          }),
        camera: (open) => camera.set(open),
        provider: nativeProvider,
        settings: new SettingsStore(path.join(app.getPath('userData'), 'settings.json')),
        network: readNetworkState,
        drives: () => removableDrives(),
        clock: () => new Date(),
        choices,
        runs,
      }),
      isAppSender,
    );
    main = await createWindow();
    // A window that crashes or reloads holds the camera no longer.
    main.webContents.on('render-process-gone', () => camera.set(false));
    main.webContents.on('did-start-loading', () => camera.set(false));
  });
  app.on('window-all-closed', () => app.quit());
}
