// The bulk genesis import (streamed rows, bulk-built state tree, stored genesis digest) must
// give exactly the genesis of genesisExecution: block hash, state root, every state record,
// every tree node and every party row; and a store opens against its genesis by digest.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/codec/index.js';
import { genesisExecution } from '../../shared/chain/index.js';
import { blockHash } from '../../shared/ledger/index.js';
import { MemoryNodeStore, SparseMerkleTree } from '../../shared/smt/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { genesisDigest, importGenesis } from '../../electron/node/chain/genesis-import.js';
import { ChainStore, StoreError } from '../../electron/node/store/index.js';
import { devGenesis } from '../../electron/node/dev/dev-chain.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'notary-genesis-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

describe('importGenesis', () => {
  it('writes the genesis of genesisExecution, streamed in small batches', async () => {
    const genesis = devGenesis({ objects: 1_500, parties: 37 });
    const expected = await genesisExecution(genesis, new MemoryNodeStore());
    const store = await ChainStore.open(await tempDir(), { chainId: genesis.chainId });
    async function* stream() {
      yield* genesis.properties!;
    }
    const result = await importGenesis(store, { ...genesis, properties: [] }, stream(), { rowsPerBatch: 97 });
    expect(result.stateRoot).toBe(expected.execution.stateRoot);
    expect(blockHash(result.block.header)).toBe(blockHash(expected.block.header));
    expect(result.genesisDigest).toBe(genesisDigest(genesis));
    expect(store.head?.stateRoot).toBe(expected.execution.stateRoot);
    for (const [hash, bytes] of expected.execution.smtNodes) expect(bytesToHex((await store.getSmtNode(hash))!)).toBe(bytesToHex(bytes));
    expect(result.smtNodes).toBe(expected.execution.smtNodes.size);
    const values = await store.getStateMany(expected.execution.stateWrites.map((write) => write.key));
    for (const write of expected.execution.stateWrites) expect(bytesToHex(values.get(write.key)!)).toBe(bytesToHex(write.value!));
    for (const row of expected.execution.partyObjects) expect(await store.getPartyObjects(row.party, { limit: 10_000 })).toContain(row.objectId);
    // proofs come from the stored nodes
    const tree = new SparseMerkleTree({ get: (hash) => store.getSmtNode(hash) }, Buffer.from(result.stateRoot, 'hex'));
    expect(bytesToHex((await tree.get(Buffer.from(bytesToHex(new Uint8Array(32)), 'hex'))) ?? new Uint8Array())).toBe('');
    await store.close();
  });

  it('refuses an object listed twice before writing anything', async () => {
    const genesis = devGenesis({ objects: 3 });
    genesis.properties!.push(genesis.properties![1]!);
    const store = await ChainStore.open(await tempDir(), { chainId: genesis.chainId });
    await expect(importGenesis(store, genesis)).rejects.toThrow(/twice/);
    expect(store.head).toBeNull();
    await store.close();
  });

  it('refuses an object listed twice in a stream', async () => {
    const genesis = devGenesis({ objects: 3 });
    const store = await ChainStore.open(await tempDir(), { chainId: genesis.chainId });
    async function* stream() {
      yield* genesis.properties!;
      yield genesis.properties![0]!;
    }
    await expect(importGenesis(store, { ...genesis, properties: [] }, stream())).rejects.toThrow(/twice/);
    expect(store.head).toBeNull();
    await store.close();
  });
});

describe('Chain.open and the stored genesis digest', () => {
  it('reopens by digest, and refuses another genesis', async () => {
    const dir = await tempDir();
    const genesis = devGenesis({ objects: 50 });
    const chain = await Chain.open({ dir, genesis });
    const head = chain.head.hash;
    expect(await chain.store.getGenesisDigest()).toBe(genesisDigest(genesis));
    await chain.close();
    const again = await Chain.open({ dir, genesis });
    expect(again.head.hash).toBe(head);
    await again.close();
    const other = devGenesis({ objects: 51 });
    await expect(Chain.open({ dir, genesis: other })).rejects.toBeInstanceOf(StoreError);
  });

  it('still opens a store written without a digest (the genesis is then rebuilt and compared)', async () => {
    const dir = await tempDir();
    const genesis = devGenesis({ objects: 20 });
    const { block, commit, execution } = await genesisExecution(genesis, new MemoryNodeStore());
    const store = await ChainStore.open(dir, { chainId: genesis.chainId });
    const { encode } = await import('../../shared/codec/index.js');
    await store.commitBlock({
      height: 0,
      blockHash: commit.blockHash,
      blockBytes: encode(block),
      commitBytes: encode(commit),
      stateRoot: execution.stateRoot,
      stateWrites: execution.stateWrites.map(({ key, value }) => ({ key, value })),
      smtNodes: [...execution.smtNodes].map(([hash, bytes]) => ({ hash, bytes })),
      txs: [],
      objectHistory: [],
      partyObjects: execution.partyObjects,
    });
    await store.close();
    const chain = await Chain.open({ dir, genesis });
    expect(chain.head.height).toBe(0);
    await chain.close();
    await expect(Chain.open({ dir, genesis: devGenesis({ objects: 21 }) })).rejects.toBeInstanceOf(StoreError);
  });
});
