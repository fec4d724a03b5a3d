// The simulated gossip network: every broadcast is encoded once (the real wire codec) and
// delivered to each other node after a seeded delay, unless a fault intervenes. Faults: drop
// (a rate), duplicate (a rate, with its own delay), reorder (delays are independent per copy),
// and partitions (a set of nodes cut from the rest until healed; messages in flight across
// the cut are lost too). A wiretap sees every message sent, before any fault.
import { decodeConsensusMessage, encodeConsensusMessage, type ConsensusMessage } from '../../shared/chain/messages.js';
import type { ConsensusTransport } from '../../electron/node/consensus/index.js';
import type { Prng } from './prng.js';
import type { VirtualClock } from './virtual-clock.js';

export interface NetworkFaults {
  dropRate: number;
  /**
   * Extra loss and delay for precommits: the state where some validators decided while others
   * timed out into the next round is what locks exist for, and it needs precommits lost or late.
   */
  precommitDropRate: number;
  precommitDelayMaxMs: number;
  duplicateRate: number;
  delayMinMs: number;
  delayMaxMs: number;
}

export interface NetworkStats {
  sent: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  partitionDropped: number;
}

export type Handler = (message: ConsensusMessage) => void;

/** What the simulation and a byzantine transport need of a network (SimNetwork, MeshNetwork). */
export interface SimWire {
  readonly stats: NetworkStats;
  faults: NetworkFaults;
  partition: ReadonlySet<number> | null;
  dropIf: ((from: number, to: number, message: ConsensusMessage) => boolean) | null;
  /** The peers `node` sends to directly. */
  peersOf(node: number): number[];
  detach(node: number): void;
  reachable(a: number, b: number): boolean;
  /** Sends `message` from `from`; `peers` restricts the first hop (a byzantine sender's choice). */
  broadcast(from: number, message: ConsensusMessage, peers?: readonly number[]): void;
  transport(node: number): ConsensusTransport;
}

export class SimNetwork implements SimWire {
  readonly stats: NetworkStats = { sent: 0, delivered: 0, dropped: 0, duplicated: 0, partitionDropped: 0 };
  faults: NetworkFaults;
  /** Nodes on the far side of the current partition, or null. */
  partition: ReadonlySet<number> | null = null;
  readonly #handlers = new Map<number, Handler>();
  /** A scripted fault for targeted scenarios: true drops that copy. */
  dropIf: ((from: number, to: number, message: ConsensusMessage) => boolean) | null = null;

  constructor(
    readonly clock: VirtualClock,
    readonly rng: Prng,
    faults: NetworkFaults,
    readonly wiretap: (from: number, message: ConsensusMessage) => void,
  ) {
    this.faults = faults;
  }

  get nodes(): number[] {
    return [...this.#handlers.keys()];
  }

  attach(node: number, handler: Handler): void {
    this.#handlers.set(node, handler);
  }

  detach(node: number): void {
    this.#handlers.delete(node);
  }

  /** Every node is every node's peer: a broadcast reaches each other node directly. */
  peersOf(_node: number): number[] {
    return this.nodes;
  }

  isAttached(node: number): boolean {
    return this.#handlers.has(node);
  }

  /** Whether a message from `a` can reach `b` now: both up, same side of any partition. */
  reachable(a: number, b: number): boolean {
    return this.#handlers.has(a) && this.#handlers.has(b) && !this.#cut(a, b);
  }

  #cut(a: number, b: number): boolean {
    return this.partition !== null && this.partition.has(a) !== this.partition.has(b);
  }

  broadcast(from: number, message: ConsensusMessage, peers: readonly number[] = this.nodes): void {
    this.wiretap(from, message);
    const bytes = encodeConsensusMessage(message);
    for (const to of peers) {
      if (to === from) continue;
      if (this.dropIf?.(from, to, message)) {
        this.stats.dropped += 1;
        continue;
      }
      this.#send(from, to, bytes, message.kind === 'vote' && message.type === 'precommit');
    }
  }

  /** A transport for `node`: what its driver sees of the network. */
  transport(node: number): ConsensusTransport {
    return {
      broadcast: (message) => this.broadcast(node, message),
      onMessage: (handler) => {
        this.attach(node, handler);
        return () => {
          if (this.#handlers.get(node) === handler) this.detach(node);
        };
      },
    };
  }

  #send(from: number, to: number, bytes: Uint8Array, precommit: boolean): void {
    this.stats.sent += 1;
    if (!this.reachable(from, to)) {
      this.stats.partitionDropped += 1;
      return;
    }
    if (this.rng.chance(this.faults.dropRate) || (precommit && this.rng.chance(this.faults.precommitDropRate))) {
      this.stats.dropped += 1;
      return;
    }
    const copies = this.rng.chance(this.faults.duplicateRate) ? 2 : 1;
    if (copies === 2) this.stats.duplicated += 1;
    for (let copy = 0; copy < copies; copy++) {
      const delayMs =
        this.rng.int(this.faults.delayMinMs, this.faults.delayMaxMs) +
        (precommit ? this.rng.int(0, this.faults.precommitDelayMaxMs) : 0);
      this.clock.setTimer(delayMs, () => this.#deliver(from, to, bytes));
    }
  }

  #deliver(from: number, to: number, bytes: Uint8Array): void {
    // A message on the wire still arrives if its sender crashed since; not across a new cut.
    if (!this.#handlers.has(to) || this.#cut(from, to)) {
      this.stats.partitionDropped += 1;
      return;
    }
    this.stats.delivered += 1;
    this.#handlers.get(to)!(decodeConsensusMessage(bytes));
  }
}
