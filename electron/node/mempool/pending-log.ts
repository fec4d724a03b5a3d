// The pending log: transactions this node answered `pending` to a client, on disk before the
// answer, so a crash (kill -9, power cut) does not forget them. On restart the node re-admits
// every one the chain has not committed.
//
// One append-only file of records `[u32 payload length][u32 crc32 of payload][payload: CBOR
// transaction]`. GROUP COMMIT: appends that arrive while a write + fdatasync runs wait together
// and share the next one, so throughput does not fall to one fsync per transaction.
// A record cut short by a crash (torn tail) ends the log; a record whose checksum fails is
// skipped. A settled transaction (committed, or rejected after a block) stays in the file until
// the file is rewritten with only the open ones: when settled records outnumber open ones and
// there are at least COMPACT_RECORDS_MIN of them. Bounded: at most `entriesMax` open entries
// (MEMPOOL_TXS_MAX by default), each at most RECORD_PAYLOAD_BYTES_MAX, so the file holds at most
// 2 × entriesMax + COMPACT_RECORDS_MIN records.
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from 'node:zlib';
import { decode, encode } from '../../../shared/codec/index.js';
import { parseTransaction, txId, type Transaction } from '../../../shared/ledger/index.js';
import { syncDirectory, writeFileDurably } from '../store/durable-file.js';
import { MEMPOOL_BYTES_MAX, MEMPOOL_TXS_MAX } from './mempool.js';

const HEADER_BYTES = 8;
/** Larger than any transaction the API accepts; a longer length field is damage. */
export const RECORD_PAYLOAD_BYTES_MAX = 1024 * 1024;
/** Below this many records the file is never rewritten (a rewrite costs an fsync and a rename). */
export const COMPACT_RECORDS_MIN = 1_024;
/** Records written by one write + fdatasync at most. */
const GROUP_RECORDS_MAX = 4_096;

export class PendingLogError extends Error {
  constructor(
    readonly code: 'PENDING_LOG_FULL' | 'PENDING_LOG_CLOSED',
    message: string,
  ) {
    super(message);
    this.name = 'PendingLogError';
  }
}

export interface PendingLogOptions {
  /** Open entries at most (default MEMPOOL_TXS_MAX). */
  entriesMax?: number;
  /** Bytes of open records at most (default MEMPOOL_BYTES_MAX). */
  bytesMax?: number;
  /** Records below which the file is never rewritten (default COMPACT_RECORDS_MIN). */
  compactRecordsMin?: number;
}

export interface PendingLogContents {
  log: PendingLog;
  /** Open transactions in the order they were acknowledged. */
  txs: Transaction[];
  /** Records skipped for a failed checksum or an undecodable payload. */
  damaged: number;
  /** Bytes of a record cut short at the end (a crash during a write); 0 for a clean end. */
  tornBytes: number;
}

interface Waiter {
  id: string;
  record: Buffer;
  resolve(): void;
  reject(error: Error): void;
}

/** `encoded`: the transaction's CBOR encoding when the caller has it already. */
export function encodeRecord(tx: Transaction, encoded?: Uint8Array): Buffer {
  const payload = encoded ?? encode(tx);
  if (payload.length > RECORD_PAYLOAD_BYTES_MAX)
    throw new RangeError(`a transaction of ${payload.length} bytes is over the pending log's record limit`);
  const record = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  record.writeUInt32BE(payload.length, 0);
  record.writeUInt32BE(crc32(payload), 4);
  record.set(payload, HEADER_BYTES);
  return record;
}

/** Parses a log file's bytes: the valid records, how many were damaged, and the torn tail. */
export function decodeRecords(bytes: Uint8Array): {
  records: { tx: Transaction; record: Buffer }[];
  damaged: number;
  tornBytes: number;
} {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: { tx: Transaction; record: Buffer }[] = [];
  let damaged = 0;
  let offset = 0;
  while (offset < buffer.length) {
    const remaining = buffer.length - offset;
    const length = remaining >= HEADER_BYTES ? buffer.readUInt32BE(offset) : -1;
    // A header or payload cut short, or a length no record can have: the crash point; stop here.
    if (length < 0 || length > RECORD_PAYLOAD_BYTES_MAX || remaining < HEADER_BYTES + length)
      return { records, damaged, tornBytes: remaining };
    const checksum = buffer.readUInt32BE(offset + 4);
    const payload = buffer.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
    const record = buffer.subarray(offset, offset + HEADER_BYTES + length);
    offset += HEADER_BYTES + length;
    // A record complete in length but not in content: damage; the records after it still count.
    if (crc32(payload) !== checksum) {
      damaged++;
      continue;
    }
    try {
      records.push({ tx: parseTransaction(decode(payload)), record: Buffer.from(record) });
    } catch {
      damaged++;
    }
  }
  return { records, damaged, tornBytes: 0 };
}

export class PendingLog {
  readonly #open = new Map<string, Buffer>(); // by txId, in acknowledgement order: the record bytes
  readonly #entriesMax: number;
  readonly #bytesMax: number;
  /** Bytes of the open records and of the queued ones. */
  #bytes = 0;
  readonly #compactRecordsMin: number;
  #syncs = 0;
  #queue: Waiter[] = [];
  #flushing: Promise<void> | undefined;
  #records = 0;
  /** A failed write may have left part of a record: rewrite the file before appending again. */
  #rewriteNeeded = false;
  #closed = false;

