// Live events of the API contract (apiEventSchema): fan-out to WebSocket clients and to the
// Electron window. Bounded: at most SUBSCRIBERS_MAX listeners; a WebSocket client that stops
// reading is dropped once it has EVENTS_BUFFER_BYTES_MAX unsent, rather than growing memory.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { EVENTS_PROTOCOL, TOKEN_PROTOCOL_PREFIX, type ApiEvent } from '../../../shared/api/index.js';

export const SUBSCRIBERS_MAX = 64;
export const EVENTS_BUFFER_BYTES_MAX = 1024 * 1024;

export type EventListener = (event: ApiEvent) => void;

export class EventHub {
  readonly #listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    if (this.#listeners.size >= SUBSCRIBERS_MAX) throw new Error(`at most ${SUBSCRIBERS_MAX} event subscribers`);
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get size(): number {
    return this.#listeners.size;
  }

  emit(event: ApiEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // one broken subscriber must not stop the others
      }
    }
  }
}

/** Answers HTTP upgrades on the events path; the caller has checked the path and the client address. */
export function eventsUpgradeHandler(hub: EventHub, token: Buffer, tokenEquals: (presented: Buffer) => boolean) {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: 1024,
    handleProtocols: (protocols) => (protocols.has(EVENTS_PROTOCOL) ? EVENTS_PROTOCOL : false),
  });
  void token;
  return {
    handle(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      const offered = String(request.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((protocol) => protocol.trim());
      const bearer = offered.find((protocol) => protocol.startsWith(TOKEN_PROTOCOL_PREFIX));
      const presented = Buffer.from(bearer ? bearer.slice(TOKEN_PROTOCOL_PREFIX.length) : '');
      if (!tokenEquals(presented) || !offered.includes(EVENTS_PROTOCOL)) {
        socket.end(
          'HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nsend the subprotocols notary.events.v1 and bearer.<token from DATA/api-token>\n',
        );
        return;
      }
      if (hub.size >= SUBSCRIBERS_MAX) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\ntoo many event subscribers\n');
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws: WebSocket) => {
        const unsubscribe = hub.subscribe((event) => {
          if (ws.bufferedAmount > EVENTS_BUFFER_BYTES_MAX) {
            ws.terminate();
            return;
          }
          ws.send(JSON.stringify(event));
        });
        ws.on('close', unsubscribe);
        ws.on('error', () => ws.terminate());
        ws.on('message', () => undefined); // clients have nothing to say; maxPayload bounds it
      });
    },
    close(): void {
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
