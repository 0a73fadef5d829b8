/** IPC handlers: every message is checked for its sender and its arguments before any work. */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { CHANNELS, IpcArgumentError, validators, type AboutInfo } from '../shared/ipc';

export interface Handlers {
  about(): Promise<AboutInfo> | AboutInfo;
}

export function registerIpc(ipcMain: IpcMain, handlers: Handlers, isTrustedSender: (e: IpcMainInvokeEvent) => boolean): void {
  ipcMain.handle(CHANNELS.about, async (event, ...args: unknown[]) => {
    if (!isTrustedSender(event)) throw new IpcArgumentError(CHANNELS.about, 'sender', 'is not the Custos window');
    validators.about(args);
    return handlers.about();
  });
}
