// The preload (DESIGN §7): one function per API method through contextBridge, the event
// stream and the desktop unlock. Nothing else reaches the page: no ipcRenderer, no Node.
// Bundled to CommonJS for the sandbox (npm run build:electron).
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge.js';

contextBridge.exposeInMainWorld('notary', createBridge(ipcRenderer));
