// A transaction from a client (the API, the inbox's certify) until a block settles it: into
// the mempool, the pending log and gossip when online, into the outbox when not; re-admitted
// from the pending log after a restart; its status, and its fate announced to the UI.
import type { SubmitResult, TxStatus } from '../../../shared/api/index.js';
import { encode } from '../../../shared/codec/index.js';
import {
  blockHash,
  LedgerError,
  parseTransaction,
  txHash,
  txId,
  type Transaction,
} from '../../../shared/ledger/index.js';
import type { EventHub } from '../api/events.js';
import type { Chain } from '../chain/chain.js';
import type { Committed, Committer } from '../chain/committer.js';
import { every, type Clock } from '../lifecycle/clock.js';
import type { Connectivity } from '../network/connectivity.js';
import type { PublishResult } from '../network/interface.js';
import type { DiskWatch } from '../store/disk-watch.js';
import type { DamageWatch } from '../store/damage-watch.js';
import type { ProtocolWatch } from '../chain/protocol-watch.js';
import { MempoolError, type Mempool } from './mempool.js';
import { OutboxReconciler, type OutboxReconcilerComponents } from './outbox-reconciler.js';
import type { Outbox } from './outbox.js';
import { PendingLogError, type PendingLog } from './pending-log.js';

/** How often the outbox is reconciled and re-admitted transactions are gossiped. */
export const RECONCILE_INTERVAL_MS = 1_000;
/** Outcomes of recently rejected transactions kept for status queries. */
export const REJECTIONS_KEPT_MAX = 10_000;
/** Transactions submitted through this node whose fate is announced as a `tx` event. */
export const WATCHED_TXS_MAX = 10_000;
/** Refused at once while offline: no state of the chain could ever accept these. */
const HOPELESS_OFFLINE = ['MALFORMED', 'WRONG_CHAIN', 'BAD_SIGNATURE', 'MISSING_SIGNATURE', 'UNEXPECTED_SIGNER'];

export interface SubmissionsComponents {
  chain: Pick<Chain, 'checkTransaction' | 'store'>;
  mempool: Mempool;
  /** Transactions answered `pending` to a client, on disk until committed or rejected. */
  pendingLog: PendingLog;
  outbox: Outbox;
  committer: Pick<Committer, 'onCommitted'>;
  connectivity: Pick<Connectivity, 'reachability' | 'onBackOnline' | 'onPeerConnected'>;
  sync: OutboxReconcilerComponents['sync'];
  damage: Pick<DamageWatch, 'view' | 'refuse'>;
  /** A disk that cannot keep what the node would acknowledge refuses submissions (507). */
  disk?: Pick<DiskWatch, 'refuse'>;
  /** A node stopped before an upgrade it cannot run admits nothing (503 PROTOCOL_UNSUPPORTED). */
  protocol?: Pick<ProtocolWatch, 'refuse'>;
  /** Gossips an encoded transaction on the tx topic. */
  publish(bytes: Uint8Array): Promise<PublishResult>;
  events: Pick<EventHub, 'emit'>;
  clock: Clock;
  log: {
    info(fields: object, message: string): void;
    warn(fields: object, message: string): void;
    debug(fields: object, message: string): void;
    error(fields: object, message: string): void;
  };
}

export function submissions() {
  return (components: SubmissionsComponents) => new Submissions(components);
}

export class Submissions {
  readonly #rejections = new Map<string, { code: string; sentence: string }>(); // by txHash
  readonly #watched = new Set<string>(); // tx hashes submitted here
  /** Transactions re-admitted from the pending log at start, not yet gossiped. */
  #regossip: Transaction[] = [];
  readonly #reconciler: OutboxReconciler;
  #stopTimer: (() => void) | undefined;

