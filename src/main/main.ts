/** Electron main process: one hardened window on the app's own files; all I/O happens here. */
import { app, BrowserWindow, ipcMain, session } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { nativeProvider } from '../node/native-provider';
import { registerIpc } from './ipc';
import { hardenContents, hardenSession, webPreferences } from './security';

const appRoot = path.resolve(__dirname, '..');
const indexHtml = path.join(appRoot, 'renderer', 'index.html');
const indexUrl = pathToFileURL(indexHtml).href;

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
    webPreferences: webPreferences(path.join(appRoot, 'preload', 'preload.cjs'), { devTools }),
  });
  win.once('ready-to-show', () => win.show());
  await win.loadFile(indexHtml);
  return win;
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
    hardenSession(session.defaultSession, appRoot, { devTools });
    registerIpc(
      ipcMain,
      {
        about: () => ({ name: 'Custos', version: app.getVersion(), nativeCrypto: [...nativeProvider.native], runtime: `Electron ${process.versions.electron}` }),
      },
      (event) => event.senderFrame?.url === indexUrl,
    );
    main = await createWindow();
  });
  app.on('window-all-closed', () => app.quit());
}
