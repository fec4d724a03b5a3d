import { cp, mkdtemp, readFile, readdir, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { encode, hexToBytes, utf8 } from '../../shared/codec/index.js';
import { sha256Hex } from '../../shared/crypto/index.js';
import {
  ChainStore,
  EMPTY_STATE_ROOT,
  Keys,
  LIMIT_MAX,
  StoreError,
  type BlockCommitBatch,
  type StoreErrorCode,
} from '../../electron/node/store/index.js';
import { HEAD_FILE_NAME } from '../../electron/node/store/head-file.js';

const CHAIN_ID = 'notary-test';
let dir: string;
const opened: ChainStore[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'notary-store-'));
});

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  await rm(dir, { recursive: true, force: true });
});

async function openStore(
  options: { createIfMissing?: boolean; chainId?: string } = { chainId: CHAIN_ID },
): Promise<ChainStore> {
  const store = await ChainStore.open(dir, options);
  opened.push(store);
  return store;
}

async function closeStore(store: ChainStore): Promise<void> {
  opened.splice(opened.indexOf(store), 1);
  await store.close();
}

function hashOf(label: string): string {
  return sha256Hex(utf8(label));
}

/** A block as the chain layer would hand it over: bytes are opaque to the store. */
function makeBatch(height: number, extra: Partial<BlockCommitBatch> = {}): BlockCommitBatch {
  const blockBytes = encode({ height, note: `block ${height}` });
  const rootBytes = encode({ root: height });
  return {
    height,
    blockHash: sha256Hex(blockBytes),
    blockBytes,
    commitBytes: encode({ commit: height }),
    stateRoot: sha256Hex(rootBytes),
    stateWrites: [{ key: `obj/BY-7-${height}`, value: encode({ version: height }) }],
    smtNodes: [{ hash: hexToBytes(sha256Hex(rootBytes)), bytes: rootBytes }],
    txs: [{ txHash: hashOf(`tx ${height}`), index: 0 }],
    objectHistory: [{ objectId: `BY-7-${height}`, txHash: hashOf(`tx ${height}`), index: 0 }],
    partyObjects: [{ party: 'alice', objectId: `BY-7-${height}`, owns: true }],
    ...extra,
  };
}

async function commitChain(store: ChainStore, lastHeight: number): Promise<void> {
  for (let height = 0; height <= lastHeight; height++) await store.commitBlock(makeBatch(height));
}

async function expectStoreError(
  promise: Promise<unknown>,
  code: StoreErrorCode,
  messagePart?: RegExp,
): Promise<StoreError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(StoreError);
  const storeError = error as StoreError;
  expect(storeError.code).toBe(code);
  if (messagePart !== undefined) expect(storeError.message).toMatch(messagePart);
  return storeError;
}

/** Edits rows behind the store's back, as a damaged disk or a buggy tool would. */
async function withRawDatabase(edit: (db: ClassicLevel<Uint8Array, Uint8Array>) => Promise<void>): Promise<void> {
  const db = new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
  await db.open();
  try {
    await edit(db);
  } finally {
    await db.close();
  }
}

async function levelFiles(suffix: string): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith(suffix)).sort();
}

