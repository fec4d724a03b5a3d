// The statement tree of a checkpoint, built on a worker thread of its own (decision #73): at 7.4
// million objects the tree is about 0.5 GB of entries, 7.4 million statements to hash and a
// sort, which must not hold the main thread (consensus, gossip, the API) for seconds. The main
// thread only reads the object rows from its LevelDB view and posts them a page at a time, at
// most PAGES_IN_FLIGHT pages ahead of the worker; the worker turns each row into its statement
// leaf, builds the tree and hands back its parts, transferred, not copied. A kept tree is read
// back and checked against its signed root on a worker too (CheckpointFiles.tree).
//
// Worker side: `statementsJob`, run by the node's worker script (crypto/verify-worker.ts), which
// electron/build.ts bundles; main side: `buildStatementTree` and `loadStatementTree`.
import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import {
  leafFields,
  propertyStatement,
  statementLeaf,
  StatementTree,
  StatementTreeBuilder,
  type StatementTreeParts,
} from '../../../shared/checkpoint/index.js';
import { stateKeyHash } from '../../../shared/chain/execute.js';
import { bytesToHex, decode } from '../../../shared/codec/index.js';
import { StateKey } from '../../../shared/ledger/index.js';
import type { PropertyObject } from '../../../shared/modules/property/types.js';
import { workerEntry } from '../crypto/worker-entry.js';
import type { StateView } from '../store/index.js';

/** Rows read from the view and posted to the worker at a time. */
export const STATEMENT_PAGE_ROWS = 1_000;
/** Pages posted and not yet taken in by the worker: bounds what waits in its queue (about 1.2 MB). */
const PAGES_IN_FLIGHT = 4;

export type StatementsOp =
  | { op: 'start'; expected: number }
  /** A page of rows: the keys, and the values end to end (value i ends at ends[i]), transferred. */
  | { op: 'add'; keys: string[]; values: Uint8Array; ends: Uint32Array }
  | { op: 'build' }
  | { op: 'load'; path: string; root: string };
export type StatementsRequest = StatementsOp & { kind: 'statements'; id: number };

export interface StatementsAnswer {
  id: number;
  parts?: StatementTreeParts;
  error?: string;
}

/** Thrown by buildStatementTree when `stopped()` turns true (the node is stopping). */
export class CheckpointStopped extends Error {}

// ---- worker side ----

let builder: StatementTreeBuilder | undefined;

/** The statement of one object row of the state: its key hash and leaf (docs/protocol.md REQ-CKP.1). */
export function addObjectRow(to: StatementTreeBuilder, key: string, value: Uint8Array): void {
  to.add(stateKeyHash(key), statementLeaf(leafFields(propertyStatement(decode(value) as PropertyObject))));
}

function partsAnswer(id: number, tree: StatementTree): { answer: StatementsAnswer; transfer: ArrayBuffer[] } {
  const parts = tree.parts;
  return {
    answer: { id, parts },
    transfer: [parts.entries.buffer, parts.starts.buffer, parts.layer.buffer, parts.root.buffer] as ArrayBuffer[],
  };
}

/** One request of a statement tree job, in the worker; one builder at a time (each job has its own worker). */
export async function statementsJob(
  request: StatementsRequest,
): Promise<{ answer: StatementsAnswer; transfer: ArrayBuffer[] }> {
  try {
    switch (request.op) {
      case 'start':
        builder = new StatementTreeBuilder(request.expected);
        return { answer: { id: request.id }, transfer: [] };
      case 'add':
        if (!builder) throw new Error('no statement tree is being built');
        request.keys.forEach((key, i) =>
          addObjectRow(builder!, key, request.values.subarray(i === 0 ? 0 : request.ends[i - 1], request.ends[i])),
        );
        return { answer: { id: request.id }, transfer: [] };
      case 'build': {
        if (!builder) throw new Error('no statement tree is being built');
        const tree = builder.build();
        builder = undefined;
        return partsAnswer(request.id, tree);
      }
      case 'load': {
        const bytes = await readFile(request.path);
        // the file's own memory when it has it alone (a large read is never pooled), else a copy
        const whole = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
        const tree = new StatementTree(whole ? new Uint8Array(bytes.buffer) : new Uint8Array(bytes));
        if (bytesToHex(tree.root) !== request.root)
          throw new Error(`the statement entries in ${request.path} do not build the checkpoint's signed root`);
        return partsAnswer(request.id, tree);
      }
    }
  } catch (error) {
    return { answer: { id: request.id, error: (error as Error).message ?? String(error) }, transfer: [] };
  }
}

