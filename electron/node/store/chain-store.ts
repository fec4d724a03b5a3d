// The node's LevelDB store. It knows nothing of ledger rules: blocks, commits and state
// values are opaque bytes the chain layer computed. Its promises are integrity ones:
//  - one committed block = one atomic, fsync'ed LevelDB batch that also carries the new
//    head record, so a process killed at any instant restarts at its last committed block
//    with nothing half-applied; a block written unsynced (one that is final elsewhere, decision
//    #74) survives a killed process too, and a power cut may take it back to the last synced
//    block, still whole;
//  - a truncated or damaged store is refused at open with STORE_CORRUPT, never used silently;
//  - every structural value read back (head record, height and index rows) is validated.
// The key table lives in keys.ts and docs/store.md.
import { readdir } from 'node:fs/promises';
import { ClassicLevel } from 'classic-level';
import { bytesEqual, bytesToHex, concatBytes, decode, encode, hexToBytes, utf8 } from '../../../shared/codec/index.js';
import { CHAIN_ID_BYTES_MAX, sha256Hex } from '../../../shared/crypto/index.js';
import {
  StoreError,
  corruptError,
  fromOpenError,
  fromReadError,
  fromReopenError,
  fromWriteError,
  invalidBatch,
} from './errors.js';
import { HASH_KEY_BYTES, HashTable } from './hash-table.js';
import { checkAgainstRecord, headFilePath, readHeadFile, writeHeadFile } from './head-file.js';
import {
  Keys,
  MetaName,
  NAME_BYTES_MAX,
  PRESENT_MARKER,
  Prefix,
  Ranges,
  decodeHeight,
  decodeTxIndex,
  encodeHeight,
  encodeTxIndex,
  hashHexOf,
  isHash64,
  isStoreName,
  parseObjectHistoryTail,
  parsePartyObjectTail,
  parseStateKey,
  rowOf,
  type KeyRange,
  type RowName,
} from './keys.js';

/** Bumped whenever the key table or a value format changes; an older store is refused. */
export const STORE_SCHEMA_VERSION = 1;
/** The root of the empty authenticated map: it has no node in the store. */
export const EMPTY_STATE_ROOT = '0'.repeat(64);
export const LIMIT_DEFAULT = 1_000;
export const LIMIT_MAX = 10_000;
export const GET_MANY_KEYS_MAX = 10_000;
/** Rows one block may write, all namespaces together. */
export const BATCH_WRITES_MAX = 100_000;
/** The least a commit's kept node table holds (a block of 500 transfers makes ~8,000 nodes). */
const SPARE_NODE_TABLE_ENTRIES = 16_384;
export const BLOCK_BYTES_MAX = 16 * 1024 * 1024;
export const COMMIT_BYTES_MAX = 4 * 1024 * 1024;
export const STATE_VALUE_BYTES_MAX = 1024 * 1024;
export const SMT_NODE_BYTES_MAX = 64 * 1024;
/**
 * LevelDB tuning for a registry of millions of objects (issue 6, lookups at 7.4M): with the
 * default 2 MiB tables a 7.4M-object store is ~1,450 files, more than LevelDB keeps open
 * (1,000), so random reads reopened table files. 16 MiB tables make it ~180; a 32 MiB block
 * cache (default 8) keeps the hot index and filter blocks.
 */
export const LEVEL_TUNING = { maxFileSize: 16 * 1024 * 1024, cacheSize: 32 * 1024 * 1024 } as const;
/** Blocks below the head whose rows open() checks: a damaged log tail loses the newest ones. */
export const OPEN_TAIL_BLOCKS = 64;
const META_VALUE_BYTES_MAX = 4096;
/** Namespaces scanRows pages through; blocks and commits (up to 16 MiB each) are read by height. */
const SCANNABLE_PREFIXES: readonly number[] = [
  Prefix.state,
  Prefix.smtNode,
  Prefix.heightByHash,
  Prefix.txLocation,
  Prefix.objectHistory,
  Prefix.partyObject,
];

export interface StoreHead {
  height: number;
  blockHash: string;
  stateRoot: string;
  /** sha256 hex of the head block's bytes: open() re-hashes the stored block against it. */
  blockBytesHash: string;
}

export interface BlockCommitBatch {
  /** Genesis is height 0; every later batch is head.height + 1. */
  height: number;
  blockHash: string;
  blockBytes: Uint8Array;
  commitBytes: Uint8Array;
  stateRoot: string;
  /** value null deletes the key. */
  stateWrites: Array<{ key: string; value: Uint8Array | null }>;
  /** Content-addressed authenticated-map nodes, by their 32-byte hashes (as the tree made them); never deleted. */
  smtNodes: ReadonlyArray<{ hash: Uint8Array; bytes: Uint8Array }>;
  txs: Array<{ txHash: string; index: number }>;
  objectHistory: Array<{ objectId: string; txHash: string; index: number }>;
  /** owns=false removes the party -> object row. */
  partyObjects: Array<{ party: string; objectId: string; owns: boolean }>;
  /** Genesis only: the digest of the genesis document, so later opens compare it instead of rebuilding the state. */
  genesisDigest?: string;
}

/** Rows of a genesis state written before the genesis block (bulk import), see writeGenesisRows. */
export interface GenesisRows {
  stateWrites: Array<{ key: string; value: Uint8Array }>;
  /** Raw 32-byte hashes and node bytes. */
  smtNodes: Array<{ hash: Uint8Array; bytes: Uint8Array }>;
  partyObjects: Array<{ party: string; objectId: string }>;
}

/** A store that began from a state snapshot: its first block after genesis is this one. */
export interface SnapshotBase {
  height: number;
  blockHash: string;
  stateRoot: string;
}

/** The rows that make a snapshot's store a chain (one synced batch, see commitSnapshotBase). */
export interface SnapshotBaseBatch {
  genesis: { blockHash: string; blockBytes: Uint8Array; commitBytes: Uint8Array };
  base: SnapshotBase & { blockBytes: Uint8Array; commitBytes: Uint8Array };
}

export interface OpenOptions {
  /** Default true. When false, a missing store is STORE_MISSING. */
  createIfMissing?: boolean;
  /** When given, the store must belong to this chain (bound on first open that gives one). */
  chainId?: string;
  /**
   * Default true: every block batch is fsync'ed before commitBlock returns, and the committed
   * height is then recorded in the committed-head file (head-file.ts). False only for scratch
   * stores that are thrown away after use (the auditor's replay), never for a node's.
   */
  durable?: boolean;
}

type Database = ClassicLevel<Uint8Array, Uint8Array>;

/** The state rows of one moment, readable while later blocks commit (ChainStore.stateView). */
export interface StateView {
  /** The head the view was taken at. */
  readonly head: StoreHead | null;
  /** The rows in key order, a page at a time, as [stateKey, value]; only keys starting with `keyPrefix` when given. */
  rows(pageRows?: number, keyPrefix?: string): AsyncGenerator<Array<[string, Uint8Array]>>;
  close(): Promise<void>;
}
type Operation = { type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array };

/** The rows a failed range read covers: its kind, and where it started. */
function rangeRow(range: KeyRange | { gt: Uint8Array; lt: Uint8Array }): RowName {
  if ('gt' in range) return { ...rowOf(range.gt), key: `after ${rowOf(range.gt).key}` };
  const row = rowOf(range.gte);
  return range.gte.length === 1 ? { ...row, key: '(from the first row)' } : { ...row, key: `from ${row.key}` };
}