describe('ChainStore: committing and reading blocks', () => {
  it('commits genesis and later blocks and reads every row back', async () => {
    const store = await openStore();
    expect(store.head).toBeNull();
    await commitChain(store, 3);
    const batch = makeBatch(3);
    expect(store.head).toEqual({
      height: 3,
      blockHash: batch.blockHash,
      stateRoot: batch.stateRoot,
      blockBytesHash: sha256Hex(batch.blockBytes),
    });
    expect(await store.getBlockBytes(3)).toEqual(batch.blockBytes);
    expect(await store.getCommitBytes(3)).toEqual(batch.commitBytes);
    expect(await store.getBlockBytes(4)).toBeUndefined();
    expect(await store.getHeightByHash(batch.blockHash)).toBe(3);
    expect(await store.getState('obj/BY-7-2')).toEqual(encode({ version: 2 }));
    expect(await store.getSmtNode(batch.stateRoot)).toEqual(batch.smtNodes[0]?.bytes);
    expect(await store.getTxLocation(hashOf('tx 2'))).toEqual({ height: 2, index: 0 });
    expect(await store.getTxLocation(hashOf('unknown'))).toBeUndefined();
    const many = await store.getStateMany(['obj/BY-7-0', 'obj/BY-7-1', 'obj/missing']);
    expect([...many.keys()]).toEqual(['obj/BY-7-0', 'obj/BY-7-1']);
  });

  it('answers "not committed" for a transaction whose block is written between the lookup and the confirming scan, not "damaged"', async () => {
    // Seen in CI: a restarted validator syncing blocks called itself damaged (NODE_DAMAGED) when
    // a client asked for a transaction whose block landed between the two reads.
    const store = await openStore();
    await commitChain(store, 1);
    const db = (store as unknown as { db: ClassicLevel<Uint8Array, Uint8Array> }).db;
    const get = db.get.bind(db);
    let raced = false;
    (db as unknown as { get: typeof get }).get = async (key: Uint8Array, options?: object) => {
      const value = await get(key, options as never);
      if (value === undefined && !raced) {
        raced = true;
        await store.commitBlock(makeBatch(2));
      }
      return value;
    };
    expect(await store.getTxLocation(hashOf('tx 2'))).toBeUndefined();
    expect(raced).toBe(true);
    expect(await store.getTxLocation(hashOf('tx 2'))).toEqual({ height: 2, index: 0 });
  });

  it('deletes a state key written as null', async () => {
    const store = await openStore();
    await commitChain(store, 1);
    await store.commitBlock(makeBatch(2, { stateWrites: [{ key: 'obj/BY-7-1', value: null }] }));
    expect(await store.getState('obj/BY-7-1')).toBeUndefined();
    expect(await store.getState('obj/BY-7-0')).toBeDefined();
  });

  it('accepts the empty state root without a node', async () => {
    const store = await openStore();
    await store.commitBlock(makeBatch(0, { stateRoot: EMPTY_STATE_ROOT, smtNodes: [], stateWrites: [] }));
    await closeStore(store);
    expect((await openStore()).head?.stateRoot).toBe(EMPTY_STATE_ROOT);
  });

  it('reopens at the same head', async () => {
    const store = await openStore();
    await commitChain(store, 4);
    const head = store.head;
    await closeStore(store);
    const again = await openStore();
    expect(again.head).toEqual(head);
    await again.commitBlock(makeBatch(5));
    expect(again.head?.height).toBe(5);
  });
});

