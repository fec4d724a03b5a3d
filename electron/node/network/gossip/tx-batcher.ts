// Collects the transactions this node publishes (its clients' submissions, its outbox) into
// batches on the `txs` topic (tx-batch.ts, decision #60). A batch closes at TX_BATCH_TXS_MAX
// transactions, before its bytes would pass TX_BATCH_CONTENT_BYTES_MAX, or `delayMs` after its
// first transaction, whichever comes first: a lone submission waits a few milliseconds, a busy
// office's submissions share one gossip message. Each caller learns the batch's outcome.
import type { PublishResult } from '../interface.js';
import { encodeTxBatch, TX_BATCH_CONTENT_BYTES_MAX, TX_BATCH_TXS_MAX } from './tx-batch.js';

/**
 * How long the first transaction of a batch waits for others. 50 ms, not 5: at the 30-40
 * submissions a second one busy office sees, 5 ms closed a batch on its first transaction, and
 * each gossip message's fixed costs (gossipsub's signature and id, noise, the copies from each
 * mesh peer, one admission call) were paid per transaction (decision #82). A lone submission is
 * gossiped 50 ms later; blocks come every second or more.
 */
export const TX_BATCH_DELAY_MS = 50;

export interface TxBatcherInit {
  /** Publishes one batch on the `txs` topic. */
  publish(batch: Uint8Array): Promise<PublishResult>;
  delayMs?: number;
  /** Runs `fire` after `ms` and returns what cancels it (tests drive time themselves). */
  schedule?(fire: () => void, ms: number): () => void;
}

interface Waiting {
  bytes: Uint8Array;
  resolve(result: PublishResult): void;
  reject(error: unknown): void;
}

export class TxBatcher {
  #open: Waiting[] = [];
  #bytes = 0;
  #cancel: (() => void) | undefined;
  #stopped = false;

  constructor(private readonly init: TxBatcherInit) {}

  /** Queues one transaction's canonical CBOR; resolves with its batch's publish result. */
  publish(encodedTx: Uint8Array): Promise<PublishResult> {
    if (this.#stopped) return Promise.reject(new Error('the node is stopping: nothing more is published'));
    if (this.#open.length > 0 && this.#bytes + encodedTx.length > TX_BATCH_CONTENT_BYTES_MAX) this.flush();
    const result = new Promise<PublishResult>((resolve, reject) => {
      this.#open.push({ bytes: encodedTx, resolve, reject });
    });
    this.#bytes += encodedTx.length;
    if (this.#open.length >= TX_BATCH_TXS_MAX) this.flush();
    else if (!this.#cancel) {
      const schedule = this.init.schedule ?? defaultSchedule;
      this.#cancel = schedule(() => {
        this.#cancel = undefined;
        this.flush();
      }, this.init.delayMs ?? TX_BATCH_DELAY_MS);
    }
    return result;
  }

  /** Publishes what is open now as one batch. */
  flush(): void {
    this.#cancel?.();
    this.#cancel = undefined;
    const batch = this.#open;
    if (batch.length === 0) return;
    this.#open = [];
    this.#bytes = 0;
    let encoded: Uint8Array;
    try {
      encoded = encodeTxBatch(batch.map((waiting) => waiting.bytes));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
      return;
    }
    this.init.publish(encoded).then(
      (result) => batch.forEach((waiting) => waiting.resolve(result)),
      (error: unknown) => batch.forEach((waiting) => waiting.reject(error)),
    );
  }

  /** Publishes what is open, then refuses more. */
  stop(): void {
    this.flush();
    this.#stopped = true;
  }
}

function defaultSchedule(fire: () => void, ms: number): () => void {
  const timer = setTimeout(fire, ms);
  return () => clearTimeout(timer);
}
