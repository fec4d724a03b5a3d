// Sends what the outbox holds once the office is back on the network: each entry goes into
// this node's mempool and out on the tx topic, and ends final (committed) or rejected with the
// ledger's reason.
import { encode } from '../../../shared/codec/index.js';
import { LedgerError } from '../../../shared/ledger/index.js';
import type { PublishResult } from '../network/interface.js';
import { MempoolError, type Mempool } from './mempool.js';
import type { Outbox, OutboxEntry } from './outbox.js';

export interface OutboxSenderInit {
  outbox: Outbox;
  mempool: Mempool;
  /** The height that committed this transaction, if a block did. */
  committedAt(txHash: string): Promise<number | undefined>;
  /** Gossips an encoded transaction on the tx topic. */
  publish(bytes: Uint8Array): Promise<PublishResult>;
  /** An entry the ledger refused: the node tells its watchers. */
  onRejected?(entry: OutboxEntry, code: string, sentence: string): void;
  log: { warn(fields: Record<string, unknown>, message: string): void; debug(fields: Record<string, unknown>, message: string): void };
  now?: () => number;
}

export class OutboxSender {
  readonly #now: () => number;

  constructor(private readonly init: OutboxSenderInit) {
    this.#now = init.now ?? Date.now;
  }

  /** Entries the sender still has work for. */
  waiting(): OutboxEntry[] {
    return this.init.outbox.open().filter((entry) => entry.state === 'pending');
  }

  /** One pass over the outbox; the node calls it about once a second while online. */
  async flush(): Promise<void> {
    const { outbox, mempool } = this.init;
    for (const entry of this.waiting()) {
      const height = await this.init.committedAt(entry.txHash);
      if (height !== undefined) {
        await outbox.update(entry.txId, { state: 'final', height }, this.#now());
        continue;
      }
      try {
        await mempool.add(entry.tx);
        await outbox.update(entry.txId, { state: 'submitted' }, this.#now());
        await this.init.publish(encode(entry.tx)).catch(() => undefined);
      } catch (error) {
        if (error instanceof LedgerError) {
          await outbox.update(entry.txId, { state: 'rejected', code: error.code, sentence: error.sentence }, this.#now());
          this.init.onRejected?.(entry, error.code, error.sentence);
        } else if (error instanceof MempoolError && error.code === 'ALREADY_PENDING') await outbox.update(entry.txId, { state: 'submitted' }, this.#now());
        else this.init.log.warn({ err: error, txHash: entry.txHash }, 'outbox entry not sent; will retry');
      }
    }
  }
}