describe('ChainStore: refusing invalid batches', () => {
  it('refuses a non-sequential height and changes nothing', async () => {
    const store = await openStore();
    await commitChain(store, 2);
    const head = store.head;
    await expectStoreError(store.commitBlock(makeBatch(5)), 'STORE_INVALID_BATCH', /next height is 3/);
    await expectStoreError(store.commitBlock(makeBatch(2)), 'STORE_INVALID_BATCH');
    expect(store.head).toEqual(head);
    expect(await store.getBlockBytes(5)).toBeUndefined();
    expect(await store.getState('obj/BY-7-5')).toBeUndefined();
    await closeStore(store);
    expect((await openStore()).head).toEqual(head);
  });

  it('refuses a genesis that is not at height 0', async () => {
    const store = await openStore();
    await expectStoreError(store.commitBlock(makeBatch(1)), 'STORE_INVALID_BATCH', /next height is 0/);
    expect(store.head).toBeNull();
  });

  it('refuses malformed batches and writes none of their rows', async () => {
    const store = await openStore();
    await commitChain(store, 0);
    const bad: Array<[Partial<BlockCommitBatch>, RegExp]> = [
      [{ blockHash: 'ABC' }, /blockHash is not 64 lowercase hex/],
      [{ stateRoot: 'f'.repeat(63) }, /stateRoot is not 64 lowercase hex/],
      [{ commitBytes: new Uint8Array(0) }, /commitBytes must be/],
      [
        {
          stateWrites: [
            { key: 'obj/x', value: Uint8Array.of(1) },
            { key: 'obj/x', value: null },
          ],
        },
        /obj\/x is written twice/,
      ],
      [{ txs: [{ txHash: hashOf('tx 0'), index: 0 }], objectHistory: [] }, /already stored in an earlier block/],
      [{ objectHistory: [{ objectId: 'BY-7-1', txHash: hashOf('not in block'), index: 0 }] }, /not in this block/],
      [{ partyObjects: [{ party: 'bo\u0000b', objectId: 'BY-7-1', owns: true }] }, /contains NUL/],
      [{ smtNodes: [] }, /has no SMT node in the batch or the store/],
      ...[hashOf('n'), new Uint8Array(31), new Uint8Array(33), Array.from(new Uint8Array(32)), 7, undefined].map(
        (hash): [Partial<BlockCommitBatch>, RegExp] => [
          { smtNodes: [{ hash: hash as Uint8Array, bytes: Uint8Array.of(1) }] },
          /an SMT node hash is not 32 bytes/,
        ],
      ),
      [{ smtNodes: [{ hash: hexToBytes(hashOf('n')), bytes: new Uint8Array(0) }] }, /SMT node \w+ must be 1 to/],
      ...[Uint8Array.of(2), undefined].map((second): [Partial<BlockCommitBatch>, RegExp] => [
        {
          smtNodes: [
            { hash: hexToBytes(hashOf('n')), bytes: Uint8Array.of(1) },
            { hash: hexToBytes(hashOf('n')), bytes: second as Uint8Array },
          ],
        },
        /is given with two contents/,
      ]),
      [{ blockHash: makeBatch(0).blockHash }, /already stored at height 0/],
      [
        { stateWrites: Array.from({ length: 100_001 }, (_, i) => ({ key: `k${i}`, value: null })) },
        /exceed the limit of 100000/,
      ],
    ];
    for (const [extra, reason] of bad) {
      const batch = makeBatch(1, { stateWrites: [{ key: 'obj/written', value: Uint8Array.of(1) }], ...extra });
      const error = await expectStoreError(store.commitBlock(batch), 'STORE_INVALID_BATCH', /nothing was written/);
      expect(error.message).toMatch(reason);
    }
    expect(store.head?.height).toBe(0);
    expect(await store.getState('obj/written')).toBeUndefined();
    expect(await store.getState('obj/x')).toBeUndefined();
    expect(await store.getBlockBytes(1)).toBeUndefined();
  });

  it('refuses a second commit while one is being written', async () => {
    const store = await openStore();
    const first = store.commitBlock(makeBatch(0));
    await expectStoreError(store.commitBlock(makeBatch(1)), 'STORE_INVALID_BATCH', /still being written/);
    await first;
    expect(store.head?.height).toBe(0);
  });
});