// ---- main side ----

/** A worker thread for one statement tree job; ended when the job is. */
class TreeWorker {
  readonly #worker = new Worker(workerEntry());
  readonly #pending = new Map<number, { resolve: (answer: StatementsAnswer) => void; reject: (e: Error) => void }>();
  #nextId = 1;
  #failed: Error | undefined;

  constructor() {
    this.#worker.on('message', (answer: StatementsAnswer) => {
      const waiting = this.#pending.get(answer.id);
      this.#pending.delete(answer.id);
      if (answer.error) waiting?.reject(new Error(answer.error));
      else waiting?.resolve(answer);
    });
    const fail = (error: Error) => {
      this.#failed ??= error;
      for (const waiting of this.#pending.values()) waiting.reject(error);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`the statement tree worker exited (code ${code})`)));
  }

  /** Sends a request, its `transfer` buffers given up to the worker; resolves with its answer. */
  ask(request: StatementsOp, transfer: ArrayBuffer[] = []): Promise<StatementsAnswer> {
    if (this.#failed) return Promise.reject(this.#failed);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ ...request, kind: 'statements', id }, transfer);
    });
  }

  async end(): Promise<void> {
    await this.#worker.terminate();
  }
}

/**
 * A page's values copied end to end into one buffer, to be transferred: LevelDB hands back values
 * that share pooled memory, and posting such a value would copy the whole pool slab it sits in.
 */
function packRows(page: Array<[string, Uint8Array]>): StatementsOp & { op: 'add' } {
  const ends = new Uint32Array(page.length);
  let length = 0;
  page.forEach(([, value], i) => (ends[i] = length += value.length));
  const values = new Uint8Array(length);
  page.forEach(([, value], i) => values.set(value, i === 0 ? 0 : ends[i - 1]));
  return { op: 'add', keys: page.map(([key]) => key), values, ends };
}

function treeOf(answer: StatementsAnswer): StatementTree {
  if (!answer.parts) throw new Error('the statement tree worker answered without a tree');
  return StatementTree.fromParts(answer.parts);
}

/**
 * The statement tree of the object records in a view of the state (a node's own, certified
 * rows), built on a worker thread. `expected`: about how many objects there are (the last
 * checkpoint's count), so the worker allocates once.
 */
export async function buildStatementTree(
  view: StateView,
  stopped: () => boolean,
  expected = 0,
): Promise<StatementTree> {
  const worker = new TreeWorker();
  try {
    await worker.ask({ op: 'start', expected });
    const inFlight: Promise<StatementsAnswer>[] = [];
    for await (const page of view.rows(STATEMENT_PAGE_ROWS, StateKey.object(''))) {
      if (stopped()) throw new CheckpointStopped();
      const rows = packRows(page);
      const added = worker.ask(rows, [rows.values.buffer as ArrayBuffer, rows.ends.buffer as ArrayBuffer]);
      added.catch(() => undefined); // awaited below; a failure then is not unhandled meanwhile
      inFlight.push(added);
      if (inFlight.length >= PAGES_IN_FLIGHT) await inFlight.shift();
    }
    await Promise.all(inFlight);
    if (stopped()) throw new CheckpointStopped();
    return treeOf(await worker.ask({ op: 'build' }));
  } finally {
    await worker.end();
  }
}

/** A kept tree read back from its entries file and checked against the signed root (hex), on a worker thread. */
export async function loadStatementTree(path: string, root: string): Promise<StatementTree> {
  const worker = new TreeWorker();
  try {
    return treeOf(await worker.ask({ op: 'load', path, root }));
  } finally {
    await worker.end();
  }
}