/** LevelDB hands back Buffers; callers get plain Uint8Array views of the same memory. */
function plainBytes(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function boundedLimit(limit: number | undefined): number {
  const value = limit ?? LIMIT_DEFAULT;
  if (!Number.isInteger(value) || value < 1 || value > LIMIT_MAX) {
    throw new RangeError(`limit must be an integer from 1 to ${LIMIT_MAX}, got ${String(value)}`);
  }
  return value;
}

function assertArgument(condition: boolean, message: string): asserts condition {
  if (!condition) throw new TypeError(message);
}

function isHeight(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

function isChainId(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const length = utf8(value).length;
  return length > 0 && length <= CHAIN_ID_BYTES_MAX;
}

// ---------------------------------------------------------------- head record

function headFields(head: StoreHead): StoreHead {
  return {
    height: head.height,
    blockHash: head.blockHash,
    stateRoot: head.stateRoot,
    blockBytesHash: head.blockBytesHash,
  };
}

export function encodeHeadRecord(head: StoreHead): Uint8Array {
  const fields = headFields(head);
  return encode({ head: fields, checksum: sha256Hex(encode(fields)) });
}

function hasExactKeys(value: unknown, keys: readonly string[]): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) return false;
  const actual = Object.keys(value).sort();
  return actual.length === keys.length && [...keys].sort().every((key, i) => actual[i] === key);
}

/** Decodes and checks the head record; any defect is STORE_CORRUPT. */
export function decodeHeadRecord(dir: string, bytes: Uint8Array): StoreHead {
  let record: unknown;
  try {
    record = decode(bytes, META_VALUE_BYTES_MAX);
  } catch (error) {
    throw corruptError(dir, `the head record is not canonical CBOR (${(error as Error).message})`, error);
  }
  if (
    !hasExactKeys(record, ['head', 'checksum']) ||
    !hasExactKeys(record.head, ['height', 'blockHash', 'stateRoot', 'blockBytesHash'])
  ) {
    throw corruptError(
      dir,
      'the head record does not have the fields {head: {height, blockHash, stateRoot, blockBytesHash}, checksum}',
    );
  }
  const { head, checksum } = record as { head: Record<string, unknown>; checksum: unknown };
  if (
    !isHeight(head.height) ||
    !isHash64(head.blockHash) ||
    !isHash64(head.stateRoot) ||
    !isHash64(head.blockBytesHash)
  ) {
    throw corruptError(dir, 'the head record holds a malformed height or hash');
  }
  const fields = headFields(head as unknown as StoreHead);
  if (checksum !== sha256Hex(encode(fields))) {
    throw corruptError(dir, `the head record (height ${fields.height}) fails its checksum`);
  }
  return fields;
}

function headsEqual(a: StoreHead, b: StoreHead): boolean {
  return (
    a.height === b.height &&
    a.blockHash === b.blockHash &&
    a.stateRoot === b.stateRoot &&
    a.blockBytesHash === b.blockBytesHash
  );
}

// ---------------------------------------------------------------- batch validation

function countWrites(batch: BlockCommitBatch): number {
  // block, commit, hash -> height, head record
  const fixed = batch.genesisDigest === undefined ? 4 : 5;
  return (
    fixed +
    batch.stateWrites.length +
    batch.smtNodes.length +
    batch.txs.length +
    batch.objectHistory.length +
    batch.partyObjects.length
  );
}

function isBytes(value: unknown, bytesMax: number): value is Uint8Array {
  return value instanceof Uint8Array && value.length > 0 && value.length <= bytesMax;
}

function validateHeader(batch: BlockCommitBatch, head: StoreHead | null): void {
  const h = batch.height;
  const expected = head === null ? 0 : head.height + 1;
  // REJECT: blocks are committed in order, one at a time, genesis first.
  if (!isHeight(h) || h !== expected) throw invalidBatch(h, `the next height is ${expected}`);
  if (!isHash64(batch.blockHash)) throw invalidBatch(h, 'blockHash is not 64 lowercase hex');
  if (!isHash64(batch.stateRoot)) throw invalidBatch(h, 'stateRoot is not 64 lowercase hex');
  if (!isBytes(batch.blockBytes, BLOCK_BYTES_MAX))
    throw invalidBatch(h, `blockBytes must be 1 to ${BLOCK_BYTES_MAX} bytes`);
  if (!isBytes(batch.commitBytes, COMMIT_BYTES_MAX))
    throw invalidBatch(h, `commitBytes must be 1 to ${COMMIT_BYTES_MAX} bytes`);
  for (const list of ['stateWrites', 'smtNodes', 'txs', 'objectHistory', 'partyObjects'] as const) {
    if (!Array.isArray(batch[list])) throw invalidBatch(h, `${list} is not an array`);
  }
  if (batch.genesisDigest !== undefined && (h !== 0 || !isHash64(batch.genesisDigest))) {
    throw invalidBatch(h, 'a genesis digest is 64 lowercase hex and comes with the genesis block only');
  }
  const writes = countWrites(batch);
  // REJECT: a bounded batch keeps one commit's memory and fsync time bounded.
  if (writes > BATCH_WRITES_MAX) throw invalidBatch(h, `${writes} writes exceed the limit of ${BATCH_WRITES_MAX}`);
}

function validateStateWrites(batch: BlockCommitBatch): void {
  const seen = new Set<string>();
  for (const write of batch.stateWrites) {
    if (!isStoreName(write?.key, true))
      throw invalidBatch(batch.height, `state key ${JSON.stringify(write?.key)} is empty, too long or not UTF-8`);
    // REJECT: two writes to one key in one block leave the result up to their order.
    if (seen.has(write.key)) throw invalidBatch(batch.height, `state key ${write.key} is written twice`);
    seen.add(write.key);
    if (write.value !== null && !(write.value instanceof Uint8Array && write.value.length <= STATE_VALUE_BYTES_MAX)) {
      throw invalidBatch(
        batch.height,
        `state value for ${write.key} must be null or at most ${STATE_VALUE_BYTES_MAX} bytes`,
      );
    }
  }
}

/**
 * The batch's nodes once each, as its put operations (each key made while its hash was checked),
 * with their hashes for the state root's check.
 */
interface SmtNodeRows {
  rows: Array<{ type: 'put'; key: Uint8Array; value: Uint8Array }>;
  byHash: HashTable<Uint8Array>;
}

/**
 * Returns the nodes deduplicated: a batch giving one node twice is fine, two contents for one
 * hash is not. Keyed by the hashes' bytes, as the tree made them (no hex made for each node), in
 * `byHash` (empty, and large enough for the batch's nodes).
 */
function validateSmtNodes(batch: BlockCommitBatch, byHash: HashTable<Uint8Array>): SmtNodeRows {
  const rows: SmtNodeRows['rows'] = [];
  for (const node of batch.smtNodes) {
    const hash = node?.hash;
    if (!(hash instanceof Uint8Array) || hash.length !== HASH_KEY_BYTES)
      throw invalidBatch(batch.height, 'an SMT node hash is not 32 bytes');
    const earlier = byHash.get(hash);
    if (earlier === undefined) {
      if (!isBytes(node.bytes, SMT_NODE_BYTES_MAX))
        throw invalidBatch(batch.height, `SMT node ${bytesToHex(hash)} must be 1 to ${SMT_NODE_BYTES_MAX} bytes`);
      byHash.set(hash, node.bytes);
      rows.push({ type: 'put', key: Keys.smtNodeRaw(hash), value: node.bytes });
    } else if (!isBytes(node.bytes, SMT_NODE_BYTES_MAX) || !bytesEqual(earlier, node.bytes)) {
      throw invalidBatch(batch.height, `SMT node ${bytesToHex(hash)} is given with two contents`);
    }
  }
  return { rows, byHash };
}