describe('ChainStore: indexes and bounds', () => {
  it('lists an object history ordered by height and index, within the limit', async () => {
    const store = await openStore();
    for (let height = 0; height < 4; height++) {
      const txs = [2, 0, 1].map((index) => ({ txHash: hashOf(`h${height} i${index}`), index }));
      const objectHistory = txs.map((tx) => ({ objectId: 'BY-7-0001', ...tx }));
      // A neighbour whose id extends this one must not leak into its history.
      objectHistory.push({ objectId: 'BY-7-00010', ...txs[0]! });
      await store.commitBlock(makeBatch(height, { txs, objectHistory }));
    }
    const history = await store.getObjectHistory('BY-7-0001');
    expect(history.map((row) => [row.height, row.index])).toEqual(
      [0, 1, 2, 3].flatMap((height) => [
        [height, 0],
        [height, 1],
        [height, 2],
      ]),
    );
    expect(history[4]?.txHash).toBe(hashOf('h1 i1'));
    expect(await store.getObjectHistory('BY-7-0001', { limit: 2 })).toHaveLength(2);
    expect(await store.getObjectHistory('BY-7-00010')).toHaveLength(4);
    expect(await store.getObjectHistory('BY-7-9999')).toEqual([]);
  });

  it('lists the objects of a party and removes one when owns is false', async () => {
    const store = await openStore();
    await commitChain(store, 3);
    expect(await store.getPartyObjects('alice')).toEqual(['BY-7-0', 'BY-7-1', 'BY-7-2', 'BY-7-3']);
    await store.commitBlock(
      makeBatch(4, {
        partyObjects: [
          { party: 'alice', objectId: 'BY-7-1', owns: false },
          { party: 'bob', objectId: 'BY-7-1', owns: true },
        ],
      }),
    );
    expect(await store.getPartyObjects('alice')).toEqual(['BY-7-0', 'BY-7-2', 'BY-7-3']);
    expect(await store.getPartyObjects('bob')).toEqual(['BY-7-1']);
    expect(await store.getPartyObjects('alice', { limit: 1 })).toEqual(['BY-7-0']);
    expect(await store.getPartyObjects('ali')).toEqual([]);
  });

  it('iterates state under a prefix within the limit', async () => {
    const store = await openStore();
    const stateWrites = ['obj/a', 'obj/b', 'obj/c', 'objx', 'party/a'].map((key) => ({ key, value: utf8(key) }));
    await store.commitBlock(makeBatch(0, { stateWrites }));
    const all: string[] = [];
    for await (const [key, value] of store.iterateState('obj/')) {
      expect(value).toEqual(utf8(key));
      all.push(key);
    }
    expect(all).toEqual(['obj/a', 'obj/b', 'obj/c']);
    const limited: string[] = [];
    for await (const [key] of store.iterateState('obj/', { limit: 2 })) limited.push(key);
    expect(limited).toEqual(['obj/a', 'obj/b']);
  });

  it('rejects limits outside 1..LIMIT_MAX', async () => {
    const store = await openStore();
    await expect(store.getPartyObjects('alice', { limit: LIMIT_MAX + 1 })).rejects.toThrow(RangeError);
    await expect(store.getObjectHistory('BY-7-0001', { limit: 0 })).rejects.toThrow(RangeError);
  });
});

describe('ChainStore: opening', () => {
  it('refuses a store another node holds open with STORE_LOCKED', async () => {
    await openStore();
    await expectStoreError(ChainStore.open(dir), 'STORE_LOCKED', /another notary node is using/i);
  });

  it('refuses a missing store when createIfMissing is false', async () => {
    await expectStoreError(ChainStore.open(join(dir, 'absent'), { createIfMissing: false }), 'STORE_MISSING');
    await expectStoreError(ChainStore.open(dir, { createIfMissing: false }), 'STORE_MISSING');
  });

  it('refuses a store of another chain with STORE_CHAIN_MISMATCH', async () => {
    await closeStore(await openStore());
    await expectStoreError(ChainStore.open(dir, { chainId: 'other-chain' }), 'STORE_CHAIN_MISMATCH', /notary-test/);
  });

  it('refuses a store of another schema version with STORE_VERSION', async () => {
    await closeStore(await openStore());
    await withRawDatabase((db) => db.put(Keys.meta('schemaVersion'), encode(2)));
    await expectStoreError(ChainStore.open(dir), 'STORE_VERSION', /schema version 2/);
  });
});

