// The node's stop before a protocol upgrade its software does not know (docs/operations.md,
// "Scheduling a protocol upgrade"). After every commit, and once at start, it asks the chain
// whether the next height needs a later version than this software runs; the first time it
// does, it says so in one sentence (log, status) and every part subscribed stops: consensus
// proposes and votes no more, sync fetches no more, gossip and the API admit no transaction.
// Nothing is executed or written at that height (the chain refuses it too), so a restart with
// the same software stops at the same place with the same sentence; with a release that knows
// the version, the node goes on from there.
import type { ProtocolStop } from '../../../shared/chain/index.js';
import { ApiError } from '../api/errors.js';
import { Listeners, type Listener } from '../lifecycle/listeners.js';
import type { Chain } from './chain.js';
import type { Committer } from './committer.js';

export interface ProtocolWatchComponents {
  chain: Pick<Chain, 'head' | 'protocolStop'>;
  committer: Pick<Committer, 'onCommitted'>;
  log: { fatal(fields: object, message: string): void; error(fields: object, message: string): void };
}

export interface ProtocolWatchInit {
  /** The protocol versions this node's software runs, ascending (protocol-support.ts). */
  supported: readonly number[];
}

export function protocolWatch(init: ProtocolWatchInit) {
  return (components: ProtocolWatchComponents) => new ProtocolWatch(init, components);
}

export class ProtocolWatch {
  #stop: ProtocolStop | undefined;
  readonly #stopped = new Listeners<ProtocolStop>();

  constructor(
    readonly init: ProtocolWatchInit,
    private readonly components: ProtocolWatchComponents,
  ) {
    // At once, not at start: consensus, built later, must not start a height this node cannot execute.
    this.#check();
    // For the node's lifetime, like the committer it listens to.
    components.committer.onCommitted(() => this.#check());
  }

  /** The protocol versions this node runs. */
  get supported(): readonly number[] {
    return this.init.supported;
  }

  /** Why this node stopped before the next height, if it did. */
  get stop(): ProtocolStop | undefined {
    return this.#stop;
  }

  /** Called once, when the node stops for an upgrade (at once if it already has). */
  onStopped(listener: Listener<ProtocolStop>): void {
    if (this.#stop) void listener(this.#stop);
    else this.#stopped.add(listener);
  }

  /** REJECT with 503 PROTOCOL_UNSUPPORTED: a stopped node admits nothing (it cannot check it). */
  refuse(): void {
    if (this.#stop) throw new ApiError(503, 'PROTOCOL_UNSUPPORTED', this.#stop.sentence);
  }

  #check(): void {
    if (this.#stop) return;
    const { chain, log } = this.components;
    const stop = chain.protocolStop();
    if (!stop) return;
    this.#stop = stop;
    log.fatal({ height: chain.head.height, version: stop.version, supportedMax: stop.supportedMax }, stop.sentence);
    this.#stopped.emit(stop, (error) => log.error({ err: error }, 'a part did not stop for the protocol upgrade'));
  }
}
