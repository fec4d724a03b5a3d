// An in-process stand-in for Electron's IPC: ipcMain.handle / ipcRenderer.invoke with the
// structured-clone boundary between them, and a webContents that records what main sends.
// It lets the real registerIpc (electron/main) and the real preload bridge run without Electron.
import { EventEmitter } from 'node:events';
import type { IpcMain, IpcRenderer, WebContents } from 'electron';

type Handler = (event: unknown, ...args: unknown[]) => unknown;

export interface StandInFrame {
  url: string;
  parent: unknown;
}

export function ipcStandIn() {
  const handlers = new Map<string, Handler>();
  const toRenderer = new EventEmitter();
  let destroyed = false;
  const contents = {
    send: (channel: string, payload: unknown) => toRenderer.emit(channel, {}, structuredClone(payload)),
    isDestroyed: () => destroyed,
  } as unknown as WebContents;
  /** The frame the next invoke comes from: the app's main frame unless a test says otherwise. */
  let frame: StandInFrame = { url: 'app://notary/index.html', parent: null };
  let sender: WebContents = contents;

  const ipcMain = {
    handle(channel: string, handler: Handler) {
      if (handlers.has(channel)) throw new Error(`a second handler for ${channel}`);
      handlers.set(channel, handler);
    },
  } as unknown as Pick<IpcMain, 'handle'>;

  const ipcRenderer = {
    async invoke(channel: string, ...args: unknown[]) {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      // arguments and answers cross the boundary as structured clones, as in Electron
      return structuredClone(await handler({ senderFrame: frame, sender }, ...structuredClone(args)));
    },
    on: (channel: string, listener: (...args: unknown[]) => void) => toRenderer.on(channel, listener),
    removeListener: (channel: string, listener: (...args: unknown[]) => void) =>
      toRenderer.removeListener(channel, listener),
  } as unknown as Pick<IpcRenderer, 'invoke' | 'on' | 'removeListener'>;

  return {
    ipcMain,
    ipcRenderer,
    contents,
    channels: () => [...handlers.keys()],
    fromFrame(next: StandInFrame, nextSender: WebContents = contents) {
      frame = next;
      sender = nextSender;
    },
    destroy() {
      destroyed = true;
    },
  };
}
