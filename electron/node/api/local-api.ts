// The node's local API as a part: the HTTP server over the handler map with the UI beside it,
// and the status pushed to live subscribers (every few seconds, and at once when the store
// turns out damaged).
import { readFile } from 'node:fs/promises';
import type { ApiHandlerMap, NodeStatus } from '../../../shared/api/index.js';
import { every, type Clock } from '../lifecycle/clock.js';
import type { DamageWatch } from '../store/damage-watch.js';
import type { EventHub } from './events.js';
import { isLoopbackHost, startApiServer } from './http-server.js';

/** How often a status event goes to live subscribers. */
export const STATUS_EVENT_INTERVAL_MS = 2_000;

export interface LocalApiInit {
  host: string;
  port: number;
  allowRemote: boolean;
  /** The built renderer served at / on the API port; none: the API only. */
  uiDir: string | undefined;
  /** DATA/api-token: created on first start. */
  tokenFile: string;
}

export interface LocalApiComponents {
  handlers: ApiHandlerMap;
  status(): Promise<NodeStatus>;
  events: EventHub;
  damage: Pick<DamageWatch, 'onDamaged'>;
  clock: Clock;
  log: { error(message: string): void; warn(fields: object, message: string): void };
}

export function localApi(init: LocalApiInit) {
  return (components: LocalApiComponents) => new LocalApi(init, components);
}

export class LocalApi {
  #server: { url: string; close(): Promise<void> } | undefined;
  #stopStatusEvents: (() => void) | undefined;
  constructor(
    private readonly init: LocalApiInit,
    private readonly components: LocalApiComponents,
  ) {
    components.damage.onDamaged(() => this.#sendStatus());
  }

  /** Where the API listens, once started ('' before). */
  get url(): string {
    return this.#server?.url ?? '';
  }

  get allowRemote(): boolean {
    return this.init.allowRemote;
  }

  /** True when the API listens on an address other machines can reach (api.allowRemote). */
  get exposed(): boolean {
    return this.#server !== undefined && !isLoopbackHost(this.init.host);
  }

  /** The address to open in a browser: the UI, with the API token in the fragment (never sent to a server). */
  async uiUrl(): Promise<string | undefined> {
    if (!this.#server || this.init.uiDir === undefined) return undefined;
    const token = (await readFile(this.init.tokenFile, 'utf8')).trim();
    return `${this.#server.url}/#token=${token}`;
  }

  async start(): Promise<void> {
    const { handlers, events, clock, log } = this.components;
    this.#stopStatusEvents = every(clock, STATUS_EVENT_INTERVAL_MS, () => {
      if (events.size > 0) this.#sendStatus();
    });
    this.#server = await startApiServer({
      host: this.init.host,
      port: this.init.port,
      tokenFile: this.init.tokenFile,
      handlers,
      events,
      ...(this.init.uiDir ? { uiDir: this.init.uiDir } : {}),
      allowRemote: this.init.allowRemote,
      log: (message) => log.error(message),
    });
    if (this.exposed)
      log.warn(
        { api: this.#server.url },
        'the API is reachable from the network (api.allowRemote): anyone who can reach this port and holds the token can use it',
      );
  }

  async stop(): Promise<void> {
    this.#stopStatusEvents?.();
    await this.#server?.close();
  }

  #sendStatus(): void {
    this.components.status().then(
      (status) => this.components.events.emit({ type: 'status', status }),
      () => undefined,
    );
  }
}