describe('ChainStore: detecting a damaged store at open', () => {
  async function committedStore(lastHeight: number): Promise<void> {
    const store = await openStore();
    await commitChain(store, lastHeight);
    await closeStore(store);
  }

  it('refuses a head block whose bytes were altered', async () => {
    await committedStore(3);
    await withRawDatabase(async (db) => {
      const bytes = Uint8Array.from((await db.get(Keys.block(3)))!);
      bytes[bytes.length - 1] = (bytes.at(-1) ?? 0) ^ 0xff;
      await db.put(Keys.block(3), bytes);
    });
    await expectStoreError(openStore(), 'STORE_CORRUPT', /head block at height 3 does not match.*notary audit/);
  });

  it('refuses a store whose head commit row was deleted', async () => {
    await committedStore(3);
    await withRawDatabase((db) => db.del(Keys.commit(3)));
    await expectStoreError(openStore(), 'STORE_CORRUPT', /commit certificate of the head block at height 3 is missing/);
  });

  it('refuses a head record that fails its checksum', async () => {
    await committedStore(2);
    await withRawDatabase(async (db) => {
      const record = {
        head: { height: 2, blockHash: hashOf('x'), stateRoot: EMPTY_STATE_ROOT, blockBytesHash: hashOf('y') },
        checksum: hashOf('z'),
      };
      await db.put(Keys.meta('head'), encode(record));
    });
    await expectStoreError(openStore(), 'STORE_CORRUPT', /fails its checksum/);
  });

  it('refuses a store whose block below the head was lost', async () => {
    await committedStore(5);
    await withRawDatabase((db) => db.del(Keys.block(3)));
    await expectStoreError(openStore(), 'STORE_CORRUPT', /block at height 3 below the head at height 5 is missing/);
  });

  it('reports a malformed index row read later as STORE_CORRUPT, not a crash', async () => {
    await committedStore(3);
    await withRawDatabase(async (db) => {
      await db.put(Keys.heightByHash(makeBatch(1).blockHash), Uint8Array.of(1, 2, 3));
      await db.put(Keys.txLocation(hashOf('tx 1')), Uint8Array.of(9));
    });
    const store = await openStore();
    await expectStoreError(store.getHeightByHash(makeBatch(1).blockHash), 'STORE_CORRUPT', /not an 8-byte height/);
    await expectStoreError(store.getTxLocation(hashOf('tx 1')), 'STORE_CORRUPT', /location row of tx/);
  });

  it('refuses a garbled CURRENT file', async () => {
    await committedStore(2);
    await writeFile(join(dir, 'CURRENT'), 'garbage');
    await expectStoreError(openStore(), 'STORE_CORRUPT', /CURRENT file does not end with newline.*notary audit/);
  });

  it('refuses a store whose MANIFEST was deleted', async () => {
    await committedStore(2);
    for (const name of await readdir(dir)) if (name.startsWith('MANIFEST-')) await rm(join(dir, name));
    await expectStoreError(openStore(), 'STORE_CORRUPT', /MANIFEST-\d+: No such file/);
  });

  it('refuses a store whose CURRENT was deleted instead of starting an empty one', async () => {
    await committedStore(2);
    await rm(join(dir, 'CURRENT'));
    await expectStoreError(openStore(), 'STORE_CORRUPT', /CURRENT file is missing/);
  });

  it('refuses a store whose table file was truncated', async () => {
    await committedStore(3);
    // Reopening makes LevelDB move the log into a table file, so the rows live in an .ldb.
    await closeStore(await openStore());
    const tables = await levelFiles('.ldb');
    expect(tables.length).toBeGreaterThan(0);
    const newest = join(dir, tables.at(-1)!);
    await truncate(newest, Math.floor((await stat(newest)).size / 2));
    await expectStoreError(openStore(), 'STORE_CORRUPT', /\.ldb/);
  });

  it('refuses a store whose write-ahead log was emptied', async () => {
    await committedStore(2);
    const logs = await levelFiles('.log');
    await truncate(join(dir, logs.at(-1)!), 0);
    await expectStoreError(openStore(), 'STORE_CORRUPT', /schema version record is missing/);
  });

  it('restarts at the previous block, nothing half-applied, when the last batch was torn', async () => {
    const store = await openStore();
    await commitChain(store, 2);
    const headBefore = store.head;
    const headFileAt2 = await readFile(join(dir, HEAD_FILE_NAME));
    await store.commitBlock(makeBatch(3));
    await closeStore(store);
    // A crash mid-write leaves a torn last record in the log (cut its final bytes) and the
    // committed-head file still at block 2: the crash came before the batch returned.
    await writeFile(join(dir, HEAD_FILE_NAME), headFileAt2);
    const log = join(dir, (await levelFiles('.log')).at(-1)!);
    await truncate(log, (await stat(log)).size - 10);
    const reopened = await openStore();
    expect(reopened.head).toEqual(headBefore);
    expect(await reopened.getBlockBytes(3)).toBeUndefined();
    expect(await reopened.getState('obj/BY-7-3')).toBeUndefined();
    expect(await reopened.getTxLocation(hashOf('tx 3'))).toBeUndefined();
    expect(await reopened.getPartyObjects('alice')).toEqual(['BY-7-0', 'BY-7-1', 'BY-7-2']);
    await reopened.commitBlock(makeBatch(3));
    expect(reopened.head?.height).toBe(3);
  });
});

