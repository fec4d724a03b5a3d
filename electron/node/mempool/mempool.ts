// The mempool: transactions waiting for a block. Bounded in count and bytes; deduplicated by
// txId (a re-signed copy is the same transaction); a transaction submitted here is checked
// against the head state on admission and re-checked after each block that writes a key it
// reads, so what waits is valid against the latest state; one that has waited
// RECHECK_STALE_AFTER_MS since its last check is re-checked too (a few per block), as time
// alone can end a transaction's validity (an election's window closing) while no block touches
// its keys. One gossiped by another node, which checked it so, is only screened here (decision
// #84: chain, expiry, signatures, replay); the rules run when this node builds a block with it
// (what they refuse is dropped) or once it outlives a block made after it came (a few hundred
// per block), so refused transactions a peer sends cannot keep the mempool full.
// Drop policy when full: refuse the newcomer (MEMPOOL_FULL), never evict a transaction someone
// was already told is pending.
import { ProtocolUnsupportedError } from '../../../shared/chain/protocol.js';
import { encode } from '../../../shared/codec/index.js';
import { sha256Hex } from '../../../shared/crypto/index.js';
import {
  LedgerError,
  txId,
  validityKeysOf,
  type Block,
  type Transaction,
  type TxOutcome,
} from '../../../shared/ledger/index.js';

export interface TransactionChecker {
  checkTransaction(tx: Transaction, timeMs: number): Promise<TxOutcome>;
  /** Many at once, each against the head state alone (one state read for all); optional. */
  checkTransactions?(txs: readonly Transaction[], timeMs: number): Promise<TxOutcome[]>;
  /** Only what no block can change, for gossiped ones (decision #84); `screened` when the rules have not run. Optional. */
  screenTransactions?(txs: readonly Transaction[], timeMs: number): Promise<Array<TxOutcome & { screened?: boolean }>>;
}

/** One transaction's answer from addMany: admitted, or the error add() would have thrown. */
export type Admission = { ok: true; txId: string; txHash: string; encoded: Uint8Array } | { ok: false; error: Error };

export interface MempoolOptions {
  txsMax?: number;
  bytesMax?: number;
}

export const MEMPOOL_TXS_MAX = 20_000;
export const MEMPOOL_BYTES_MAX = 64 * 1024 * 1024;
/** A transaction that has waited this long since its last check is checked again after a block. */
export const RECHECK_STALE_AFTER_MS = 10_000;
/** At most this many of those per block: a backlog costs a bounded share of each commit. */
export const RECHECK_STALE_PER_BLOCK = 32;

/**
 * A screened transaction still waiting after a block made this long after it came here (the
 * proposer's clock, so a margin for clocks and gossip) gets the rules, at most
 * RECHECK_SCREENED_PER_BLOCK a block, oldest first.
 */
export const RECHECK_SCREENED_AFTER_MS = 1_000;
export const RECHECK_SCREENED_PER_BLOCK = 256;

/** Single submissions checked together at most (a gossip batch's size). */
export const ADD_BATCH_MAX = 64;
/** Batch checks of single submissions running at once: one on a worker while the next gathers. */
export const ADD_BATCHES_IN_FLIGHT = 2;

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
  /** State keys its validity depends on: it needs a re-check only when a block writes one. */
  keys: string[];
  /** When it was last checked (admission, or a re-check), by this node's clock. */
  checkedAtMs: number;
  /** Only screened so far (gossiped, decision #84): the rules have not run on it here. */
  screened: boolean;
}

export interface Dropped {
  txId: string;
  txHash: string;
  code: string;
  sentence: string;
}

/** The lane of a transaction: an election's ballots share one (`election:<id>`); others none. */
export function laneOf(tx: Transaction): string | undefined {
  return tx.type === 'election.cast' ? `election:${(tx.payload as { election: string }).election}` : undefined;
}

export class Mempool {
  readonly #entries = new Map<string, Entry>(); // by txId, in arrival order
  readonly #idsByHash = new Map<string, string>(); // txHash -> txId: status queries poll by hash
  /** Waiting transactions per lane (one election's ballots): a gateway bounds one election's share. */
  readonly #lanes = new Map<string, number>();
  readonly #txsMax: number;
  readonly #bytesMax: number;
  #bytes = 0;
  /** Single submissions waiting for the next batch check (add), and the checks running. */
  readonly #arriving: Array<{ tx: Transaction; resolve: (answer: Admission) => void }> = [];
  #addsInFlight = 0;
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
    // REJECT: more submissions already waiting for their check than the mempool could ever hold
    if (this.#arriving.length >= this.#txsMax)
      throw new MempoolError(
        'MEMPOOL_FULL',
        `${this.#arriving.length} submissions are already waiting for their check`,
      );
    const answer = await new Promise<Admission>((resolve) => {
      this.#arriving.push({ tx, resolve });
      this.#admitArriving();
    });
    if (!answer.ok) throw answer.error;
    return answer;
  }

