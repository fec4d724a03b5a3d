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
  log: {
    warn(fields: Record<string, unknown>, message: string): void;
    debug(fields: Record<string, unknown>, message: string): void;
  };
  /** Wall-clock time, recorded on entries. */
  now?: () => number;
  /** Monotonic time for the waits between sends: a clock stepped back must not hold an entry. */
  monotonic?: () => number;
}

/** First wait before an entry that peers received is sent again; it doubles up to RESEND_MAX_MS. */
export const RESEND_MIN_MS = 2_000;
export const RESEND_MAX_MS = 60_000;

/**
 * An entry stays open (`pending`, then `submitted`) until a block commits it (final) or the
 * ledger refuses it (rejected), and until then it is sent again: at the next flush when the
 * last publish reached no peer (nobody had subscribed to the tx topic yet, or it failed), else
 * after a wait that doubles from RESEND_MIN_MS to RESEND_MAX_MS (gossip may still lose it: a
 * peer that ignored it, or restarted). After a restart, an entry left `submitted` goes back into
 * this node's mempool, which the restart emptied.
 */
export class OutboxSender {
  readonly #now: () => number;
  readonly #monotonic: () => number;
  /** When each open entry is due to be sent again, in monotonic time (none: at the next flush). */
  readonly #resend = new Map<string, { sends: number; atMs: number }>();

  constructor(private readonly init: OutboxSenderInit) {
    this.#now = init.now ?? Date.now;
    this.#monotonic = init.monotonic ?? (() => performance.now());
  }

  /** Entries not yet final or rejected: the sender still has work for each. */
  waiting(): OutboxEntry[] {
    return this.init.outbox.open();
  }

  /** Back on the network (or a peer connected): every open entry is sent at the next flush. */
  resendAll(): void {
    this.#resend.clear();
  }

  /** One pass over the outbox; the node calls it about once a second while online. */
  async flush(): Promise<void> {
    const { outbox, mempool } = this.init;
    const open = this.waiting();
    const ids = new Set(open.map((entry) => entry.txId));
    for (const id of this.#resend.keys()) if (!ids.has(id)) this.#resend.delete(id); // settled by a block meanwhile
    for (const entry of open) {
      const due = this.#resend.get(entry.txId);
      if (due && this.#monotonic() < due.atMs) continue;
      const height = await this.init.committedAt(entry.txHash);
      if (height !== undefined) {
        await outbox.update(entry.txId, { state: 'final', height }, this.#now());
        this.#resend.delete(entry.txId);
        continue;
      }
      if (!mempool.has(entry.txId)) {
        try {
          await mempool.add(entry.tx);
        } catch (error) {
          if (error instanceof LedgerError) {
            await outbox.update(
              entry.txId,
              { state: 'rejected', code: error.code, sentence: error.sentence },
              this.#now(),
            );
            this.#resend.delete(entry.txId);
            this.init.onRejected?.(entry, error.code, error.sentence);
            continue;
          }
          if (!(error instanceof MempoolError && error.code === 'ALREADY_PENDING')) {
            this.init.log.warn({ err: error, txHash: entry.txHash }, 'outbox entry not sent; will retry');
            continue;
          }
        }
      }
      if (entry.state === 'pending') await outbox.update(entry.txId, { state: 'submitted' }, this.#now());
      const result = await this.init.publish(encode(entry.tx)).catch((error: unknown) => {
        this.init.log.debug(
          { err: error, txHash: entry.txHash },
          'outbox entry publish failed; sent again at the next flush',
        );
        return undefined;
      });
      // `duplicate`: gossip sent these very bytes a moment ago (they stay in its seen cache for minutes)
      if (result && (result.outcome === 'duplicate' || result.recipients > 0)) {
        const sends = (due?.sends ?? 0) + 1;
        this.#resend.set(entry.txId, {
          sends,
          atMs: this.#monotonic() + Math.min(RESEND_MAX_MS, RESEND_MIN_MS * 2 ** (sends - 1)),
        });
      } else this.#resend.delete(entry.txId);
    }
  }
}
