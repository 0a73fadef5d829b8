/** The one bridge between the renderer and main: named, typed methods; no raw ipcRenderer. */
import { contextBridge, ipcRenderer } from 'electron';
import { CHANNELS, type CustosApi } from '../shared/ipc';

const api: CustosApi = {
  about: () => ipcRenderer.invoke(CHANNELS.about),
};

contextBridge.exposeInMainWorld('custos', api);
