// Genesis import at national scale (7.4 million objects): the state records, party rows and
// state-tree nodes go to LevelDB in bounded, unsynced batches as they are made, the tree is
// built bottom-up from the sorted leaves (shared/smt/bulk.ts) instead of inserted, and the
// genesis block then commits in the one synced batch as before. Memory stays ~64 bytes per
// object (its key and value hashes) plus one batch. The block, state and nodes are exactly
// those of genesisExecution (test/integration/chain.test.ts compares them).
//
// The digest of the genesis document is stored with the genesis block, so later opens
// compare digests instead of rebuilding the genesis state (decision #14).
import { createHash } from 'node:crypto';
import { encode, utf8 } from '../../../shared/codec/index.js';
import {
  blockHash,
  encodeStateValue,
  genesisState,
  LedgerError,
  RejectCode,
  StateKey,
  type Block,
  type Genesis,
} from '../../../shared/ledger/index.js';
import { genesisObjectRecord } from '../../../shared/modules/property/keeper.js';
import { genesisHeader } from '../../../shared/chain/genesis.js';
import { SmtLeafTable, buildSmtBulk, type SmtBulkSink } from '../../../shared/smt/index.js';
import { bytesToHex } from '../../../shared/codec/index.js';
import type { ChainStore, GenesisRows } from '../store/index.js';

export type GenesisProperty = NonNullable<Genesis['properties']>[number];

/** Genesis documents from this many objects are compacted after import. */
export const COMPACT_FROM_OBJECTS = 50_000;

export interface GenesisImportOptions {
  /** Rows per unsynced LevelDB batch. Default 20,000. */
  rowsPerBatch?: number;
  onProgress?: (phase: 'records' | 'sort' | 'tree' | 'commit' | 'compact', done: number) => void;
  /** Objects from which the import ends by compacting the store (default 50,000; 0 always). */
  compactFrom?: number;
}

export interface GenesisImportResult {
  block: Block;
  stateRoot: string;
  genesisDigest: string;
  objects: number;
  smtNodes: number;
  phasesMs: { records: number; sort: number; tree: number; commit: number; compact: number };
}

function sha256(bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest();
}

/** Digest of a genesis document: sha256 of CBOR(genesis without properties), then CBOR of each property in order. */
export class GenesisDigest {
  /** Properties encoded by every digest in this process (tests check that a reopen encodes none). */
  static propertiesEncoded = 0;
  readonly #hash = createHash('sha256');
  constructor(genesis: Genesis) {
    this.#hash.update(encode({ ...genesis, properties: [] }));
  }
  add(property: GenesisProperty): void {
    GenesisDigest.propertiesEncoded++;
    this.#hash.update(encode(property));
  }
  hex(): string {
    return this.#hash.digest('hex');
  }
}

/** Encodes every property: for a document read from a file, genesisFileDigest (genesis-file.ts) keeps it. */
export function genesisDigest(genesis: Genesis): string {
  const digest = new GenesisDigest(genesis);
  for (const property of genesis.properties ?? []) digest.add(property);
  return digest.hex();
}

/**
 * Imports `genesis` (with `properties`, or the objects streamed from `properties` when the
 * document is too large to hold) into an empty store and commits the genesis block.
 */
export async function importGenesis(
  store: ChainStore,
  genesis: Genesis,
  properties: Iterable<GenesisProperty> | AsyncIterable<GenesisProperty> = genesis.properties ?? [],
  options: GenesisImportOptions = {},
): Promise<GenesisImportResult> {
  const rowsPerBatch = options.rowsPerBatch ?? 20_000;
  const started = performance.now();
  // A document held in memory is checked for repeated ids before anything is written.
  if (Array.isArray(properties)) {
    const seen = new Set<string>();
    for (const object of properties as GenesisProperty[]) {
      if (seen.has(object.id))
        throw new LedgerError(RejectCode.objectExists, `genesis lists object ${object.id} twice`);
      seen.add(object.id);
    }
  }
  const base = genesisState({ ...genesis, properties: [] });
  const baseWrites = base.map(([key, record]) => ({ key, record, value: encodeStateValue(record) }));
  const table = new SmtLeafTable();
  for (const write of baseWrites) table.add(sha256(utf8(write.key)), sha256(write.value));

  const digest = new GenesisDigest(genesis);
  let rows: GenesisRows = { stateWrites: [], smtNodes: [], partyObjects: [] };
  let pending = 0;
  const flushRows = async (force: boolean) => {
    if (pending === 0 || (!force && pending < rowsPerBatch)) return;
    const batch = rows;
    rows = { stateWrites: [], smtNodes: [], partyObjects: [] };
    pending = 0;
    await store.writeGenesisRows(batch);
  };
  let objects = 0;
  for await (const object of properties) {
    digest.add(object);
    const record = genesisObjectRecord(object); // as genesisState makes it
    const key = StateKey.object(object.id);
    const value = encodeStateValue(record);
    table.add(sha256(utf8(key)), sha256(value));
    rows.stateWrites.push({ key, value });
    for (const owner of record.owners) rows.partyObjects.push({ party: owner.key, objectId: object.id });
    pending += 1 + record.owners.length;
    objects++;
    if (pending >= rowsPerBatch) {
      await flushRows(false);
      options.onProgress?.('records', objects);
    }
  }
  await flushRows(true);
  const recordsDone = performance.now();

  const order = table.sortedOrder();
  for (let i = 1; i < order.length; i++) {
    if (table.compareKeys(order[i - 1]!, order[i]!) === 0) {
      throw new LedgerError(
        RejectCode.objectExists,
        `genesis lists an object twice (state key hash ${bytesToHex(table.keyHash(order[i]!))})`,
      );
    }
  }
  options.onProgress?.('sort', order.length);
  const sortDone = performance.now();

  let smtNodes = 0;
  const sink: SmtBulkSink = {
    node(hash, bytes) {
      rows.smtNodes.push({ hash, bytes });
      pending++;
      smtNodes++;
    },
    async flush() {
      if (pending >= rowsPerBatch) {
        await flushRows(false);
        options.onProgress?.('tree', smtNodes);
      }
    },
  };
  const root = await buildSmtBulk(table, order, sink);
  await flushRows(true);
  const treeDone = performance.now();

  const stateRoot = bytesToHex(root);
  const header = genesisHeader(genesis, stateRoot, base);
  const hash = blockHash(header);
  const block: Block = { header, txs: [] };
  const genesisDigestHex = digest.hex();
  await store.commitBlock({
    height: 0,
    blockHash: hash,
    blockBytes: encode(block),
    commitBytes: encode({ height: 0, round: 0, blockHash: hash, signatures: [] }),
    stateRoot,
    stateWrites: baseWrites.map(({ key, value }) => ({ key, value })),
    smtNodes: [],
    txs: [],
    objectHistory: [],
    partyObjects: [],
    genesisDigest: genesisDigestHex,
  });
  options.onProgress?.('commit', objects);
  const committed = performance.now();
  // A bulk import leaves LevelDB minutes of compaction debt, during which random reads are
  // slow (lookup p99 24 ms at 7.4M objects straight after import): settle it now, once.
  if (objects >= (options.compactFrom ?? COMPACT_FROM_OBJECTS)) {
    options.onProgress?.('compact', objects);
    await store.compact();
  }
  const done = performance.now();
  return {
    block,
    stateRoot,
    genesisDigest: genesisDigestHex,
    objects,
    smtNodes,
    phasesMs: {
      records: recordsDone - started,
      sort: sortDone - recordsDone,
      tree: treeDone - sortDone,
      commit: committed - treeDone,
      compact: done - committed,
    },
  };
}
