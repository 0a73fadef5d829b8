/**
 * IPC in main: one handler per entry of the contract's method table, each checking the sender
 * once and the arguments against the table before any work. The run stream goes to the window
 * through `send` (webContents.send in the app, the test bridge in tests).
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { channelOf, checkArgs, IpcArgumentError, METHOD_NAMES, type CustosApi, type Method } from '../shared/ipc';

/** The methods as main implements them (the run stream is not a method). */
export type Handlers = { [M in Method]: (...args: Parameters<CustosApi[M]>) => ReturnType<CustosApi[M]> | Awaited<ReturnType<CustosApi[M]>> };

export function registerIpc(ipcMain: Pick<IpcMain, 'handle'>, handlers: Handlers, isTrustedSender: (e: IpcMainInvokeEvent) => boolean): void {
  for (const m of METHOD_NAMES)
    ipcMain.handle(channelOf(m), async (event, ...args: unknown[]) => {
      if (!isTrustedSender(event)) throw new IpcArgumentError(channelOf(m), 'sender', 'is not the Custos window');
      const checked = checkArgs(m, args) as unknown[];
      return (handlers[m] as (...a: unknown[]) => unknown)(...checked);
    });
}
