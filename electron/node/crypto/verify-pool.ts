// Signature checks on worker threads: a block's ed25519 verifies (the ledger's main cost) run
// on the machine's other cores while the main thread executes the block, and the main thread
// takes its share of what is left once it is done (VerifyJob.finish). Workers run the same
// verifier as the main thread (createFastVerifier), and only "valid" answers are used: any
// check not confirmed valid is checked again by the caller's own verifier, so the answers are
// exactly the main thread's. Bounded: at most `batchesQueuedMax` batches wait per worker
// (drop policy: a batch over the bound is not sent to a worker; the main thread verifies it),
// at most `checksPerBatchMax` checks per batch (the rest are left to the caller).
import { Worker } from 'node:worker_threads';
import { workerEntry } from './worker-entry.js';
import type { SignatureCheck, Verifier } from '../../../shared/crypto/index.js';
import { allAnswered, ANSWER_VALID, packChecks, verifyClaimed, type PackedBatch } from './verify-batch.js';
import type { SnapshotChunkEntry } from '../../../shared/snapshot/index.js';
import type { ChunkRefusal, PackedRows } from '../snapshot/chunk-rows.js';
import type {
  BallotsRequest,
  ChunkRequest,
  DecodeAnswer,
  DecodeRequest,
  PingRequest,
  VerifyRequest,
  WorkerAnswer,
} from './verify-worker.js';

export interface VerifyPoolOptions {
  /** Worker threads; default 1 (the second core of a two-core office machine). 0 disables the pool. */
  workers?: number;
  /** Batches waiting per worker before new ones are left to the main thread; default 4. */
  batchesQueuedMax?: number;
  /** Checks per batch; default 32,768 (a 10,000-transfer block has 30,000). */
  checksPerBatchMax?: number;
}

interface WorkerSlot {
  worker: Worker;
  pending: Map<number, (answer: WorkerAnswer | undefined) => void>;
  /** Set while close() waits for the worker's last answers. */
  drained?: () => void;
}

/** How long close() waits for a worker's answers in flight, then for its exit. */
const CLOSE_WAIT_MS = 5_000;

/** One batch of checks on its way through the pool. */
export class VerifyJob {
  constructor(
    readonly checks: readonly SignatureCheck[],
    private readonly packed: PackedBatch | undefined,
    private readonly workerDone: Promise<void>,
  ) {}

  /**
   * Verifies the chunks no worker has claimed yet on this thread with `verify` (when given),
   * waits for the worker's chunks, and resolves (never rejects) with one byte per check:
   * 1 when found valid, 0 otherwise (invalid, or not checked: malformed, over the batch size,
   * the worker failed). The caller checks every 0 itself before rejecting anything.
   */
  async finish(verify?: Verifier): Promise<Uint8Array> {
    const results = new Uint8Array(this.checks.length);
    const packed = this.packed;
    if (!packed) return results;
    if (verify) verifyClaimed(packed.shared, verify);
    if (!allAnswered(packed.shared)) await this.workerDone;
    const answers = new Uint8Array(packed.shared.answers);
    packed.positions.forEach((position, index) => (results[position] = answers[index] === ANSWER_VALID ? 1 : 0));
    return results;
  }
}

export class VerifyPool {
  readonly workers: number;
  readonly #batchesQueuedMax: number;
  readonly #checksPerBatchMax: number;
  #slots: WorkerSlot[] | undefined;
  #nextId = 1;
  #closed = false;
  #batchesSubmitted = 0;
  /** Batches handed to workers and not answered yet, with their shared checks (for idle(verify)). */
  readonly #outstanding = new Map<Promise<void>, PackedBatch>();

  constructor(options: VerifyPoolOptions = {}) {
    this.workers = options.workers ?? 1;
    this.#batchesQueuedMax = options.batchesQueuedMax ?? 4;
    this.#checksPerBatchMax = options.checksPerBatchMax ?? 32_768;
    if (!Number.isInteger(this.workers) || this.workers < 0 || this.workers > 16)
      throw new RangeError('workers must be 0..16');
  }

