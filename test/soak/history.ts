// The soak's history (issue 19): every client operation with its invocation and completion
// times and its answer, so a checker (history-checker.ts) can judge the run afterwards the way
// Jepsen's Knossos and Elle do: from what clients saw, not from what nodes say about themselves.
// Append-only and bounded; written as JSONL with `--history FILE`.
import { writeFile } from 'node:fs/promises';
import { txHash, type Owner, type Transaction } from '../../shared/ledger/index.js';
import type { CommittedTx } from './history-checker.js';

/** What a node says about itself around a read: `GET /status` just before and just after it. */
export interface SyncReport {
  height: number;
  /** Reaches more than 2/3 of the validators. */
  online: boolean;
  /** A block sync is running (the node knows it is behind). */
  syncing: boolean;
  /** The node has evidence its head is the network's (status.inSync; absent in older histories). */
  inSync?: boolean;
}

export type SubmitAnswer =
  /** Accepted: in the mempool, or (an office offline) in its outbox. */
  | { kind: 'pending'; via: 'mempool' | 'outbox' }
  | { kind: 'final'; height: number; index?: number }
  | { kind: 'rejected'; code: string; status?: number }
  /** No answer: the node was unreachable, crashed or timed out; the transaction may or may not commit. */
  | { kind: 'unknown'; reason: 'unreachable' | 'crash' | 'timeout' };

/** The state of a transaction as one node reports it (`GET /txs/{hash}`, or a receipt). */
export type ReceiptAnswer =
  | { kind: 'final'; height: number; index?: number }
  | { kind: 'pending' }
  | { kind: 'rejected'; code: string }
  | { kind: 'unknown' }
  | { kind: 'error'; message: string };

export type ReadAnswer =
  | {
      kind: 'record';
      version: number;
      owners: Owner[];
      /** The height the record is proved at (its certificate's header): the node's head when it answered. */
      asOfHeight: number;
      /** What the answer itself said: the node was in sync as the read started (absent in older histories). */
      inSync?: boolean;
      before?: SyncReport;
      after?: SyncReport;
    }
  | { kind: 'error'; message: string };

interface Common {
  /** Unique, in invocation order. */
  id: number;
  client: string;
  node: string;
  invokedMs: number;
  completedMs: number;
}
export type SubmitOperation = Common & {
  kind: 'submit';
  input: { txHash: string; objectId?: string; objectVersion?: number };
  answer: SubmitAnswer;
};
export type ReadOperation = Common & { kind: 'read'; input: { objectId: string }; answer: ReadAnswer };
export type ReceiptOperation = Common & { kind: 'receipt'; input: { txHash: string }; answer: ReceiptAnswer };
export type Operation = SubmitOperation | ReadOperation | ReceiptOperation;
export type OperationKind = Operation['kind'];

type InputOf<K extends OperationKind> = Extract<Operation, { kind: K }>['input'];
type AnswerOf<K extends OperationKind> = Extract<Operation, { kind: K }>['answer'];

/** An operation invoked and not yet answered. */
export interface Invocation<K extends OperationKind> {
  readonly id: number;
  readonly kind: K;
  readonly client: string;
  readonly node: string;
  readonly input: InputOf<K>;
  readonly invokedMs: number;
}

export class HistoryFullError extends Error {
  constructor(operationsMax: number) {
    super(
      `the history holds its maximum of ${operationsMax} operations: raise operationsMax or record a shorter run (the checker needs every operation, so none are dropped)`,
    );
  }
}

/** Enough for a 30-minute soak at 4 tx/s (about 60,000 operations with the settle's queries) several times over. */
export const HISTORY_OPERATIONS_MAX = 250_000;

export interface HistoryInit {
  /** Recorded plus open operations; one more is refused with HistoryFullError. */
  operationsMax?: number;
  /** Monotonic milliseconds; default performance.timeOrigin + performance.now(). */
  now?: () => number;
}

export class History {
  readonly #operations: Operation[] = [];
  readonly #open = new Set<number>();
  readonly #operationsMax: number;
  readonly #now: () => number;
  #nextId = 1;

  constructor(init: HistoryInit = {}) {
    this.#operationsMax = init.operationsMax ?? HISTORY_OPERATIONS_MAX;
    // The process clock, not Date.now: a wall-clock step must not reorder operations.
    this.#now = init.now ?? (() => performance.timeOrigin + performance.now());
  }

  /** Starts an operation; throws HistoryFullError at the cap (call it outside a catch-all). */
  invoke<K extends OperationKind>(kind: K, client: string, node: string, input: InputOf<K>): Invocation<K> {
    if (this.#operations.length + this.#open.size >= this.#operationsMax)
      throw new HistoryFullError(this.#operationsMax);
    const id = this.#nextId++;
    this.#open.add(id);
    return { id, kind, client, node, input, invokedMs: this.#now() };
  }

  /** Records an invoked operation with its answer; each invocation completes once. */
  complete<K extends OperationKind>(invocation: Invocation<K>, answer: AnswerOf<K>): Extract<Operation, { kind: K }> {
    if (!this.#open.delete(invocation.id))
      throw new Error(`operation ${invocation.id} completed twice or never invoked`);
    const operation = { ...invocation, completedMs: this.#now(), answer } as Extract<Operation, { kind: K }>;
    this.#operations.push(operation);
    return operation;
  }

  /** Completed operations, in completion order. */
  get operations(): readonly Operation[] {
    return this.#operations;
  }

  /** Invoked and never completed (a run that stopped in the middle of them). */
  get openCount(): number {
    return this.#open.size;
  }

  /** One operation a line, in invocation order. */
  async writeJsonl(file: string): Promise<void> {
    const lines = [...this.#operations].sort((a, b) => a.id - b.id).map((operation) => JSON.stringify(operation));
    await writeFile(file, lines.length > 0 ? `${lines.join('\n')}\n` : '');
  }
}

/** A committed transaction as the checker needs it: its hash and, for a transfer, its contract. */
export function committedTxOf(tx: Transaction): CommittedTx {
  if (tx.type !== 'transfer') return { hash: txHash(tx), type: tx.type };
  const { objectId, objectVersion, sellers, buyers } = tx.payload.contract;
  return { hash: txHash(tx), type: tx.type, transfer: { objectId, objectVersion, sellers, buyers } };
}