  private constructor(
    readonly path: string,
    private file: FileHandle,
    options: PendingLogOptions,
  ) {
    this.#entriesMax = options.entriesMax ?? MEMPOOL_TXS_MAX;
    this.#bytesMax = options.bytesMax ?? MEMPOOL_BYTES_MAX;
    this.#compactRecordsMin = options.compactRecordsMin ?? COMPACT_RECORDS_MIN;
  }

  /** Reads the log (a missing file is an empty log), rewrites it with its valid records and opens it for appends. */
  static async open(path: string, options: PendingLogOptions = {}): Promise<PendingLogContents> {
    let bytes: Uint8Array = new Uint8Array(0);
    let created = false;
    try {
      const handle = await open(path, 'r');
      try {
        bytes = await handle.readFile();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      created = true;
    }
    const { records, damaged, tornBytes } = decodeRecords(bytes);
    const log = new PendingLog(path, await open(path, 'a'), options);
    // a new file's name must survive a crash too, not only the records synced into it
    if (created) await syncDirectory(dirname(path));
    const txs: Transaction[] = [];
    for (const { tx, record } of records) {
      const id = txId(tx);
      if (log.#open.has(id)) continue;
      log.#open.set(id, record);
      log.#bytes += record.length;
      txs.push(tx);
    }
    log.#records = records.length;
    // A torn tail or damage must not stay in front of new appends; a clean file is left as it is.
    if (tornBytes > 0 || damaged > 0 || log.#open.size !== records.length) await log.#rewrite();
    return { log, txs, damaged, tornBytes };
  }

  /** Open (unsettled) entries. */
  get size(): number {
    return this.#open.size;
  }

  /** Records in the file, settled ones included. */
  get records(): number {
    return this.#records;
  }

  /** Appending writes + fdatasyncs so far (each shared by every append queued beside it). */
  get syncs(): number {
    return this.#syncs;
  }

  has(id: string): boolean {
    return this.#open.has(id);
  }

  /**
   * Resolves once the transaction is on disk (fdatasync'ed), together with the appends queued
   * beside it. `known`: its txId and CBOR encoding, when the caller computed them already.
   */
  append(tx: Transaction, known?: { txId: string; encoded: Uint8Array }): Promise<void> {
    if (this.#closed) return Promise.reject(new PendingLogError('PENDING_LOG_CLOSED', 'the node is stopping'));
    const id = known?.txId ?? txId(tx);
    if (this.#open.has(id)) return Promise.resolve();
    const record = encodeRecord(tx, known?.encoded);
    if (this.#open.size + this.#queue.length >= this.#entriesMax || this.#bytes + record.length > this.#bytesMax) {
      return Promise.reject(
        new PendingLogError(
          'PENDING_LOG_FULL',
          `the node already holds ${this.#open.size + this.#queue.length} acknowledged transactions waiting for a block; try again after the next block`,
        ),
      );
    }
    this.#bytes += record.length;
    const done = new Promise<void>((resolve, reject) => this.#queue.push({ id, record, resolve, reject }));
    this.#kick();
    return done;
  }

  /** The transactions are committed or rejected: they need not survive a restart any more. */
  settle(ids: Iterable<string>): void {
    if (this.#closed) return;
    let changed = false;
    for (const id of ids) {
      const record = this.#open.get(id);
      if (!record) continue;
      this.#open.delete(id);
      this.#bytes -= record.length;
      changed = true;
    }
    if (changed && this.#compactionDue()) this.#kick();
  }

  /** Waits for queued appends (and a due rewrite), then closes the file. */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    await this.file.close();
  }

  #compactionDue(): boolean {
    return this.#records >= this.#compactRecordsMin && this.#records > 2 * this.#open.size;
  }

  #kick(): void {
    if (this.#flushing) return;
    this.#flushing = this.#flush().finally(() => {
      this.#flushing = undefined;
      // an append made between the flush's last look at the queue and here
      if (this.#queue.length > 0) this.#kick();
    });
  }

  async #flush(): Promise<void> {
    for (;;) {
      if (this.#rewriteNeeded || this.#compactionDue()) {
        try {
          await this.#rewrite();
        } catch (error) {
          this.#failQueued(error as Error);
          return;
        }
      }
      if (this.#queue.length === 0) return;
      const group = this.#queue.splice(0, GROUP_RECORDS_MAX);
      try {
        await this.file.write(Buffer.concat(group.map((waiter) => waiter.record)));
        await this.file.datasync();
        this.#syncs++;
      } catch (error) {
        this.#rewriteNeeded = true;
        for (const waiter of group) {
          this.#bytes -= waiter.record.length;
          waiter.reject(error as Error);
        }
        continue;
      }
      this.#records += group.length;
      for (const waiter of group) {
        // the same transaction queued twice: counted once
        if (this.#open.has(waiter.id)) this.#bytes -= waiter.record.length;
        else this.#open.set(waiter.id, waiter.record);
        waiter.resolve();
      }
    }
  }

  /** Writes the open records to a new file, syncs it and renames it over the log (old or new survives a crash). */
  async #rewrite(): Promise<void> {
    await writeFileDurably(this.path, Buffer.concat([...this.#open.values()]));
    const previous = this.file;
    this.file = await open(this.path, 'a');
    await previous.close().catch(() => undefined);
    this.#records = this.#open.size;
    this.#rewriteNeeded = false;
  }

  #failQueued(error: Error): void {
    for (const waiter of this.#queue.splice(0)) {
      this.#bytes -= waiter.record.length;
      waiter.reject(error);
    }
  }
}