  /** Starts the workers now rather than at the first batch; resolves when they have loaded their code (or failed). */
  async start(): Promise<void> {
    const slots = this.#started();
    await Promise.all(
      slots.map((slot) => {
        const id = this.#nextId++;
        const loaded = new Promise<void>((resolve) => this.#expect(slot, id, () => resolve()));
        const ping: PingRequest = { kind: 'ping', id };
        slot.worker.postMessage(ping);
        return loaded;
      }),
    );
  }

  /** Batches of signature checks handed to the pool so far (tests, metrics). */
  get batchesSubmitted(): number {
    return this.#batchesSubmitted;
  }

  /** Hands `checks` to the workers; finish the job to get the answers. */
  submit(checks: readonly SignatureCheck[]): VerifyJob {
    if (this.#closed || checks.length === 0) return new VerifyJob(checks, undefined, Promise.resolve());
    this.#batchesSubmitted++;
    const packed = packChecks(
      checks.length > this.#checksPerBatchMax ? checks.slice(0, this.#checksPerBatchMax) : checks,
    );
    const slots = this.#started();
    // Every worker is asked: each claims chunks while it has time; a worker whose queue is full is skipped.
    const done: Array<Promise<void>> = [];
    for (const slot of slots) {
      if (slot.pending.size >= this.#batchesQueuedMax) continue;
      const id = this.#nextId++;
      const answered = new Promise<void>((resolve) => this.#expect(slot, id, () => resolve()));
      this.#outstanding.set(answered, packed);
      void answered.then(() => this.#outstanding.delete(answered));
      done.push(answered);
      const request: VerifyRequest = { kind: 'verify', id, batch: packed.shared };
      slot.worker.postMessage(request);
    }
    // With no worker taking it, the caller's finish(verify) checks the whole batch.
    return new VerifyJob(
      checks,
      packed,
      Promise.all(done).then(() => undefined),
    );
  }

  /**
   * Decodes synced blocks on a worker (CBOR, schemas, the transactions' digests). Resolves
   * with one entry per block, or undefined when no worker can take them (the caller decodes).
   * Bounded like verify batches: a worker with `batchesQueuedMax` jobs waiting is not asked.
   */
  async decodeBlocks(
    blocks: DecodeRequest['blocks'],
    limits: DecodeRequest['limits'],
  ): Promise<DecodeAnswer | undefined> {
    if (this.#closed || blocks.length === 0) return undefined;
    const slot = this.#leastBusy();
    if (!slot) return undefined;
    const id = this.#nextId++;
    const answer = new Promise<WorkerAnswer | undefined>((resolve) => this.#expect(slot, id, resolve));
    const request: DecodeRequest = { kind: 'decode', id, blocks, limits };
    slot.worker.postMessage(request);
    return (await answer)?.decoded;
  }

  /**
   * Checks a snapshot chunk and packs its rows on a worker (snapshot/chunk-rows.ts). `bytes`
   * are transferred to the worker (copied first when they are a view of a larger buffer), so
   * the caller must not use them after. Resolves with the rows or the refusal, or undefined
   * when no worker can take it (the caller checks the chunk itself). Bounded like the others.
   */
  async packChunk(
    entry: SnapshotChunkEntry,
    bytes: Uint8Array,
  ): Promise<{ rows: PackedRows } | { refused: ChunkRefusal } | undefined> {
    if (this.#closed) return undefined;
    const slot = this.#leastBusy();
    if (!slot) return undefined;
    const own =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
        ? bytes
        : bytes.slice();
    const id = this.#nextId++;
    const answer = new Promise<WorkerAnswer | undefined>((resolve) => this.#expect(slot, id, resolve));
    const request: ChunkRequest = { kind: 'chunk', id, entry, bytes: own };
    slot.worker.postMessage(request, [own.buffer as ArrayBuffer]);
    const answered = await answer;
    if (answered?.rows) return { rows: answered.rows };
    if (answered?.refused) return { refused: answered.refused };
    return undefined;
  }

  /**
   * Verifies ballots' proofs on a worker. Resolves with one byte per ballot (1: passed), or
   * undefined when no worker can take them (the caller's rules verify them). Bounded like the others.
   */
  async verifyBallots(ballots: BallotsRequest['ballots']): Promise<Uint8Array | undefined> {
    if (this.#closed || ballots.length === 0) return undefined;
    const slot = this.#leastBusy();
    if (!slot) return undefined;
    const id = this.#nextId++;
    const answer = new Promise<WorkerAnswer | undefined>((resolve) => this.#expect(slot, id, resolve));
    const request: BallotsRequest = { kind: 'ballots', id, ballots };
    slot.worker.postMessage(request);
    return (await answer)?.passed;
  }

  /**
   * Resolves when the workers have no batch left (benchmarks: no verify work outside the
   * measured time). With `verify`, this thread verifies unclaimed chunks meanwhile.
   */
  async idle(verify?: Verifier): Promise<void> {
    while (this.#outstanding.size > 0) {
      if (verify) for (const packed of this.#outstanding.values()) verifyClaimed(packed.shared, verify);
      await Promise.all(this.#outstanding.keys());
    }
  }

  /** Verifies `checks` with the workers alone (tests; the chain uses submit and finish). */
  verify(checks: readonly SignatureCheck[]): Promise<Uint8Array> {
    return this.submit(checks).finish();
  }

  /**
   * Stops the workers. A worker still answering is let finish first (bounded): terminating one
   * in the middle of an answer could leave `terminate()` unsettled with nothing holding the
   * event loop, so a script whose last step was this close ended early, with exit code 13
   * (decision #79; seen on Node 24 with the workers run from sources).
   */
  async close(): Promise<void> {
    this.#closed = true;
    const slots = this.#slots ?? [];
    this.#slots = [];
    await Promise.all(
      slots.map(async (slot) => {
        if (slot.pending.size > 0)
          await within(new Promise<void>((resolve) => (slot.drained = resolve)), CLOSE_WAIT_MS);
        this.#fail(slot);
        // held until it has exited: a script whose last step is this close must not end first
        slot.worker.ref();
        await within(slot.worker.terminate(), CLOSE_WAIT_MS);
      }),
    );
  }

  /** The worker with the fewest jobs waiting, if one has room. */
  #leastBusy(): WorkerSlot | undefined {
    return this.#started().reduce<WorkerSlot | undefined>(
      (best, entry) =>
        entry.pending.size < this.#batchesQueuedMax && (!best || entry.pending.size < best.pending.size) ? entry : best,
      undefined,
    );
  }

  #started(): WorkerSlot[] {
    if (this.#slots) return this.#slots;
    this.#slots = [];
    for (let i = 0; i < this.workers; i++) this.#slots.push(this.#spawn());
    return this.#slots;
  }

  #spawn(): WorkerSlot {
    const worker = new Worker(workerEntry());
    // An idle pool never keeps the process alive (it must not delay a node's exit); a worker
    // with answers due does (#expect), or a script awaiting one could exit before it comes.
    worker.unref();
    const slot: WorkerSlot = { worker, pending: new Map() };
    worker.on('message', (answer: WorkerAnswer) => {
      const resolve = slot.pending.get(answer.id);
      slot.pending.delete(answer.id);
      if (slot.pending.size === 0) {
        worker.unref();
        slot.drained?.();
      }
      resolve?.(answer);
    });
    // A failed worker is dropped: what it did not answer is checked by the caller.
    const drop = () => {
      this.#fail(slot);
      if (this.#slots) this.#slots = this.#slots.filter((entry) => entry !== slot);
    };
    worker.on('error', drop);
    worker.on('exit', drop);
    return slot;
  }

  #expect(slot: WorkerSlot, id: number, resolve: (answer: WorkerAnswer | undefined) => void): void {
    if (slot.pending.size === 0) slot.worker.ref();
    slot.pending.set(id, resolve);
  }

  #fail(slot: WorkerSlot): void {
    for (const resolve of slot.pending.values()) resolve(undefined);
    slot.pending.clear();
    slot.worker.unref();
    slot.drained?.();
  }
}

/** Resolves when `promise` settles or after `ms`, whichever is first; never rejects. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.catch(() => undefined),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]).finally(() => clearTimeout(timer));
}

/** The checks a pool found valid, matched exactly (key, signature, domain, chain id, message bytes). */
export class VerifiedChecks {
  readonly #valid = new Map<string, SignatureCheck[]>();

  constructor(checks: readonly SignatureCheck[], results: Uint8Array) {
    checks.forEach((check, index) => {
      if (results[index] !== 1) return;
      const key = check.publicKey + check.signature;
      const entries = this.#valid.get(key);
      if (entries) entries.push(check);
      else this.#valid.set(key, [check]);
    });
  }

  has(check: SignatureCheck): boolean {
    const entries = this.#valid.get(check.publicKey + check.signature);
    return (
      entries !== undefined &&
      entries.some(
        (entry) =>
          entry.domain === check.domain && entry.chainId === check.chainId && sameBytes(entry.message, check.message),
      )
    );
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
