// The IPC transport of the API contract: the same route table, input checks and handlers as
// HTTP (dispatchCall), behind a sender check. Types only from Electron, so a test drives it
// with an in-process stand-in for ipcMain and ipcRenderer.
import type { IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import {
  IPC_API_CHANNEL,
  IPC_EVENT_CHANNEL,
  IPC_UNLOCK_CHANNEL,
  type ApiEvent,
  type ApiHandlerMap,
} from '../../shared/api/index.js';
import { toApiError } from '../node/api/errors.js';
import type { EventHub } from '../node/api/events.js';
import { dispatchCall } from '../node/api/router.js';
import { isTrustedSender } from './security.js';

export interface IpcNode {
  handlers: ApiHandlerMap;
  events: EventHub;
}

export interface IpcOptions {
  /** The running node, or undefined while the keystore is still locked. */
  node(): IpcNode | undefined;
  /** The window allowed to call; other senders are refused. */
  contents(): WebContents | undefined;
  /** Starts the node with this passphrase; throws an error with a code and a sentence on failure. */
  unlock(passphrase: string): Promise<void>;
}

const PASSPHRASE_CHARS_MAX = 1024;

function errorBody(status: number, code: string, message: string) {
  return { status, body: { error: { code, message } } };
}

export function registerIpc(
  ipcMain: Pick<IpcMain, 'handle'>,
  options: IpcOptions,
): { attachEvents(node: IpcNode): () => void } {
  const trusted = (event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>) =>
    isTrustedSender(event.senderFrame, options.contents(), event.sender);

  ipcMain.handle(IPC_API_CHANNEL, async (event, name: unknown, request: unknown) => {
    if (!trusted(event)) return errorBody(403, 'FORBIDDEN', 'only the app window may call the node');
    const node = options.node();
    if (!node) return errorBody(503, 'NODE_LOCKED', 'the node starts once its keystore is unlocked');
    try {
      const reply = await dispatchCall(name, request, node.handlers);
      if ('bytes' in reply) return errorBody(404, 'NOT_OVER_IPC', 'a file download is served over HTTP only');
      return { status: reply.status, body: 'json' in reply ? reply.json : reply.text };
    } catch (error) {
      const apiError = toApiError(error);
      return errorBody(apiError.status, apiError.code, apiError.message);
    }
  });

  ipcMain.handle(IPC_UNLOCK_CHANNEL, async (event, passphrase: unknown) => {
    if (!trusted(event)) return { ok: false, code: 'FORBIDDEN', message: 'only the app window may unlock the node' };
    if (typeof passphrase !== 'string' || passphrase.length > PASSPHRASE_CHARS_MAX)
      return {
        ok: false,
        code: 'PASSPHRASE_INVALID',
        message: 'the passphrase must be text of at most 1024 characters',
      };
    if (options.node()) return { ok: true };
    try {
      await options.unlock(passphrase);
      return { ok: true };
    } catch (error) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      return {
        ok: false,
        code: typeof code === 'string' ? code : 'UNLOCK_FAILED',
        message: typeof message === 'string' ? message : 'the node did not start',
      };
    }
  });

  return {
    /** Forwards the node's live events to the window; returns the unsubscribe. */
    attachEvents(node) {
      return node.events.subscribe((event: ApiEvent) => {
        const contents = options.contents();
        if (contents && !contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, event);
      });
    },
  };
}
