// The preload: the renderer's only way into the main process. It exposes one object, `kyso`,
// generated from the contract (src/shared/contract.ts), whose calls go over one IPC channel and
// answer checked Results; nothing else of Electron or Node reaches the page. Bundled to one
// CommonJS file (dist/preload/preload.cjs): a sandboxed preload cannot load modules of its own.
import { contextBridge, ipcRenderer } from 'electron';
import { IPC_CHANNEL, makeApi } from '../shared/contract.js';

contextBridge.exposeInMainWorld(
  'kyso',
  makeApi((name, input) => ipcRenderer.invoke(IPC_CHANNEL, name, input)),
);
