// The mempool: transactions waiting for a block. Bounded in count and bytes; deduplicated by
// txId (a re-signed copy is the same transaction); every transaction is checked against the
// head state on admission and re-checked after each block, so what waits is always valid
// against the latest state. Drop policy when full: refuse the newcomer (MEMPOOL_FULL), never
// evict a transaction someone was already told is pending.
import { ProtocolUnsupportedError } from '../../../shared/chain/protocol.js';
import { encode } from '../../../shared/codec/index.js';
import { sha256Hex } from '../../../shared/crypto/index.js';
import {
  LedgerError,
  stateKeysOf,
  txId,
  type Block,
  type Transaction,
  type TxOutcome,
} from '../../../shared/ledger/index.js';

export interface TransactionChecker {
  checkTransaction(tx: Transaction, timeMs: number): Promise<TxOutcome>;
}

export interface MempoolOptions {
  txsMax?: number;
  bytesMax?: number;
}

export const MEMPOOL_TXS_MAX = 20_000;
export const MEMPOOL_BYTES_MAX = 64 * 1024 * 1024;

export type MempoolErrorCode = 'MEMPOOL_FULL' | 'ALREADY_PENDING';

export class MempoolError extends Error {
  constructor(
    readonly code: MempoolErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MempoolError';
  }
}

interface Entry {
  tx: Transaction;
  txId: string;
  txHash: string;
  bytes: number;
  /** State keys the transaction reads: it needs a re-check only when a block writes one. */
  keys: string[];
}

export interface Dropped {
  txId: string;
  txHash: string;
  code: string;
  sentence: string;
}

export class Mempool {
  readonly #entries = new Map<string, Entry>(); // by txId, in arrival order
  readonly #idsByHash = new Map<string, string>(); // txHash -> txId: status queries poll by hash
  readonly #txsMax: number;
  readonly #bytesMax: number;
  #bytes = 0;
  /** The proposer waiting for a first transaction (waitForTransactions). */
  readonly #waiters = new Set<() => void>();

  constructor(
    private readonly checker: TransactionChecker,
    private readonly now: () => number,
    options: MempoolOptions = {},
  ) {
    this.#txsMax = options.txsMax ?? MEMPOOL_TXS_MAX;
    this.#bytesMax = options.bytesMax ?? MEMPOOL_BYTES_MAX;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  has(id: string): boolean {
    return this.#entries.has(id);
  }

  hasHash(hash: string): boolean {
    return this.#idsByHash.has(hash);
  }

  /**
   * Admits a transaction valid against the head state, or throws MempoolError / LedgerError.
   * Answers its CBOR encoding too (what gossip sends), encoded once here: txHash is its sha256.
   */
  async add(tx: Transaction): Promise<{ txId: string; txHash: string; encoded: Uint8Array }> {
    const id = txId(tx);
    if (this.#entries.has(id))
      throw new MempoolError('ALREADY_PENDING', 'this transaction is already waiting for a block');
    const encoded = encode(tx);
    const bytes = encoded.length;
    if (this.#entries.size >= this.#txsMax || this.#bytes + bytes > this.#bytesMax) {
      throw new MempoolError(
        'MEMPOOL_FULL',
        `the node already holds ${this.#entries.size} waiting transactions; try again after the next block`,
      );
    }
    const outcome = await this.checker.checkTransaction(tx, this.now());
    if (!outcome.ok) throw new LedgerError(outcome.code, outcome.sentence);
    // checked again: another add may have raced in during the await
    if (this.#entries.has(id))
      throw new MempoolError('ALREADY_PENDING', 'this transaction is already waiting for a block');
    const entry = { tx, txId: id, txHash: sha256Hex(encoded), bytes, keys: stateKeysOf(tx) };
    this.#entries.set(id, entry);
    this.#idsByHash.set(entry.txHash, id);
    this.#bytes += bytes;
    return { txId: id, txHash: entry.txHash, encoded };
  }

  /** The oldest waiting transactions, within the block's limits. */
  take(txsMax: number, bytesMax: number): Transaction[] {
    const taken: Transaction[] = [];
    let bytes = 0;
    for (const entry of this.#entries.values()) {
      if (taken.length >= txsMax || bytes + entry.bytes > bytesMax) break;
      taken.push(entry.tx);
      bytes += entry.bytes;
    }
    return taken;
  }

  /**
   * Removes the block's transactions, then re-checks those the block could have made invalid:
   * the ones reading a key it wrote (`writtenKeys`; all of them when not given) and the ones
   * expired by now. Returns those dropped, with the ledger's reason. `committedIds`: the block's
   * txIds when the caller has them already.
   */
  async afterCommit(
    block: Block,
    writtenKeys?: ReadonlySet<string>,
    committedIds?: Iterable<string>,
  ): Promise<Dropped[]> {
    for (const id of committedIds ?? block.txs.map((tx) => txId(tx))) this.#remove(id);
    const dropped: Dropped[] = [];
    const nowMs = this.now();
    for (const entry of [...this.#entries.values()]) {
      const affected = !writtenKeys || entry.tx.expiresAtMs <= nowMs || entry.keys.some((key) => writtenKeys.has(key));
      if (!affected) continue;
      let outcome: TxOutcome;
      try {
        outcome = await this.checker.checkTransaction(entry.tx, this.now());
      } catch (error) {
        // The next height needs a protocol this software does not run: the node stops there
        // (ProtocolWatch); what waits is not invalid, only not checkable here. Keep it.
        if (error instanceof ProtocolUnsupportedError) break;
        throw error;
      }
      if (!outcome.ok) {
        this.#remove(entry.txId);
        dropped.push({ txId: entry.txId, txHash: entry.txHash, code: outcome.code, sentence: outcome.sentence });
      }
    }
    return dropped;
  }

  /** Resolves when a transaction waits (at once if one does), at the next wakeWaiters(), or when `signal` aborts. */
  waitForTransactions(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.size > 0) return resolve();
      const wake = () => {
        this.#waiters.delete(wake);
        resolve();
      };
      this.#waiters.add(wake);
      signal.addEventListener('abort', wake, { once: true });
    });
  }

  /** Wakes the proposer: a transaction was admitted and acknowledged (by gossip, a client, the outbox). */
  wakeWaiters(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  /** Takes a transaction out (its acknowledgement could not be made durable). */
  remove(id: string): void {
    this.#remove(id);
  }

  #remove(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry) return;
    this.#entries.delete(id);
    this.#idsByHash.delete(entry.txHash);
    this.#bytes -= entry.bytes;
  }
}