describe('ChainStore: the committed head recorded outside LevelDB', () => {
  const headFile = () => join(dir, HEAD_FILE_NAME);
  /** Cuts the newest `bytes` of the write-ahead log, as a damaged disk or a copy cut short would. */
  async function cutLogTail(bytes: number): Promise<void> {
    const log = join(dir, (await levelFiles('.log')).at(-1)!);
    await truncate(log, (await stat(log)).size - bytes);
  }

  it('records the height and hash of every committed block of a durable store', async () => {
    const store = await openStore();
    await commitChain(store, 2);
    expect(JSON.parse(await readFile(headFile(), 'utf8'))).toEqual({ height: 2, blockHash: makeBatch(2).blockHash });
    expect((await readdir(dir)).filter((name) => name.startsWith(`${HEAD_FILE_NAME}.tmp`))).toEqual([]);
  });

  it('refuses with STORE_ROLLED_BACK a log that lost committed blocks, naming them and the repair', async () => {
    const store = await openStore();
    await commitChain(store, 4);
    await closeStore(store);
    // LevelDB drops the damaged tail silently: without the record it would open at block 3.
    await cutLogTail(10);
    const error = await expectStoreError(
      openStore(),
      'STORE_ROLLED_BACK',
      /lost committed block 4: LevelDB opens at height 3 .*but block 4 was committed/,
    );
    expect(error.message).toMatch(
      /Move the chain folder aside \(mv .* .*\.damaged\) and start the node: it re-syncs every block from its peers/,
    );
  });

  it('names every lost block when the log lost several', async () => {
    const store = await openStore();
    await commitChain(store, 1);
    await closeStore(store);
    // The log now folds into a table at the next open, so later blocks sit alone in a new log.
    const again = await openStore();
    for (let height = 2; height <= 5; height++) await again.commitBlock(makeBatch(height));
    await closeStore(again);
    await truncate(join(dir, (await levelFiles('.log')).at(-1)!), 0);
    await expectStoreError(openStore(), 'STORE_ROLLED_BACK', /lost committed blocks 2\.\.5: LevelDB opens at height 1/);
  });

  it('refuses a folder whose LevelDB files were removed but whose record remains', async () => {
    const store = await openStore();
    await commitChain(store, 1);
    await closeStore(store);
    for (const name of await readdir(dir)) if (name !== HEAD_FILE_NAME) await rm(join(dir, name));
    await expectStoreError(openStore(), 'STORE_ROLLED_BACK', /lost committed blocks 0\.\.1/);
  });

  it('accepts a record one block behind (a crash between the batch and the record) and catches up', async () => {
    const store = await openStore();
    await commitChain(store, 1);
    const recordAt1 = await readFile(headFile());
    await store.commitBlock(makeBatch(2));
    await closeStore(store);
    await writeFile(headFile(), recordAt1);
    const reopened = await openStore();
    expect(reopened.head?.height).toBe(2);
    await reopened.commitBlock(makeBatch(3));
    expect(JSON.parse(await readFile(headFile(), 'utf8'))).toMatchObject({ height: 3 });
  });

  it('refuses a record naming a block the store does not hold, or a garbled record', async () => {
    const store = await openStore();
    await commitChain(store, 2);
    await closeStore(store);
    await writeFile(headFile(), JSON.stringify({ height: 2, blockHash: hashOf('another block') }));
    await expectStoreError(
      openStore(),
      'STORE_CORRUPT',
      /committed-head file names block .* at height 2, which the store does not hold/,
    );
    await writeFile(headFile(), '{"height": 2, "blockHa');
    await expectStoreError(
      openStore(),
      'STORE_CORRUPT',
      /committed-head file .* is not \{"height", "blockHash"\} JSON/,
    );
  });

  it('records only synced heights: a power cut that takes unsynced blocks back leaves a whole store at or above the record', async () => {
    const store = await openStore();
    await commitChain(store, 2);
    const log = join(dir, (await levelFiles('.log')).at(-1)!);
    const syncedBytes = (await stat(log)).size;
    for (let height = 3; height <= 5; height++) await store.commitBlock(makeBatch(height), { sync: false });
    expect(store.head?.height).toBe(5);
    expect(await store.getBlockBytes(5)).toEqual(makeBatch(5).blockBytes);
    // The record stays at the last synced block: a power cut may take the others back.
    expect(JSON.parse(await readFile(headFile(), 'utf8'))).toEqual({ height: 2, blockHash: makeBatch(2).blockHash });
    await closeStore(store);
    const copy = `${dir}-copy`;
    await cp(dir, copy, { recursive: true });

    // A power cut that lost every unsynced batch: the store opens at the synced block, whole.
    await truncate(log, syncedBytes);
    const reopened = await openStore();
    expect(reopened.head?.height).toBe(2);
    expect(await reopened.getBlockBytes(3)).toBeUndefined();
    expect(await reopened.getState('obj/BY-7-3')).toBeUndefined();
    expect(await reopened.getTxLocation(hashOf('tx 3'))).toBeUndefined();
    expect(await reopened.getPartyObjects('alice')).toEqual(['BY-7-0', 'BY-7-1', 'BY-7-2']);
    // ... and the blocks are written again (sync fetches them again); a synced one is recorded.
    await reopened.commitBlock(makeBatch(3), { sync: false });
    await reopened.commitBlock(makeBatch(4));
    expect(JSON.parse(await readFile(headFile(), 'utf8'))).toEqual({ height: 4, blockHash: makeBatch(4).blockHash });
    await closeStore(reopened);

    // One that lost only the last unsynced batch, cut short: it opens above the record, at 4.
    await rm(dir, { recursive: true, force: true });
    dir = copy;
    await truncate(join(dir, basename(log)), (await stat(join(dir, basename(log)))).size - 10);
    const cut = await openStore();
    expect(cut.head?.height).toBe(4);
    expect(await cut.getBlockBytes(5)).toBeUndefined();
    await cut.commitBlock(makeBatch(5));
    expect(cut.head?.height).toBe(5);
  });

  it('writes no record for a scratch (non-durable) store, and a store without one opens', async () => {
    const scratch = await ChainStore.open(dir, { durable: false });
    opened.push(scratch);
    await commitChain(scratch, 2);
    await closeStore(scratch);
    expect(await readdir(dir)).not.toContain(HEAD_FILE_NAME);
    expect((await openStore({})).head?.height).toBe(2);
  });

  it('starts afresh once the damaged folder is moved aside', async () => {
    const store = await openStore();
    await commitChain(store, 3);
    await closeStore(store);
    await cutLogTail(10);
    await expectStoreError(openStore(), 'STORE_ROLLED_BACK');
    const moved = `${dir}.damaged`;
    await rename(dir, moved);
    try {
      const fresh = await openStore();
      expect(fresh.head).toBeNull();
      await commitChain(fresh, 3);
      expect(fresh.head?.height).toBe(3);
    } finally {
      await rm(moved, { recursive: true, force: true });
    }
  });
});