function validateTxs(batch: BlockCommitBatch): Map<string, number> {
  const indexByHash = new Map<string, number>();
  const indexes = new Set<number>();
  for (const tx of batch.txs) {
    if (!isHash64(tx?.txHash)) throw invalidBatch(batch.height, 'a tx hash is not 64 lowercase hex');
    if (!Number.isInteger(tx.index) || tx.index < 0 || tx.index > 0xffff_ffff)
      throw invalidBatch(batch.height, `tx ${tx.txHash} has index ${tx.index}`);
    // REJECT: one tx at two places, or two txs at one place, breaks tx hash -> location.
    if (indexByHash.has(tx.txHash)) throw invalidBatch(batch.height, `tx ${tx.txHash} appears twice`);
    if (indexes.has(tx.index)) throw invalidBatch(batch.height, `two txs have index ${tx.index}`);
    indexByHash.set(tx.txHash, tx.index);
    indexes.add(tx.index);
  }
  return indexByHash;
}

function validateIndexes(batch: BlockCommitBatch, txIndexByHash: Map<string, number>): void {
  const historyRows = new Set<string>();
  for (const row of batch.objectHistory) {
    if (!isStoreName(row?.objectId, false))
      throw invalidBatch(batch.height, 'an object id is empty, too long, not UTF-8 or contains NUL');
    // REJECT: history rows point at txs of this very block.
    if (txIndexByHash.get(row.txHash) !== row.index)
      throw invalidBatch(
        batch.height,
        `history of ${row.objectId} names tx ${String(row.txHash)} at index ${row.index}, which is not in this block`,
      );
    const rowId = `${row.objectId}\u0000${row.index}`;
    if (historyRows.has(rowId))
      throw invalidBatch(batch.height, `history of ${row.objectId} lists index ${row.index} twice`);
    historyRows.add(rowId);
  }
  const partyRows = new Set<string>();
  for (const row of batch.partyObjects) {
    if (!isStoreName(row?.party, false) || !isStoreName(row.objectId, false))
      throw invalidBatch(batch.height, 'a party or object id is empty, too long, not UTF-8 or contains NUL');
    if (typeof row.owns !== 'boolean')
      throw invalidBatch(batch.height, `owns for ${row.party} / ${row.objectId} is not a boolean`);
    const rowId = `${row.party}\u0000${row.objectId}`;
    if (partyRows.has(rowId))
      throw invalidBatch(batch.height, `party ${row.party} / object ${row.objectId} appears twice`);
    partyRows.add(rowId);
  }
}

// ---------------------------------------------------------------- batch operations

function buildOperations(batch: BlockCommitBatch, smtNodes: SmtNodeRows, nextHead: StoreHead): Operation[] {
  const operations: Operation[] = [
    { type: 'put', key: Keys.block(batch.height), value: batch.blockBytes },
    { type: 'put', key: Keys.commit(batch.height), value: batch.commitBytes },
    { type: 'put', key: Keys.heightByHash(batch.blockHash), value: encodeHeight(batch.height) },
  ];
  for (const { key, value } of batch.stateWrites) {
    operations.push(
      value === null ? { type: 'del', key: Keys.state(key) } : { type: 'put', key: Keys.state(key), value },
    );
  }
  for (const row of smtNodes.rows) operations.push(row);
  for (const { txHash, index } of batch.txs) {
    const location = new Uint8Array([...encodeHeight(batch.height), ...encodeTxIndex(index)]);
    operations.push({ type: 'put', key: Keys.txLocation(txHash), value: location });
  }
  for (const { objectId, txHash, index } of batch.objectHistory) {
    operations.push({ type: 'put', key: Keys.objectHistory(objectId, batch.height, index), value: hexToBytes(txHash) });
  }
  for (const { party, objectId, owns } of batch.partyObjects) {
    const key = Keys.partyObject(party, objectId);
    operations.push(owns ? { type: 'put', key, value: PRESENT_MARKER } : { type: 'del', key });
  }
  if (batch.genesisDigest !== undefined)
    operations.push({ type: 'put', key: Keys.meta(MetaName.genesisDigest), value: encode(batch.genesisDigest) });
  // The head moves in the same atomic batch as everything it describes.
  operations.push({ type: 'put', key: Keys.meta(MetaName.head), value: encodeHeadRecord(nextHead) });
  return operations;
}

/**
 * A block's operations written in one atomic batch, handed to LevelDB one by one (a chained
 * batch): an array batch of a block's ~8,000 rows costs this thread about half as much again,
 * the binding reading each operation's object property by property.
 */
async function writeChained(db: Database, operations: readonly Operation[], sync: boolean): Promise<void> {
  const chained = db.batch();
  try {
    for (const op of operations) {
      if (op.type === 'put') chained.put(op.key, op.value);
      else chained.del(op.key);
    }
  } catch (error) {
    await chained.close();
    throw error;
  }
  await chained.write({ sync });
}

// ---------------------------------------------------------------- open checks

/** Looks at the directory before LevelDB does: with CURRENT gone LevelDB would silently start empty. */
async function inspectDirectory(dir: string, createIfMissing: boolean): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && createIfMissing) return false;
    if (code === 'ENOENT') throw new StoreError('STORE_MISSING', `No store exists at ${dir}.`, { cause: error });
    if (code === 'ENOTDIR')
      throw new StoreError('STORE_MISSING', `${dir} is not a directory, so it holds no store.`, { cause: error });
    throw new StoreError('STORE_IO', `Cannot read the store directory ${dir}: ${(error as Error).message}.`, {
      cause: error,
    });
  }
  const hasCurrent = names.includes('CURRENT');
  const levelFiles = names.filter((name) => /^MANIFEST-\d+$/.test(name) || /^\d+\.(?:ldb|sst|log)$/.test(name));
  if (!hasCurrent && levelFiles.length > 0) {
    throw corruptError(dir, `its CURRENT file is missing while ${levelFiles.length} LevelDB files remain`);
  }
  if (!hasCurrent && !createIfMissing) throw new StoreError('STORE_MISSING', `No store exists at ${dir}.`);
  return hasCurrent;
}

class OpenCheck {
  constructor(
    private readonly db: Database,
    private readonly dir: string,
  ) {}

  async get(what: string, key: Uint8Array): Promise<Uint8Array | undefined> {
    try {
      const value = await this.db.get(key);
      return value === undefined ? undefined : plainBytes(value);
    } catch (error) {
      throw fromReadError(this.dir, what, error);
    }
  }

  async metaValue(name: MetaName): Promise<unknown> {
    const bytes = await this.get(`the ${name} record`, Keys.meta(name));
    if (bytes === undefined) return undefined;
    try {
      return decode(bytes, META_VALUE_BYTES_MAX);
    } catch (error) {
      throw corruptError(this.dir, `the ${name} record is not canonical CBOR (${(error as Error).message})`, error);
    }
  }

  async isNamespaceEmpty(prefix: number): Promise<boolean> {
    try {
      const keys = await this.db.keys({ ...Ranges.namespace(prefix), limit: 1 }).all();
      return keys.length === 0;
    } catch (error) {
      throw fromReadError(this.dir, 'the key index', error);
    }
  }

  async isEmpty(): Promise<boolean> {
    try {
      return (await this.db.keys({ limit: 1 }).all()).length === 0;
    } catch (error) {
      throw fromReadError(this.dir, 'the key index', error);
    }
  }

