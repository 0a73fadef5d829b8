/**
 * The one bridge between the renderer and main: one named method per entry of the contract's
 * method table (src/shared/ipc.ts), generated from it, plus the run stream whose subscription
 * returns its unsubscribe. No raw ipcRenderer, no generic send or invoke.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channelOf, METHOD_NAMES } from '../shared/methods';
import type { CustosApi, RunMessage } from '../shared/ipc';

const methods = Object.fromEntries(METHOD_NAMES.map((m) => [m, (...args: unknown[]) => ipcRenderer.invoke(channelOf(m), ...args)]));

const api = {
  ...methods,
  onRun(listener: (m: RunMessage) => void): () => void {
    const handler = (_e: IpcRendererEvent, m: RunMessage) => listener(m);
    ipcRenderer.on(channelOf('run'), handler);
    return () => void ipcRenderer.removeListener(channelOf('run'), handler);
  },
} as CustosApi;

contextBridge.exposeInMainWorld('custos', Object.freeze(api));
