// When the outbox is sent: once the office is back online and caught up with the network (a
// block committed since, or peers that answer a status round with no head above ours: an idle
// network makes a block only every heartbeat), so each entry is checked against the network's
// state (the sending itself, and re-sending what is still open, is outbox-sender.ts).
import type { Chain } from '../chain/chain.js';
import type { Committer } from '../chain/committer.js';
import { monotonicOf, type Clock } from '../lifecycle/clock.js';
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
  sync: { readonly syncing: boolean; sync(): Promise<CaughtUpCheck> };
  damage: Pick<DamageWatch, 'view'>;
  /** Gossips an encoded transaction on the tx topic. */
  publish(bytes: Uint8Array): Promise<PublishResult>;
  onRejected: OutboxSenderInit['onRejected'];
  /**
   * Its monotonic time measures how long ago things happened: the wall clock may be stepped back
   * (an NTP correction, the soak's skew), which held the outbox for as long (decision #70).
   */
  clock: Clock;
  log: OutboxSenderInit['log'];
}

/** What a status round with peers showed (sync-control's SyncResult). */
export interface CaughtUpCheck {
  outcome: string;
  height: number;
  targetHeight: number;
  peersAnswered: number;
}

/** Back online with no block since, peers are asked for their heads at most this often. */
export const CAUGHT_UP_CHECK_INTERVAL_MS = 3_000;

export class OutboxReconciler {
  readonly #sender: OutboxSender;
  #onlineSinceMs = Number.POSITIVE_INFINITY;
  #lastCommitAtMs = Number.NEGATIVE_INFINITY;
  #caughtUpAtMs = Number.NEGATIVE_INFINITY;
  #lastCheckAtMs = Number.NEGATIVE_INFINITY;
  #reconciling = false;
  readonly #monotonic: () => number;

  constructor(private readonly components: OutboxReconcilerComponents) {
    const { outbox, mempool, chain, publish, onRejected, clock, log, committer, connectivity } = components;
    const monotonic = (this.#monotonic = monotonicOf(clock));
    this.#sender = new OutboxSender({
      outbox,
      mempool,
      committedAt: async (hash) => (await chain.store.getTxLocation(hash))?.height,
      publish,
      ...(onRejected ? { onRejected } : {}),
      log,
      now: () => clock.now(),
      monotonic,
    });
    committer.onCommitted(() => {
      this.#lastCommitAtMs = monotonic();
    });
    connectivity.onBackOnline(() => {
      this.#onlineSinceMs = monotonic();
      this.#sender.resendAll();
    });
    connectivity.onPeerConnected(() => this.#sender.resendAll()); // what it missed goes out at the next pass
  }

  start(): void {
    this.#onlineSinceMs = this.#monotonic();
  }

  /**
   * One pass, about once a second: back online and caught up, send what was certified offline
   * and send again what is still open; each entry ends final or rejected.
   * @returns whether entries went to the mempool (the proposer may have work).
   */
  async reconcile(): Promise<boolean> {
    const { sync, damage, connectivity } = this.components;
    if (this.#reconciling || sync.syncing || damage.view) return false;
    if (this.#sender.waiting().length === 0) return false;
    const { online } = await connectivity.reachability();
    if (!online) {
      this.#onlineSinceMs = Number.POSITIVE_INFINITY;
      return false;
    }
    if (this.#onlineSinceMs === Number.POSITIVE_INFINITY) this.#onlineSinceMs = this.#monotonic();
    this.#reconciling = true;
    try {
      // Checks run against the network's state: a block committed since we came back, or peers
      // that show no head above ours.
      if (!(await this.#caughtUp())) return false;
      await this.#sender.flush();
      return true;
    } finally {
      this.#reconciling = false;
    }
  }

  async #caughtUp(): Promise<boolean> {
    const { sync, log } = this.components;
    const since = this.#onlineSinceMs;
    if (this.#lastCommitAtMs > since || this.#caughtUpAtMs > since) return true;
    if (this.#monotonic() - this.#lastCheckAtMs < CAUGHT_UP_CHECK_INTERVAL_MS) return false;
    this.#lastCheckAtMs = this.#monotonic();
    try {
      const check = await sync.sync();
      const caughtUp = check.outcome === 'caught-up' && check.peersAnswered > 0 && check.height >= check.targetHeight;
      if (caughtUp) this.#caughtUpAtMs = this.#monotonic();
      return caughtUp || this.#lastCommitAtMs > since;
    } catch (error) {
      log.debug({ err: error }, 'the status round before sending the outbox failed');
      return false;
    }
  }
}