  constructor(private readonly components: SubmissionsComponents) {
    this.#reconciler = new OutboxReconciler({
      ...components,
      onRejected: (entry, code, sentence) => {
        this.#watched.delete(entry.txHash);
        components.events.emit({ type: 'tx', txHash: entry.txHash, status: { state: 'rejected', code, sentence } });
      },
      log: components.log,
    });
    components.committer.onCommitted((committed) => this.#afterCommit(committed));
  }

  start(): void {
    this.#reconciler.start();
    this.#stopTimer = every(this.components.clock, RECONCILE_INTERVAL_MS, () => void this.reconcile());
  }

  stop(): void {
    this.#stopTimer?.();
  }

  /** One pass, about once a second: the outbox reconciled, re-admitted transactions gossiped once online. */
  async reconcile(): Promise<void> {
    const { mempool, log } = this.components;
    await Promise.all([
      this.#reconciler.reconcile().then(
        (sent) => sent && mempool.wakeWaiters(),
        (error: unknown) => log.error({ err: error }, 'outbox not reconciled; trying again'),
      ),
      this.#gossipReadmitted().catch((error: unknown) =>
        log.debug({ err: error }, 're-admitted transactions not gossiped'),
      ),
    ]);
  }

  async submit(input: unknown): Promise<SubmitResult> {
    const { damage, chain, mempool, pendingLog, outbox, connectivity, clock, log } = this.components;
    damage.refuse();
    this.components.protocol?.refuse();
    this.components.disk?.refuse();
    const tx = parseTransaction(input);
    const hash = txHash(tx);
    const id = txId(tx);
    const { online } = await connectivity.reachability();
    if (!online) {
      // Offline: refuse at once what no state could accept, keep the rest for when we reconnect.
      const outcome = await chain.checkTransaction(tx, clock.now());
      if (!outcome.ok && HOPELESS_OFFLINE.includes(outcome.code)) throw new LedgerError(outcome.code, outcome.sentence);
      await outbox.add(tx, clock.now());
      this.#watch(hash, { state: 'outbox' });
      return { txHash: hash, txId: id, status: { state: 'outbox' } };
    }
    const { encoded } = await mempool.add(tx);
    // `pending` is a promise to the client: on disk first (group commit), gossiped after.
    try {
      await pendingLog.append(tx, { txId: id, encoded });
    } catch (error) {
      mempool.remove(id);
      // the log holds as many as the mempool: full is the same answer to the client
      if (error instanceof PendingLogError && error.code === 'PENDING_LOG_FULL')
        throw new MempoolError('MEMPOOL_FULL', error.message);
      throw error;
    }
    this.#watch(hash, { state: 'pending' });
    mempool.wakeWaiters();
    await this.components.publish(encoded).catch((error: unknown) => log.debug({ err: error }, 'tx publish failed'));
    return { txHash: hash, txId: id, status: { state: 'pending' } };
  }

  /**
   * At start: every transaction this node acknowledged `pending` before it stopped and the chain
   * has not committed goes back into the mempool (gossiped once the node is online), or ends
   * rejected with the ledger's reason when the chain no longer admits it.
   */
  async readmit(txs: Transaction[]): Promise<void> {
    const { chain, mempool, pendingLog, log } = this.components;
    const settled: string[] = [];
    for (const tx of txs) {
      const hash = txHash(tx);
      const id = txId(tx);
      if (await chain.store.getTxLocation(hash)) {
        settled.push(id);
        continue;
      }
      try {
        await mempool.add(tx);
        this.#watched.add(hash);
        this.#regossip.push(tx);
      } catch (error) {
        if (error instanceof LedgerError) {
          this.#remember(hash, error);
          settled.push(id);
        } else if (error instanceof MempoolError && error.code === 'MEMPOOL_FULL') {
          // cannot happen with the log bounded like the mempool; kept in the log for the next start
          log.warn(
            { txHash: hash },
            'an acknowledged transaction did not fit the mempool at start; it stays in the pending log',
          );
        } else if (!(error instanceof MempoolError && error.code === 'ALREADY_PENDING')) throw error;
      }
    }
    pendingLog.settle(settled);
    if (txs.length > 0)
      log.info(
        { readmitted: this.#regossip.length, settled: settled.length },
        'acknowledged transactions from before the restart re-admitted',
      );
  }

  async txStatus(hash: string): Promise<TxStatus> {
    const { chain, outbox, mempool } = this.components;
    const location = await chain.store.getTxLocation(hash);
    if (location) return { state: 'final', height: location.height, index: location.index };
    const entry = outbox.getByHash(hash);
    if (entry?.state === 'rejected')
      return { state: 'rejected', code: entry.code ?? 'REJECTED', sentence: entry.sentence ?? '' };
    if (entry?.state === 'pending') return { state: 'outbox' };
    const rejection = this.#rejections.get(hash);
    if (rejection) return { state: 'rejected', ...rejection };
    if (entry?.state === 'submitted' || mempool.hasHash(hash)) return { state: 'pending' };
    return { state: 'unknown' };
  }

  /** Re-admitted transactions, gossiped once the node reaches a quorum (peers may never have had them). */
  async #gossipReadmitted(): Promise<void> {
    const { damage, connectivity, mempool, log } = this.components;
    if (this.#regossip.length === 0 || damage.view || !(await connectivity.reachability()).online) return;
    for (const tx of this.#regossip.splice(0)) {
      if (mempool.has(txId(tx)))
        await this.components
          .publish(encode(tx))
          .catch((error: unknown) => log.debug({ err: error }, 'tx publish failed'));
    }
  }

  /**
   * What a block settled, in this order: the rejections remembered, the pending log and the
   * outbox settled, and only then the UI told (the block, then each watched transaction's
   * fate), so that a client reading after an event finds them settled.
   */
  async #afterCommit({ block, txIds, dropped }: Committed): Promise<void> {
    const { pendingLog, outbox, events, clock } = this.components;
    const height = block.header.height;
    for (const entry of dropped) this.#remember(entry.txHash, entry);
    pendingLog.settle([...txIds, ...dropped.map((entry) => entry.txId)]);
    for (const entry of outbox.open()) {
      if (txIds.has(entry.txId)) await outbox.update(entry.txId, { state: 'final', height }, clock.now());
      const drop = dropped.find((candidate) => candidate.txId === entry.txId);
      if (drop)
        await outbox.update(entry.txId, { state: 'rejected', code: drop.code, sentence: drop.sentence }, clock.now());
    }
    const hashes = block.txs.map((tx) => txHash(tx));
    events.emit({
      type: 'block',
      height,
      hash: blockHash(block.header),
      timeMs: block.header.timeMs,
      txHashes: hashes,
    });
    hashes.forEach((hash, index) => this.#settled(hash, { state: 'final', height, index }));
    for (const entry of dropped)
      this.#settled(entry.txHash, { state: 'rejected', code: entry.code, sentence: entry.sentence });
  }

  #watch(hash: string, status: TxStatus): void {
    if (this.#watched.size >= WATCHED_TXS_MAX) this.#watched.delete(this.#watched.values().next().value as string);
    this.#watched.add(hash);
    this.components.events.emit({ type: 'tx', txHash: hash, status });
  }

  /** A watched transaction's fate, told once. */
  #settled(hash: string, status: TxStatus): void {
    if (this.#watched.delete(hash)) this.components.events.emit({ type: 'tx', txHash: hash, status });
  }

  #remember(hash: string, rejection: { code: string; sentence: string }): void {
    if (this.#rejections.size >= REJECTIONS_KEPT_MAX)
      this.#rejections.delete(this.#rejections.keys().next().value as string);
    this.#rejections.set(hash, { code: rejection.code, sentence: rejection.sentence });
  }
}