  /** A new store: written once, synced, before anything else. */
  async initialise(chainId: string | undefined): Promise<void> {
    if (!(await this.isEmpty())) throw corruptError(this.dir, 'it holds rows but no schema version');
    const operations: Operation[] = [
      { type: 'put', key: Keys.meta(MetaName.schemaVersion), value: encode(STORE_SCHEMA_VERSION) },
    ];
    if (chainId !== undefined)
      operations.push({ type: 'put', key: Keys.meta(MetaName.chainId), value: encode(chainId) });
    await this.db.batch(operations, { sync: true });
  }

  async checkSchema(existed: boolean, chainId: string | undefined): Promise<void> {
    let version = await this.metaValue(MetaName.schemaVersion);
    if (version === undefined) {
      // LevelDB files exist but our first write is gone: the store lost data, it is not new.
      if (existed)
        throw corruptError(
          this.dir,
          'its schema version record is missing, so the database holds less than was written',
        );
      await this.initialise(chainId);
      version = STORE_SCHEMA_VERSION;
    }
    if (!isHeight(version)) throw corruptError(this.dir, 'its schema version record is not a number');
    if (version !== STORE_SCHEMA_VERSION) {
      throw new StoreError(
        'STORE_VERSION',
        `The store at ${this.dir} has schema version ${version}; this node reads version ${STORE_SCHEMA_VERSION}. Use a matching node version or re-sync from peers into a new directory.`,
      );
    }
  }

  async checkChainId(chainId: string | undefined): Promise<void> {
    const stored = await this.metaValue(MetaName.chainId);
    if (stored !== undefined && !isChainId(stored)) throw corruptError(this.dir, 'its chain id record is malformed');
    if (chainId === undefined || stored === chainId) return;
    if (stored === undefined) {
      await this.db.put(Keys.meta(MetaName.chainId), encode(chainId), { sync: true });
      return;
    }
    throw new StoreError(
      'STORE_CHAIN_MISMATCH',
      `The store at ${this.dir} belongs to chain "${stored}", not "${chainId}".`,
    );
  }

  async readHead(): Promise<StoreHead | null> {
    const bytes = await this.get('the head record', Keys.meta(MetaName.head));
    if (bytes === undefined) {
      if (!(await this.isNamespaceEmpty(Prefix.block)))
        throw corruptError(this.dir, 'it holds blocks but no head record');
      return null;
    }
    return decodeHeadRecord(this.dir, bytes);
  }

  async checkHeadRows(head: StoreHead): Promise<void> {
    const h = head.height;
    const block = await this.get(`the head block at height ${h}`, Keys.block(h));
    if (block === undefined) throw corruptError(this.dir, `the head block at height ${h} is missing`);
    if (sha256Hex(block) !== head.blockBytesHash)
      throw corruptError(this.dir, `the head block at height ${h} does not match its recorded sha256`);
    const commit = await this.get(`the head commit at height ${h}`, Keys.commit(h));
    if (commit === undefined)
      throw corruptError(this.dir, `the commit certificate of the head block at height ${h} is missing`);
    const heightRow = await this.get(`the hash -> height row of height ${h}`, Keys.heightByHash(head.blockHash));
    const mapped = heightRow === undefined ? undefined : decodeHeight(heightRow);
    if (mapped !== h)
      throw corruptError(
        this.dir,
        `the head block hash ${head.blockHash} maps to height ${String(mapped)}, not the head height ${h}`,
      );
    if (head.stateRoot !== EMPTY_STATE_ROOT) {
      const root = await this.get(`the state root node of height ${h}`, Keys.smtNode(head.stateRoot));
      if (root === undefined)
        throw corruptError(this.dir, `the state root node ${head.stateRoot} of the head at height ${h} is missing`);
    }
    const above = await this.get(`the block at height ${h + 1}`, Keys.block(h + 1));
    if (above !== undefined)
      throw corruptError(this.dir, `a block at height ${h + 1} exists above the head at height ${h}`);
  }

  /** The newest blocks are the ones a damaged log would drop; their rows must all be there. */
  async readSnapshotBase(): Promise<SnapshotBase | undefined> {
    const value = await this.metaValue(MetaName.snapshotBase);
    if (value === undefined) return undefined;
    if (
      !hasExactKeys(value, ['height', 'blockHash', 'stateRoot']) ||
      !isHeight(value.height) ||
      value.height < 1 ||
      !isHash64(value.blockHash) ||
      !isHash64(value.stateRoot)
    )
      throw corruptError(this.dir, 'the snapshot base record is not {height, blockHash, stateRoot}');
    return { height: value.height, blockHash: value.blockHash, stateRoot: value.stateRoot };
  }

  async checkTail(head: StoreHead, base: SnapshotBase | undefined): Promise<void> {
    // A store that began from a snapshot has no blocks between genesis and its base.
    const from = Math.max(base?.height ?? 0, head.height - OPEN_TAIL_BLOCKS + 1);
    const keys: Uint8Array[] = [];
    for (let height = from; height < head.height; height++) keys.push(Keys.block(height), Keys.commit(height));
    if (keys.length === 0) return;
    let present: boolean[];
    try {
      present = await this.db.hasMany(keys);
    } catch (error) {
      throw fromReadError(this.dir, `the blocks below height ${head.height}`, error);
    }
    const missing = present.findIndex((found) => !found);
    if (missing >= 0) {
      const what = missing % 2 === 0 ? 'block' : 'commit certificate';
      throw corruptError(
        this.dir,
        `the ${what} at height ${from + Math.floor(missing / 2)} below the head at height ${head.height} is missing`,
      );
    }
  }
}

async function checkStore(
  db: Database,
  dir: string,
  existed: boolean,
  chainId: string | undefined,
): Promise<{ head: StoreHead | null; base: SnapshotBase | undefined }> {
  const check = new OpenCheck(db, dir);
  await check.checkSchema(existed, chainId);
  await check.checkChainId(chainId);
  const head = await check.readHead();
  const base = await check.readSnapshotBase();
  if (head === null) {
    if (base !== undefined) throw corruptError(dir, 'it records a snapshot base but no head');
    return { head, base };
  }
  if (base !== undefined && base.height > head.height)
    throw corruptError(dir, `its snapshot base ${base.height} is above its head ${head.height}`);
  await check.checkHeadRows(head);
  await check.checkTail(head, base);
  return { head, base };
}

/** A LevelDB head below the committed head recorded outside LevelDB is refused (STORE_ROLLED_BACK). */
async function checkRecordedHead(db: Database, dir: string, head: StoreHead | null): Promise<void> {
  const recorded = await readHeadFile(dir);
  if (recorded === undefined) return;
  const check = new OpenCheck(db, dir);
  const row =
    head === null
      ? undefined
      : await check.get(`the height of block ${recorded.blockHash}`, Keys.heightByHash(recorded.blockHash));
  checkAgainstRecord(dir, head?.height ?? -1, recorded, row === undefined ? undefined : decodeHeight(row));
}

// ---------------------------------------------------------------- the store

export class ChainStore {
  private currentHead: StoreHead | null;
  private committingHeight: number | undefined;
  private spareNodeTable: HashTable<Uint8Array> | undefined;
  /** Set after a failed write: LevelDB's state is then unknown, so no further block is written. */
  private writeFailure: StoreError | undefined;
  private closed = false;

  private constructor(
    private readonly db: Database,
    readonly dir: string,
    head: StoreHead | null,
    private readonly durable = true,
    base: SnapshotBase | undefined = undefined,
  ) {
    this.currentHead = head === null ? null : Object.freeze(headFields(head));
    this.base = base === undefined ? undefined : Object.freeze({ ...base });
  }

  /** Set when the store began from a state snapshot: blocks 1..base.height - 1 are not in it. */
  private base: SnapshotBase | undefined;

  get snapshotBase(): SnapshotBase | undefined {
    return this.base;
  }

