// The outbox: transactions a notary certified while this office could not reach a quorum.
// Persisted (one synced LevelDB write per change), so nothing certified offline is lost to a
// crash. Each entry ends `final` (committed) or `rejected` with the ledger's reason, e.g. a
// flat sold offline in two offices: the second sale is rejected with STALE_VERSION.
import { ClassicLevel } from 'classic-level';
import { decode, encode } from '../../../shared/codec/index.js';
import { parseTransaction, txHash, txId, type Transaction } from '../../../shared/ledger/index.js';

export type OutboxState = 'pending' | 'submitted' | 'final' | 'rejected';

export interface OutboxEntry {
  seq: number;
  txId: string;
  txHash: string;
  tx: Transaction;
  state: OutboxState;
  addedAtMs: number;
  updatedAtMs: number;
  height?: number;
  code?: string;
  sentence?: string;
}

/** Unfinished entries allowed at once: a district office certifies hundreds a day, not more. */
export const OUTBOX_OPEN_ENTRIES_MAX = 10_000;

export class OutboxError extends Error {
  constructor(
    readonly code: 'OUTBOX_FULL' | 'ALREADY_IN_OUTBOX' | 'OUTBOX_CORRUPT',
    message: string,
  ) {
    super(message);
    this.name = 'OutboxError';
  }
}

function seqKey(seq: number): Uint8Array {
  const key = new Uint8Array(8);
  new DataView(key.buffer).setBigUint64(0, BigInt(seq));
  return key;
}

export class Outbox {
  readonly #entries = new Map<string, OutboxEntry>(); // by txId
  readonly #idsByHash = new Map<string, string>(); // txHash -> txId: status queries ask by hash
  #nextSeq = 1;

  private constructor(private readonly db: ClassicLevel<Uint8Array, Uint8Array>) {}

  static async open(dir: string): Promise<Outbox> {
    const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    const outbox = new Outbox(db);
    for await (const [key, value] of db.iterator()) {
      let entry: OutboxEntry;
      try {
        entry = decode(value) as OutboxEntry;
        entry.tx = parseTransaction(entry.tx);
      } catch (error) {
        await db.close();
        throw new OutboxError(
          'OUTBOX_CORRUPT',
          `the outbox at ${dir} has a damaged entry (${(error as Error).message}); move it aside and re-certify from the paper records`,
        );
      }
      outbox.#entries.set(entry.txId, entry);
      outbox.#idsByHash.set(entry.txHash, entry.txId);
      outbox.#nextSeq = Math.max(outbox.#nextSeq, Number(new DataView(key.buffer, key.byteOffset).getBigUint64(0)) + 1);
    }
    return outbox;
  }

  /** Every entry, oldest first. */
  list(): OutboxEntry[] {
    return [...this.#entries.values()].sort((a, b) => a.seq - b.seq);
  }

  /** Entries not yet final or rejected. */
  open(): OutboxEntry[] {
    return this.list().filter((entry) => entry.state === 'pending' || entry.state === 'submitted');
  }

  get(id: string): OutboxEntry | undefined {
    return this.#entries.get(id);
  }

  getByHash(hash: string): OutboxEntry | undefined {
    const id = this.#idsByHash.get(hash);
    return id === undefined ? undefined : this.#entries.get(id);
  }

  async add(tx: Transaction, nowMs: number): Promise<OutboxEntry> {
    const id = txId(tx);
    if (this.#entries.has(id)) throw new OutboxError('ALREADY_IN_OUTBOX', 'this transaction is already in the outbox');
    if (this.open().length >= OUTBOX_OPEN_ENTRIES_MAX) {
      throw new OutboxError(
        'OUTBOX_FULL',
        `the outbox holds ${OUTBOX_OPEN_ENTRIES_MAX} unsent transactions; reconnect before certifying more`,
      );
    }
    const entry: OutboxEntry = {
      seq: this.#nextSeq++,
      txId: id,
      txHash: txHash(tx),
      tx,
      state: 'pending',
      addedAtMs: nowMs,
      updatedAtMs: nowMs,
    };
    await this.#write(entry);
    return entry;
  }

  async update(
    id: string,
    change: Pick<OutboxEntry, 'state'> & Partial<Pick<OutboxEntry, 'height' | 'code' | 'sentence'>>,
    nowMs: number,
  ): Promise<OutboxEntry | undefined> {
    const entry = this.#entries.get(id);
    if (!entry) return undefined;
    if (entry.state === 'final' || entry.state === 'rejected') return entry; // an ending is never rewritten
    const updated: OutboxEntry = { ...entry, ...change, updatedAtMs: nowMs };
    await this.#write(updated);
    return updated;
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async #write(entry: OutboxEntry): Promise<void> {
    const record = Object.fromEntries(Object.entries(entry).filter(([, value]) => value !== undefined));
    await this.db.put(seqKey(entry.seq), encode(record), { sync: true });
    this.#entries.set(entry.txId, entry);
    this.#idsByHash.set(entry.txHash, entry.txId);
  }
}
