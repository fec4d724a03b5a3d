// When the outbox is sent: once the office is back online and a block committed since shows it
// is caught up with the network, so each entry is checked against the network's state (the
// sending itself, and re-sending what is still open, is outbox-sender.ts).
import type { Chain } from '../chain/chain.js';
import type { Committer } from '../chain/committer.js';
import type { Clock } from '../lifecycle/clock.js';
import type { Connectivity } from '../network/connectivity.js';
import type { PublishResult } from '../network/interface.js';
import type { DamageWatch } from '../store/damage-watch.js';
import type { Mempool } from './mempool.js';
import { OutboxSender, type OutboxSenderInit } from './outbox-sender.js';
import type { Outbox } from './outbox.js';

export interface OutboxReconcilerComponents {
  outbox: Outbox;
  mempool: Mempool;
  chain: Pick<Chain, 'store'>;
  committer: Pick<Committer, 'onCommitted'>;
  connectivity: Pick<Connectivity, 'reachability' | 'onBackOnline' | 'onPeerConnected'>;
  sync: { readonly syncing: boolean };
  damage: Pick<DamageWatch, 'view'>;
  /** Gossips an encoded transaction on the tx topic. */
  publish(bytes: Uint8Array): Promise<PublishResult>;
  onRejected: OutboxSenderInit['onRejected'];
  clock: Clock;
  log: OutboxSenderInit['log'];
}

export class OutboxReconciler {
  readonly #sender: OutboxSender;
  #onlineSinceMs = Number.POSITIVE_INFINITY;
  #lastCommitAtMs = Number.NEGATIVE_INFINITY;
  #reconciling = false;

  constructor(private readonly components: OutboxReconcilerComponents) {
    const { outbox, mempool, chain, publish, onRejected, clock, log, committer, connectivity } = components;
    this.#sender = new OutboxSender({
      outbox,
      mempool,
      committedAt: async (hash) => (await chain.store.getTxLocation(hash))?.height,
      publish,
      ...(onRejected ? { onRejected } : {}),
      log,
      now: () => clock.now(),
    });
    committer.onCommitted(() => {
      this.#lastCommitAtMs = clock.now();
    });
    connectivity.onBackOnline(() => {
      this.#onlineSinceMs = clock.now();
      this.#sender.resendAll();
    });
    connectivity.onPeerConnected(() => this.#sender.resendAll()); // what it missed goes out at the next pass
  }

  start(): void {
    this.#onlineSinceMs = this.components.clock.now();
  }

  /**
   * One pass, about once a second: back online and caught up, send what was certified offline
   * and send again what is still open; each entry ends final or rejected.
   * @returns whether entries went to the mempool (the proposer may have work).
   */
  async reconcile(): Promise<boolean> {
    const { sync, damage, connectivity, clock } = this.components;
    if (this.#reconciling || sync.syncing || damage.view) return false;
    if (this.#sender.waiting().length === 0) return false;
    const { online } = await connectivity.reachability();
    if (!online) {
      this.#onlineSinceMs = Number.POSITIVE_INFINITY;
      return false;
    }
    if (this.#onlineSinceMs === Number.POSITIVE_INFINITY) this.#onlineSinceMs = clock.now();
    // Wait for a block committed since we came back, so checks run against the network's state.
    if (this.#lastCommitAtMs <= this.#onlineSinceMs) return false;
    this.#reconciling = true;
    try {
      await this.#sender.flush();
      return true;
    } finally {
      this.#reconciling = false;
    }
  }
}