  static async open(dir: string, options: OpenOptions = {}): Promise<ChainStore> {
    assertArgument(typeof dir === 'string' && dir.length > 0, 'the store directory must be a non-empty path');
    const createIfMissing = options.createIfMissing ?? true;
    if (options.chainId !== undefined)
      assertArgument(isChainId(options.chainId), `chain id must be 1 to ${CHAIN_ID_BYTES_MAX} UTF-8 bytes`);
    const existed = await inspectDirectory(dir, createIfMissing);
    const db: Database = new ClassicLevel<Uint8Array, Uint8Array>(dir, {
      keyEncoding: 'view',
      valueEncoding: 'view',
      createIfMissing,
      ...LEVEL_TUNING,
    });
    try {
      await db.open({ createIfMissing });
    } catch (error) {
      throw fromOpenError(dir, error);
    }
    try {
      const { head, base } = await checkStore(db, dir, existed, options.chainId);
      await checkRecordedHead(db, dir, head);
      return new ChainStore(db, dir, head, options.durable ?? true, base);
    } catch (error) {
      await db.close().catch(() => undefined);
      throw error instanceof StoreError ? error : fromReadError(dir, 'the store', error);
    }
  }

  /** The last committed block; null before genesis. */
  get head(): StoreHead | null {
    return this.currentHead;
  }

  /**
   * Writes one block's rows and the new head in one atomic batch. A durable store fsyncs it and
   * then records the height in the committed-head file, unless `options.sync` is false: the
   * batch is then written to LevelDB's log without an fsync and the file keeps the last synced
   * height. Only for blocks that are final elsewhere (sync's blocks, decision #74): a power cut
   * may lose the unsynced ones, and the store then opens whole at an earlier head no lower than
   * the recorded one. LevelDB writes its log in order, so a later synced batch makes every
   * earlier one durable too.
   */
  async commitBlock(batch: BlockCommitBatch, options: { sync?: boolean } = {}): Promise<void> {
    this.assertOpen();
    if (this.writeFailure !== undefined) throw this.writeFailure;
    // REJECT: commits are sequential; a second one racing the first would validate against a stale head.
    if (this.committingHeight !== undefined)
      throw invalidBatch(batch?.height, `block ${this.committingHeight} is still being written`);
    this.committingHeight = typeof batch?.height === 'number' ? batch.height : -1;
    try {
      await this.commitValidated(batch, this.durable && options.sync !== false);
    } finally {
      this.committingHeight = undefined;
      this.spareNodeTable?.clear(); // holds none of the batch's nodes past its commit
    }
  }

  /**
   * An empty table for a batch's nodes, kept from one commit to the next (commits are one at a
   * time): a table for a block's ~8,000 nodes is 640 KB, which V8 allocates outside its young
   * generation, and a new one each block was the largest allocation a commit left to the
   * garbage collector.
   */
  private nodeTable(entries: number): HashTable<Uint8Array> {
    if (this.spareNodeTable === undefined || this.spareNodeTable.entriesMax < entries)
      this.spareNodeTable = new HashTable<Uint8Array>(Math.max(entries, SPARE_NODE_TABLE_ENTRIES));
    this.spareNodeTable.clear();
    return this.spareNodeTable;
  }

  private async commitValidated(batch: BlockCommitBatch, sync: boolean): Promise<void> {
    if (typeof batch !== 'object' || batch === null) throw invalidBatch(undefined, 'the batch is not an object');
    validateHeader(batch, this.currentHead);
    validateStateWrites(batch);
    const smtNodes = validateSmtNodes(batch, this.nodeTable(batch.smtNodes.length));
    validateIndexes(batch, validateTxs(batch));
    // The store's reads (is this block or any of its transactions stored already?) run while
    // this thread builds the operations; nothing is written before both are done.
    const stored = this.validateAgainstStore(batch, smtNodes);
    let nextHead: StoreHead;
    let operations: ReturnType<typeof buildOperations>;
    try {
      nextHead = Object.freeze({
        height: batch.height,
        blockHash: batch.blockHash,
        stateRoot: batch.stateRoot,
        blockBytesHash: sha256Hex(batch.blockBytes),
      });
      operations = buildOperations(batch, smtNodes, nextHead);
    } catch (error) {
      await stored; // a batch the store refuses is named as refused, as when the reads came first
      throw error;
    }
    await stored;
    if (operations.length > BATCH_WRITES_MAX)
      throw new Error(`invariant: ${operations.length} operations passed validation`);
    try {
      await writeChained(this.db, operations, sync);
    } catch (error) {
      this.writeFailure = fromWriteError(this.dir, batch.height, error);
      throw this.writeFailure;
    }
    await this.verifyHeadWritten(nextHead);
    this.currentHead = nextHead;
    // Only a synced height is recorded: a record above what a power cut may leave would make
    // the next open refuse a store that lost nothing it promised (STORE_ROLLED_BACK).
    if (sync) await this.recordHead(nextHead);
  }

  /**
   * After the synced batch: the height, outside LevelDB, that a later open must reach. The block
   * is committed whether or not this succeeds, so a failure does not fail the commit (the chain
   * in memory must move with the store); it stops the next write instead, until recoverWrites
   * records the height (a full disk, issue 19).
   */
  private async recordHead(head: StoreHead): Promise<void> {
    try {
      await writeHeadFile(this.dir, { height: head.height, blockHash: head.blockHash });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.writeFailure = new StoreError(
        'STORE_IO',
        `Block ${head.height} was committed but recording its height in ${headFilePath(this.dir)} failed (${code}); no further block is written until the disk takes writes again.`,
        { cause: error },
      );
    }
  }

  /** The write the disk refused (STORE_IO), while the store refuses further writes; undefined otherwise. */
  get writeRefused(): StoreError | undefined {
    return this.writeFailure?.code === 'STORE_IO' ? this.writeFailure : undefined;
  }