  /**
   * Single submissions checked together, as a gossip batch is: while ADD_BATCHES_IN_FLIGHT
   * checks run, newcomers wait and go in the next one (up to ADD_BATCH_MAX). A lone submission
   * goes at once; under load a gateway's hundred ballots make one worker request instead of a
   * hundred that overflow its queue onto the main thread (issue 17).
   */
  #admitArriving(): void {
    while (this.#addsInFlight < ADD_BATCHES_IN_FLIGHT && this.#arriving.length > 0) {
      const batch = this.#arriving.splice(0, ADD_BATCH_MAX);
      this.#addsInFlight++;
      this.addMany(batch.map((entry) => entry.tx))
        .then(
          (answers) => batch.forEach((entry, i) => entry.resolve(answers[i]!)),
          (error: unknown) =>
            batch.forEach((entry) =>
              entry.resolve({ ok: false, error: error instanceof Error ? error : new Error(String(error)) }),
            ),
        )
        .finally(() => {
          this.#addsInFlight--;
          this.#admitArriving();
        });
    }
  }

  /**
   * Admits many transactions (a gossip batch) with one state read: each answer is what add()
   * would have given it, in order. Duplicates within the batch count as already pending.
   * `encodings`: each transaction's canonical CBOR when the caller has it (a batch carries it,
   * and decoding proved it canonical), so it is not encoded again. `screen`: another node
   * gossiped them, so the checker's screen is enough (decision #84) when it has one.
   */
  async addMany(
    txs: readonly Transaction[],
    encodings?: readonly Uint8Array[],
    options: { screen?: boolean } = {},
  ): Promise<Admission[]> {
    const answers: Array<Admission | undefined> = new Array(txs.length);
    const candidates: Array<{ index: number; tx: Transaction; id: string; encoded: Uint8Array }> = [];
    const seen = new Set<string>();
    let bytes = this.#bytes;
    for (const [index, tx] of txs.entries()) {
      const id = txId(tx);
      if (this.#entries.has(id) || seen.has(id)) {
        answers[index] = {
          ok: false,
          error: new MempoolError('ALREADY_PENDING', 'this transaction is already waiting for a block'),
        };
        continue;
      }
      const encoded = encodings?.[index] ?? encode(tx);
      if (this.#entries.size + candidates.length >= this.#txsMax || bytes + encoded.length > this.#bytesMax) {
        answers[index] = {
          ok: false,
          error: new MempoolError(
            'MEMPOOL_FULL',
            `the node already holds ${this.#entries.size} waiting transactions; try again after the next block`,
          ),
        };
        continue;
      }
      seen.add(id);
      bytes += encoded.length;
      candidates.push({ index, tx, id, encoded });
    }
    const nowMs = this.now();
    const candidateTxs = candidates.map((candidate) => candidate.tx);
    const outcomes: Array<TxOutcome & { screened?: boolean }> =
      options.screen && this.checker.screenTransactions
        ? await this.checker.screenTransactions(candidateTxs, nowMs)
        : this.checker.checkTransactions
          ? await this.checker.checkTransactions(candidateTxs, nowMs)
          : await Promise.all(candidateTxs.map((tx) => this.checker.checkTransaction(tx, nowMs)));
    for (const [k, candidate] of candidates.entries()) {
      const outcome = outcomes[k]!;
      if (!outcome.ok) {
        answers[candidate.index] = { ok: false, error: new LedgerError(outcome.code, outcome.sentence) };
        continue;
      }
      // checked again: other adds may have raced in during the await
      if (this.#entries.has(candidate.id)) {
        answers[candidate.index] = {
          ok: false,
          error: new MempoolError('ALREADY_PENDING', 'this transaction is already waiting for a block'),
        };
        continue;
      }
      if (this.#entries.size >= this.#txsMax || this.#bytes + candidate.encoded.length > this.#bytesMax) {
        answers[candidate.index] = {
          ok: false,
          error: new MempoolError('MEMPOOL_FULL', `the node already holds ${this.#entries.size} waiting transactions`),
        };
        continue;
      }
      const entry = {
        tx: candidate.tx,
        txId: candidate.id,
        txHash: sha256Hex(candidate.encoded),
        bytes: candidate.encoded.length,
        keys: validityKeysOf(candidate.tx),
        checkedAtMs: nowMs,
        screened: outcome.screened === true,
      };
      this.#entries.set(candidate.id, entry);
      this.#idsByHash.set(entry.txHash, candidate.id);
      this.#bytes += entry.bytes;
      const lane = laneOf(candidate.tx);
      if (lane !== undefined) this.#lanes.set(lane, (this.#lanes.get(lane) ?? 0) + 1);
      answers[candidate.index] = { ok: true, txId: candidate.id, txHash: entry.txHash, encoded: candidate.encoded };
    }
    return answers as Admission[];
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
   * expired by now; then up to RECHECK_STALE_PER_BLOCK of those unchecked for
   * RECHECK_STALE_AFTER_MS, and up to RECHECK_SCREENED_PER_BLOCK of those only screened that
   * the block outlived (RECHECK_SCREENED_AFTER_MS), oldest first. Returns those dropped, with
   * the ledger's reason. `committedIds`: the block's txIds when the caller has them already.
   *
   * A stale or screened one is dropped only if the ledger rejects it both at the block's time
   * (the time the validators agreed, which later blocks only exceed) and at this node's clock: a
   * clock running ahead must not end a ballot's window early here while other offices still
   * count it, and a step that opens at a time (closing an election) must not be dropped by a
   * block made before.
   */
  async afterCommit(
    block: Block,
    writtenKeys?: ReadonlySet<string>,
    committedIds?: Iterable<string>,
  ): Promise<Dropped[]> {
    for (const id of committedIds ?? block.txs.map((tx) => txId(tx))) this.#remove(id);
    const dropped: Dropped[] = [];
    const nowMs = this.now();
    const drop = (entry: Entry, outcome: Extract<TxOutcome, { ok: false }>) => {
      this.#remove(entry.txId);
      dropped.push({ txId: entry.txId, txHash: entry.txHash, code: outcome.code, sentence: outcome.sentence });
    };
    try {
      for (const entry of [...this.#entries.values()]) {
        const affected =
          !writtenKeys || entry.tx.expiresAtMs <= nowMs || entry.keys.some((key) => writtenKeys.has(key));
        if (!affected) continue;
        const outcome = await this.checker.checkTransaction(entry.tx, this.now());
        entry.checkedAtMs = nowMs;
        entry.screened = false;
        if (!outcome.ok) drop(entry, outcome);
      }
      const later: Entry[] = [];
      let stale = 0;
      let screened = 0;
      const outlivedBefore = block.header.timeMs - RECHECK_SCREENED_AFTER_MS;
      for (const entry of this.#entries.values()) {
        if (stale >= RECHECK_STALE_PER_BLOCK && screened >= RECHECK_SCREENED_PER_BLOCK) break;
        if (stale < RECHECK_STALE_PER_BLOCK && nowMs - entry.checkedAtMs >= RECHECK_STALE_AFTER_MS) {
          stale++;
          later.push(entry);
        } else if (screened < RECHECK_SCREENED_PER_BLOCK && entry.screened && entry.checkedAtMs <= outlivedBefore) {
          screened++;
          later.push(entry);
        }
      }
      for (const entry of later) {
        if (!this.#entries.has(entry.txId)) continue;
        entry.checkedAtMs = nowMs;
        entry.screened = false;
        const atBlock = await this.checker.checkTransaction(entry.tx, block.header.timeMs);
        if (atBlock.ok) continue;
        const atClock = await this.checker.checkTransaction(entry.tx, this.now());
        if (!atClock.ok) drop(entry, atBlock);
      }
    } catch (error) {
      // The next height needs a protocol this software does not run: the node stops there
      // (ProtocolWatch); what waits is not invalid, only not checkable here. Keep it.
      if (!(error instanceof ProtocolUnsupportedError)) throw error;
    }
    return dropped;
  }

  /**
   * Drops the screened transactions this node's block building refused (`outcomes` of
   * Chain.propose), so they are not taken again for every block; answers how many. Not
   * reported: another node's client submitted them and hears from that node, and a refusal
   * here may be this block's alone (a second sale after the first in the same block, which
   * another proposer may commit instead). Those checked by the rules on admission stay, as
   * before: the commit's re-check settles them.
   */
  dropRefused(outcomes: readonly TxOutcome[]): number {
    let dropped = 0;
    for (const outcome of outcomes) {
      if (outcome.ok) continue;
      const id = this.#idsByHash.get(outcome.txHash);
      if (id === undefined || !this.#entries.get(id)!.screened) continue;
      this.#remove(id);
      dropped++;
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
    const lane = laneOf(entry.tx);
    if (lane !== undefined) {
      const left = (this.#lanes.get(lane) ?? 1) - 1;
      if (left > 0) this.#lanes.set(lane, left);
      else this.#lanes.delete(lane);
    }
  }

  /** How many waiting transactions are in a lane (`laneOf`). */
  pendingIn(lane: string): number {
    return this.#lanes.get(lane) ?? 0;
  }

  /** The most transactions it holds. */
  get capacity(): number {
    return this.#txsMax;
  }
}
