// What the preload exposes, built from an ipcRenderer (the real one, or a test's stand-in).
// Types only from Electron here, so tests load this file without the Electron binary.
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import {
  API_METHOD_NAMES,
  IPC_API_CHANNEL,
  IPC_EVENT_CHANNEL,
  IPC_UNLOCK_CHANNEL,
  type NotaryBridge,
} from '../../shared/api/methods.js';

export function createBridge(renderer: Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>): NotaryBridge {
  // one function per method; the page never sees ipcRenderer itself
  const api = Object.fromEntries(
    API_METHOD_NAMES.map((name) => [name, (request?: unknown) => renderer.invoke(IPC_API_CHANNEL, name, request)]),
  ) as NotaryBridge['api'];
  return {
    api,
    onEvent(listener) {
      const forward = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
      renderer.on(IPC_EVENT_CHANNEL, forward);
      return () => void renderer.removeListener(IPC_EVENT_CHANNEL, forward);
    },
    unlock: (passphrase) => renderer.invoke(IPC_UNLOCK_CHANNEL, String(passphrase)),
  };
}