  /**
   * After the disk refused a write (full, read-only: STORE_IO) and takes writes again: closes
   * LevelDB and opens it again (LevelDB refuses every write after a failed one until reopened),
   * checks it opens at the head this store had, records that head outside LevelDB, and takes
   * writes again. A failed batch left nothing: LevelDB's log drops a record cut short. Throws,
   * still refusing writes, when the disk still refuses or the store opens elsewhere (then only a
   * restart re-reads it). Damage found on the way is damage, as at start.
   */
  async recoverWrites(): Promise<void> {
    this.assertOpen();
    const failure = this.writeRefused;
    if (failure === undefined) return;
    if (this.committingHeight !== undefined) throw failure;
    try {
      await this.db.close();
      await this.db.open({ createIfMissing: false });
    } catch (error) {
      throw fromReopenError(this.dir, error);
    }
    const { head } = await checkStore(this.db, this.dir, true, undefined);
    const expected = this.currentHead;
    if (head?.height !== expected?.height || head?.blockHash !== expected?.blockHash)
      throw new StoreError(
        'STORE_IO',
        `The store at ${this.dir} opened again at height ${head?.height ?? 'none'}, not at ${expected?.height ?? 'none'} where it stopped; restart the node to read it again.`,
        { cause: failure },
      );
    // The head may be a block written unsynced (decision #74): recording it is still right,
    // because LevelDB's open replays its log into a table it fsyncs (and a synced MANIFEST).
    if (this.durable && expected !== null) {
      try {
        await writeHeadFile(this.dir, { height: expected.height, blockHash: expected.blockHash });
      } catch (error) {
        throw new StoreError(
          'STORE_IO',
          `Recording the height ${expected.height} in ${headFilePath(this.dir)} still fails (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
          { cause: error },
        );
      }
    }
    this.writeFailure = undefined;
  }

  /** Checks that need the store: nothing this block adds may already exist, and its state root must resolve. */
  private async validateAgainstStore(batch: BlockCommitBatch, smtNodes: SmtNodeRows): Promise<void> {
    const h = batch.height;
    const [existingHeight, known] = await Promise.all([
      this.getHeightByHash(batch.blockHash),
      batch.txs.length === 0
        ? []
        : this.readMany(
            'tx locations',
            batch.txs.map((tx) => Keys.txLocation(tx.txHash)),
          ),
    ]);
    if (existingHeight !== undefined)
      throw invalidBatch(h, `block hash ${batch.blockHash} is already stored at height ${existingHeight}`);
    const repeated = known.findIndex((value) => value !== undefined);
    if (repeated >= 0) throw invalidBatch(h, `tx ${batch.txs[repeated]?.txHash} is already stored in an earlier block`);
    if (batch.stateRoot !== EMPTY_STATE_ROOT && !smtNodes.byHash.has(hexToBytes(batch.stateRoot))) {
      // REJECT: a head whose state root has no node could never serve a proof or pass open().
      if ((await this.getSmtNode(batch.stateRoot)) === undefined)
        throw invalidBatch(h, `state root ${batch.stateRoot} has no SMT node in the batch or the store`);
    }
  }

  /** Postcondition: the head record reads back, passes its checksum and equals what was written. */
  private async verifyHeadWritten(expected: StoreHead): Promise<void> {
    const bytes = await this.read('the head record', Keys.meta(MetaName.head));
    const written = bytes === undefined ? undefined : decodeHeadRecord(this.dir, bytes);
    if (written === undefined || !headsEqual(written, expected)) {
      this.writeFailure = corruptError(
        this.dir,
        `the head record of height ${expected.height} did not read back as written`,
      );
      throw this.writeFailure;
    }
  }

  /**
   * Bulk genesis import: writes a bounded chunk of genesis state, SMT node and party rows
   * before the genesis block exists, in one unsynced batch. Only while the store has no head;
   * the genesis commitBlock (synced) then makes them part of the chain. A crash before it
   * leaves no head, and the next open imports again over these content-determined rows.
   */
  async writeGenesisRows(rows: GenesisRows): Promise<void> {
    this.assertOpen();
    if (this.writeFailure !== undefined) throw this.writeFailure;
    if (this.currentHead !== null) throw invalidBatch(0, 'genesis rows are written only into a store without a head');
    const total = rows.stateWrites.length + rows.smtNodes.length + rows.partyObjects.length;
    if (total > BATCH_WRITES_MAX)
      throw invalidBatch(0, `${total} genesis rows exceed the limit of ${BATCH_WRITES_MAX}`);
    const operations: Operation[] = [];
    for (const { key, value } of rows.stateWrites) {
      if (!isStoreName(key, true))
        throw invalidBatch(0, `state key ${JSON.stringify(key)} is empty, too long or not UTF-8`);
      if (!(value instanceof Uint8Array && value.length <= STATE_VALUE_BYTES_MAX))
        throw invalidBatch(0, `state value for ${key} must be at most ${STATE_VALUE_BYTES_MAX} bytes`);
      operations.push({ type: 'put', key: Keys.state(key), value });
    }
    for (const { hash, bytes } of rows.smtNodes) {
      if (!isBytes(bytes, SMT_NODE_BYTES_MAX))
        throw invalidBatch(0, `an SMT node must be 1 to ${SMT_NODE_BYTES_MAX} bytes`);
      operations.push({ type: 'put', key: Keys.smtNodeRaw(hash), value: bytes });
    }
    for (const { party, objectId } of rows.partyObjects) {
      if (!isStoreName(party, false) || !isStoreName(objectId, false))
        throw invalidBatch(0, 'a party or object id is empty, too long, not UTF-8 or contains NUL');
      operations.push({ type: 'put', key: Keys.partyObject(party, objectId), value: PRESENT_MARKER });
    }
    if (operations.length === 0) return;
    try {
      await this.db.batch(operations, { sync: false });
    } catch (error) {
      this.writeFailure = fromWriteError(this.dir, 0, error);
      throw this.writeFailure;
    }
  }

  /**
   * Writes the rows of one checked snapshot chunk as packed by snapshot/chunk-rows.ts (records,
   * state-tree nodes, party rows; keys made by the same Keys layout), in unsynced batches like
   * writeGenesisRows. Only into a store without a head; a row under any other prefix, or offsets
   * that do not fit the buffers, is refused whole before anything is written.
   */
  async writePackedRows(rows: {
    keys: Uint8Array;
    keyEnds: Uint32Array;
    values: Uint8Array;
    valueEnds: Uint32Array;
  }): Promise<void> {
    this.assertOpen();
    if (this.writeFailure !== undefined) throw this.writeFailure;
    if (this.currentHead !== null) throw invalidBatch(0, 'snapshot rows are written only into a store without a head');
    const count = rows.keyEnds.length;
    if (rows.valueEnds.length !== count) throw invalidBatch(0, 'packed rows: as many values as keys');
    const operations: Operation[] = [];
    let keyAt = 0;
    let valueAt = 0;
    for (let i = 0; i < count; i++) {
      const keyEnd = rows.keyEnds[i]!;
      const valueEnd = rows.valueEnds[i]!;
      if (keyEnd <= keyAt || keyEnd > rows.keys.length || valueEnd < valueAt || valueEnd > rows.values.length)
        throw invalidBatch(0, `packed rows: row ${i} is outside its buffers`);
      const key = rows.keys.subarray(keyAt, keyEnd);
      const prefix = key[0];
      if (prefix !== Prefix.state && prefix !== Prefix.smtNode && prefix !== Prefix.partyObject)
        throw invalidBatch(0, `packed rows: row ${i} is not a state, tree-node or party row`);
      if (key.length > 1 + 2 * NAME_BYTES_MAX + 1 || valueEnd - valueAt > STATE_VALUE_BYTES_MAX)
        throw invalidBatch(0, `packed rows: row ${i} is too large`);
      operations.push({ type: 'put', key, value: rows.values.subarray(valueAt, valueEnd) });
      keyAt = keyEnd;
      valueAt = valueEnd;
    }
    try {
      for (let at = 0; at < operations.length; at += BATCH_WRITES_MAX)
        await this.db.batch(operations.slice(at, at + BATCH_WRITES_MAX), { sync: false });
    } catch (error) {
      this.writeFailure = fromWriteError(this.dir, 0, error);
      throw this.writeFailure;
    }
  }

  /**
   * Makes a store filled by a snapshot join (its state, tree and party rows written first with
   * writeGenesisRows) a chain: the genesis block, the base block with its commit, the snapshot
   * base record and the head at the base, in one synced batch. Only into a store without a head;
   * the base's state root node must be stored already. Before this batch the store has no head,
   * so nothing a join wrote is ever read as a chain.
   */
  async commitSnapshotBase(batch: SnapshotBaseBatch): Promise<void> {
    this.assertOpen();
    if (this.writeFailure !== undefined) throw this.writeFailure;
    const { genesis, base } = batch;
    const h = base.height;
    // REJECT: a snapshot base goes only into an empty chain, above genesis.
    if (this.currentHead !== null) throw invalidBatch(h, 'a snapshot base goes only into a store without a head');
    if (!isHeight(h) || h < 1) throw invalidBatch(h, 'a snapshot base is at height 1 or above');
    if (!isHash64(genesis.blockHash) || !isHash64(base.blockHash) || !isHash64(base.stateRoot))
      throw invalidBatch(h, 'block hashes and the state root are 64 lowercase hex');
    for (const [what, bytes, max] of [
      ['genesis block', genesis.blockBytes, BLOCK_BYTES_MAX],
      ['genesis commit', genesis.commitBytes, COMMIT_BYTES_MAX],
      ['base block', base.blockBytes, BLOCK_BYTES_MAX],
      ['base commit', base.commitBytes, COMMIT_BYTES_MAX],
    ] as const)
      if (!isBytes(bytes, max)) throw invalidBatch(h, `the ${what} must be 1 to ${max} bytes`);
    if (base.stateRoot !== EMPTY_STATE_ROOT && (await this.getSmtNode(base.stateRoot)) === undefined)
      throw invalidBatch(h, `state root ${base.stateRoot} has no SMT node in the store`);
    const nextHead: StoreHead = Object.freeze({
      height: h,
      blockHash: base.blockHash,
      stateRoot: base.stateRoot,
      blockBytesHash: sha256Hex(base.blockBytes),
    });
    const record: SnapshotBase = { height: h, blockHash: base.blockHash, stateRoot: base.stateRoot };
    const operations: Operation[] = [
      { type: 'put', key: Keys.block(0), value: genesis.blockBytes },
      { type: 'put', key: Keys.commit(0), value: genesis.commitBytes },
      { type: 'put', key: Keys.heightByHash(genesis.blockHash), value: encodeHeight(0) },
      { type: 'put', key: Keys.block(h), value: base.blockBytes },
      { type: 'put', key: Keys.commit(h), value: base.commitBytes },
      { type: 'put', key: Keys.heightByHash(base.blockHash), value: encodeHeight(h) },
      { type: 'put', key: Keys.meta(MetaName.snapshotBase), value: encode(record) },
      { type: 'put', key: Keys.meta(MetaName.head), value: encodeHeadRecord(nextHead) },
    ];
    try {
      await this.db.batch(operations, { sync: this.durable });
    } catch (error) {
      this.writeFailure = fromWriteError(this.dir, h, error);
      throw this.writeFailure;
    }
    await this.verifyHeadWritten(nextHead);
    this.currentHead = nextHead;
    this.base = Object.freeze(record);
    if (this.durable) await this.recordHead(nextHead);
  }

  /**
   * A consistent view of every state row as of now (a LevelDB snapshot), read page by page
   * while later blocks commit: the snapshot maker reads the state of one height with it. The
   * caller must close it.
   */
  stateView(): StateView {
    this.assertOpen();
    const snapshot = this.db.snapshot();
    const head = this.currentHead;
    const db = this.db;
    const dir = this.dir;
    let closed = false;
    return {
      head,
      async *rows(pageRows = 1_000, keyPrefix?: string): AsyncGenerator<Array<[string, Uint8Array]>> {
        const range = keyPrefix === undefined ? Ranges.namespace(Prefix.state) : Ranges.state(keyPrefix);
        const iterator = db.iterator({ ...range, snapshot });
        try {
          for (;;) {
            let page: Array<[Uint8Array, Uint8Array]>;
            try {
              page = await iterator.nextv(pageRows);
            } catch (error) {
              throw fromReadError(dir, 'the state rows of a snapshot', error);
            }
            if (page.length === 0) return;
            yield page.map(([key, value]) => [parseStateKey(plainBytes(key)), plainBytes(value)]);
          }
        } finally {
          await iterator.close();
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        await snapshot.close();
      },
    };
  }

  /** The digest of the genesis this store was created from; undefined for stores made before it was recorded. */
  async getGenesisDigest(): Promise<string | undefined> {
    const bytes = await this.read('the genesis digest record', Keys.meta(MetaName.genesisDigest));
    if (bytes === undefined) return undefined;
    let value: unknown;
    try {
      value = decode(bytes, META_VALUE_BYTES_MAX);
    } catch (error) {
      throw corruptError(
        this.dir,
        `the genesis digest record is not canonical CBOR (${(error as Error).message})`,
        error,
      );
    }
    if (!isHash64(value)) throw corruptError(this.dir, 'the genesis digest record is not 64 lowercase hex');
    return value;
  }

  async getBlockBytes(height: number): Promise<Uint8Array | undefined> {
    assertArgument(isHeight(height), `height ${height} is not a non-negative safe integer`);
    return this.read(`the block at height ${height}`, Keys.block(height));
  }

  async getCommitBytes(height: number): Promise<Uint8Array | undefined> {
    assertArgument(isHeight(height), `height ${height} is not a non-negative safe integer`);
    return this.read(`the commit at height ${height}`, Keys.commit(height));
  }

  async getHeightByHash(blockHash: string): Promise<number | undefined> {
    assertArgument(isHash64(blockHash), 'a block hash is 64 lowercase hex characters');
    const bytes = await this.read(`the height of block ${blockHash}`, Keys.heightByHash(blockHash));
    if (bytes === undefined) return undefined;
    const height = decodeHeight(bytes);
    if (height === undefined)
      throw corruptError(
        this.dir,
        'the height row of this block hash is not an 8-byte height',
        undefined,
        rowOf(Keys.heightByHash(blockHash)),
      );
    return height;
  }

  async getState(key: string): Promise<Uint8Array | undefined> {
    assertArgument(isStoreName(key, true), 'a state key is a non-empty UTF-8 string of at most 512 bytes');
    return this.read(`state key ${key}`, Keys.state(key));
  }

  /** Values of the keys that exist; absent keys are absent from the map. */
  async getStateMany(keys: string[]): Promise<Map<string, Uint8Array>> {
    assertArgument(
      Array.isArray(keys) && keys.length <= GET_MANY_KEYS_MAX,
      `at most ${GET_MANY_KEYS_MAX} keys per call`,
    );
    for (const key of keys)
      assertArgument(isStoreName(key, true), 'a state key is a non-empty UTF-8 string of at most 512 bytes');
    const values = await this.readMany(
      'state values',
      keys.map((key) => Keys.state(key)),
    );
    const found = new Map<string, Uint8Array>();
    keys.forEach((key, i) => {
      const value = values[i];
      if (value !== undefined) found.set(key, value);
    });
    return found;
  }

  /** State entries whose key starts with `prefix`, in key byte order, at most `limit` of them. */
  async *iterateState(prefix: string, options: { limit?: number } = {}): AsyncIterable<[string, Uint8Array]> {
    assertArgument(prefix === '' || isStoreName(prefix, true), 'a state prefix is a UTF-8 string of at most 512 bytes');
    const limit = boundedLimit(options.limit);
    for (const [key, value] of await this.readRange(`state under "${prefix}"`, Ranges.state(prefix), limit)) {
      yield [this.decodeKeyPart(() => parseStateKey(key), 'a state key'), value];
    }
  }

  /**
   * State entries in key byte order after `after` (from the first when undefined), at most
   * `limit`: pages through the whole state (the auditor compares two stores this way).
   */
  async scanState(after: string | undefined, options: { limit?: number } = {}): Promise<Array<[string, Uint8Array]>> {
    assertArgument(
      after === undefined || isStoreName(after, true),
      'a state key is a non-empty UTF-8 string of at most 512 bytes',
    );
    const limit = boundedLimit(options.limit);
    const all = Ranges.namespace(Prefix.state);
    const range = after === undefined ? all : { gt: Keys.state(after), lt: all.lt };
    return (await this.readRange('the state', range, limit)).map(([key, value]) => [
      this.decodeKeyPart(() => parseStateKey(key), 'a state key'),
      value,
    ]);
  }

  async getSmtNode(hashHex: string): Promise<Uint8Array | undefined> {
    assertArgument(isHash64(hashHex), 'an SMT node hash is 64 lowercase hex characters');
    return this.read(`SMT node ${hashHex}`, Keys.smtNode(hashHex));
  }

  /** Nodes by their 32 raw hash bytes (the auditor's tree walk), at most GET_MANY_KEYS_MAX per call. */
  async getSmtNodesRaw(hashes: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    assertArgument(
      Array.isArray(hashes) && hashes.length <= GET_MANY_KEYS_MAX,
      `at most ${GET_MANY_KEYS_MAX} nodes per call`,
    );
    return this.readMany(
      'state-tree nodes',
      hashes.map((hash) => Keys.smtNodeRaw(hash)),
    );
  }

  /**
   * Raw rows of one audited namespace ('s', 'n', 'h', 't', 'o', 'p': small values) in key
   * order after the full key `after` (from the first when undefined), at most `limit`: the
   * auditor compares a store with its replay this way, page by page.
   */
  async scanRows(
    prefix: number,
    after: Uint8Array | undefined,
    options: { limit?: number } = {},
  ): Promise<Array<[Uint8Array, Uint8Array]>> {
    assertArgument(SCANNABLE_PREFIXES.includes(prefix), `namespace ${String(prefix)} is not scanned row by row`);
    assertArgument(
      after === undefined || (after instanceof Uint8Array && after[0] === prefix),
      'after is a key of the same namespace',
    );
    const all = Ranges.namespace(prefix);
    return this.readRange(
      `the ${String.fromCharCode(prefix)} rows`,
      after === undefined ? all : { gt: after, lt: all.lt },
      boundedLimit(options.limit),
    );
  }

  async getTxLocation(txHash: string): Promise<{ height: number; index: number } | undefined> {
    assertArgument(isHash64(txHash), 'a tx hash is 64 lowercase hex characters');
    const bytes = await this.readConfirmingMiss(`the location of tx ${txHash}`, Keys.txLocation(txHash));
    if (bytes === undefined) return undefined;
    const height = bytes.length === 12 ? decodeHeight(bytes.subarray(0, 8)) : undefined;
    if (height === undefined)
      throw corruptError(
        this.dir,
        'the location row of tx is not 8-byte height + 4-byte index',
        undefined,
        rowOf(Keys.txLocation(txHash)),
      );
    return { height, index: decodeTxIndex(bytes.subarray(8)) };
  }

  /** The object's txs ordered by (height, index), oldest first, at most `limit`. */
  async getObjectHistory(
    objectId: string,
    options: { limit?: number } = {},
  ): Promise<Array<{ height: number; index: number; txHash: string }>> {
    assertArgument(
      isStoreName(objectId, false),
      'an object id is a non-empty UTF-8 string without NUL, at most 512 bytes',
    );
    const rows = await this.readRange(
      `the history of ${objectId}`,
      Ranges.objectHistory(objectId),
      boundedLimit(options.limit),
    );
    return rows.map(([key, value]) => {
      const place = parseObjectHistoryTail(key, objectId);
      const txHash = hashHexOf(value);
      if (place === undefined || txHash === undefined)
        throw corruptError(this.dir, 'the row is malformed', undefined, rowOf(key));
      return { ...place, txHash };
    });
  }

  /**
   * Compacts the whole store (LevelDB rewrites it into sorted, non-overlapping tables). The
   * genesis import ends with it, so that a freshly imported registry of millions of objects
   * answers lookups from a settled store instead of one still compacting for minutes.
   */
  async compact(): Promise<void> {
    try {
      await this.db.compactRange(Uint8Array.of(0x00), Uint8Array.of(0xff));
    } catch (error) {
      throw new StoreError(
        'STORE_IO',
        `Compacting the store at ${this.dir} failed ("${(error as Error).message}"); nothing was lost. Fix the disk and restart the node.`,
        { cause: error },
      );
    }
  }

  /** Object ids the party holds, in id byte order, at most `limit`. */
  async getPartyObjects(party: string, options: { limit?: number } = {}): Promise<string[]> {
    assertArgument(isStoreName(party, false), 'a party is a non-empty UTF-8 string without NUL, at most 512 bytes');
    const rows = await this.readRange(
      `the objects of ${party}`,
      Ranges.partyObjects(party),
      boundedLimit(options.limit),
    );
    return rows.map(([key, value]) => {
      if (!bytesEqual(value, PRESENT_MARKER))
        throw corruptError(this.dir, `it holds ${bytesToHex(value)} instead of the marker 01`, undefined, rowOf(key));
      return this.decodeKeyPart(() => parsePartyObjectTail(key, party), `an object id of party ${party}`);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the store at ${this.dir} is closed`);
  }

  private async read(what: string, key: Uint8Array): Promise<Uint8Array | undefined> {
    this.assertOpen();
    try {
      const value = await this.db.get(key);
      return value === undefined ? undefined : plainBytes(value);
    } catch (error) {
      throw fromReadError(this.dir, what, error, rowOf(key));
    }
  }

  private async readMany(what: string, keys: Uint8Array[]): Promise<Array<Uint8Array | undefined>> {
    this.assertOpen();
    try {
      const values = await this.db.getMany(keys);
      return values.map((value) => (value === undefined ? undefined : plainBytes(value)));
    } catch (error) {
      // Name the row: read them one by one (only after a failure) until one fails.
      for (const key of keys) await this.read(what, key);
      throw fromReadError(this.dir, what, error, keys.length === 1 ? rowOf(keys[0]!) : undefined);
    }
  }

  /**
   * A read whose miss is an answer to a client ("not committed"): LevelDB's get consults the
   * table's bloom filter, which it does not checksum on reads, so a damaged filter block makes
   * a stored row look absent. A miss is confirmed by a scan (which does not use the filter);
   * a row the scan finds is damage.
   */
  private async readConfirmingMiss(what: string, key: Uint8Array): Promise<Uint8Array | undefined> {
    this.assertOpen();
    // Both reads see one snapshot: a row committed between the lookup and the scan (a block
    // written by sync or the committer meanwhile) is otherwise a miss that the scan "finds",
    // and a healthy node would call itself damaged.
    const snapshot = this.db.snapshot();
    try {
      let value: Uint8Array | undefined;
      try {
        const got = await this.db.get(key, { snapshot });
        value = got === undefined ? undefined : plainBytes(got);
      } catch (error) {
        throw fromReadError(this.dir, what, error, rowOf(key));
      }
      if (value !== undefined) return value;
      const [found] = await this.readRange(what, { gte: key, lt: concatBytes(key, Uint8Array.of(0)) }, 1, snapshot);
      if (found !== undefined)
        throw corruptError(
          this.dir,
          "a lookup misses the row that a scan finds (a table file's filter block is damaged)",
          undefined,
          rowOf(key),
        );
      return undefined;
    } finally {
      await snapshot.close();
    }
  }

  /** Bounded range read: `limit` is at most LIMIT_MAX, so the result fits in memory. */
  private async readRange(
    what: string,
    range: KeyRange | { gt: Uint8Array; lt: Uint8Array },
    limit: number,
    snapshot?: ReturnType<Database['snapshot']>,
  ): Promise<Array<[Uint8Array, Uint8Array]>> {
    this.assertOpen();
    try {
      const entries = await this.db.iterator({ ...range, limit, ...(snapshot ? { snapshot } : {}) }).all();
      return entries.map(([key, value]) => [plainBytes(key), plainBytes(value)]);
    } catch (error) {
      throw fromReadError(this.dir, what, error, rangeRow(range));
    }
  }

  private decodeKeyPart(parse: () => string, what: string): string {
    try {
      return parse();
    } catch (error) {
      throw corruptError(this.dir, `${what} in the store is not UTF-8`, error);
    }
  }
}
