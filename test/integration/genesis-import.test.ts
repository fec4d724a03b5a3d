// The bulk genesis import (streamed rows, bulk-built state tree, stored genesis digest) must
// give exactly the genesis of genesisExecution: block hash, state root, every state record,
// every tree node and every party row; and a store opens against its genesis by digest.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/codec/index.js';
import { genesisExecution } from '../../shared/chain/index.js';
import { blockHash, parseGenesis } from '../../shared/ledger/index.js';
import { MemoryNodeStore, SparseMerkleTree } from '../../shared/smt/index.js';
import { Chain } from '../../electron/node/chain/chain.js';
import { GenesisDigest, genesisDigest, importGenesis } from '../../electron/node/chain/genesis-import.js';
import { GENESIS_DIGEST_CACHE_SUFFIX } from '../../electron/node/chain/genesis-file.js';
import { ChainStore, StoreError } from '../../electron/node/store/index.js';
import { devGenesis } from '../../electron/node/dev/demo-registry.js';

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
  it('writes the genesis of genesisExecution, streamed in small batches, and compacted after', async () => {
    const genesis = devGenesis({ objects: 1_500, parties: 37 });
    const expected = await genesisExecution(genesis, new MemoryNodeStore());
    const store = await ChainStore.open(await tempDir(), { chainId: genesis.chainId });
    async function* stream() {
      yield* genesis.properties!;
    }
    const result = await importGenesis(store, { ...genesis, properties: [] }, stream(), {
      rowsPerBatch: 97,
      compactFrom: 0,
    });
    expect(result.phasesMs.compact).toBeGreaterThan(0);
    expect(result.stateRoot).toBe(expected.execution.stateRoot);
    expect(blockHash(result.block.header)).toBe(blockHash(expected.block.header));
    expect(result.genesisDigest).toBe(genesisDigest(genesis));
    expect(store.head?.stateRoot).toBe(expected.execution.stateRoot);
    for (const [hash, bytes] of expected.execution.smtNodes)
      expect(bytesToHex((await store.getSmtNode(hash))!)).toBe(bytesToHex(bytes));
    expect(result.smtNodes).toBe(expected.execution.smtNodes.size);
    const values = await store.getStateMany(expected.execution.stateWrites.map((write) => write.key));
    for (const write of expected.execution.stateWrites)
      expect(bytesToHex(values.get(write.key)!)).toBe(bytesToHex(write.value!));
    for (const row of expected.execution.partyObjects)
      expect(await store.getPartyObjects(row.party, { limit: 10_000 })).toContain(row.objectId);
    // proofs come from the stored nodes
    const tree = new SparseMerkleTree({ get: (hash) => store.getSmtNode(hash) }, Buffer.from(result.stateRoot, 'hex'));
    expect(bytesToHex((await tree.get(Buffer.from(bytesToHex(new Uint8Array(32)), 'hex'))) ?? new Uint8Array())).toBe(
      '',
    );
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
      smtNodes: execution.smtNodes.rows(),
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

describe('Chain.open with its genesis file (the digest kept next to it)', () => {
  async function writeGenesisFile(dataDir: string, genesis: object): Promise<string> {
    const file = join(dataDir, 'genesis.json');
    await writeFile(file, `${JSON.stringify(genesis, null, 2)}\n`);
    return file;
  }
  const readGenesisFile = async (file: string) => parseGenesis(JSON.parse(await readFile(file, 'utf8')));

  it('encodes the properties once per genesis file, not at every reopen', async () => {
    const dataDir = await tempDir();
    const dir = join(dataDir, 'chain');
    const file = await writeGenesisFile(dataDir, devGenesis({ objects: 40 }));
    const genesis = await readGenesisFile(file);
    await (await Chain.open({ dir, genesis, genesisFile: file })).close();
    // the first open with the file computes the digest and keeps it ...
    await (await Chain.open({ dir, genesis: await readGenesisFile(file), genesisFile: file })).close();
    expect(JSON.parse(await readFile(`${file}${GENESIS_DIGEST_CACHE_SUFFIX}`, 'utf8'))).toMatchObject({
      genesisDigest: genesisDigest(genesis),
    });
    // ... and later opens compare the kept digest: not one property encoded
    const encodedBefore = GenesisDigest.propertiesEncoded;
    for (let i = 0; i < 3; i++) {
      const chain = await Chain.open({ dir, genesis: await readGenesisFile(file), genesisFile: file });
      expect(chain.head.height).toBe(0);
      await chain.close();
    }
    expect(GenesisDigest.propertiesEncoded).toBe(encodedBefore);
  });

  it('refuses a replaced genesis file, of another size or of the same size, with the digest kept', async () => {
    const dataDir = await tempDir();
    const dir = join(dataDir, 'chain');
    const original = devGenesis({ objects: 30 });
    const file = await writeGenesisFile(dataDir, original);
    await (await Chain.open({ dir, genesis: await readGenesisFile(file), genesisFile: file })).close();
    await (await Chain.open({ dir, genesis: await readGenesisFile(file), genesisFile: file })).close();
    const kept = await readFile(`${file}${GENESIS_DIGEST_CACHE_SUFFIX}`, 'utf8');

    await writeGenesisFile(dataDir, devGenesis({ objects: 31 }));
    await expect(Chain.open({ dir, genesis: await readGenesisFile(file), genesisFile: file })).rejects.toMatchObject({
      code: 'STORE_CHAIN_MISMATCH',
    });

    // same length, one property changed: the bytes differ, so the digest is computed again
    const sameSize = structuredClone(original);
    const property = sameSize.properties![7]!;
    property.id = property.id.slice(0, -1) + (property.id.endsWith('x') ? 'y' : 'x');
    await writeGenesisFile(dataDir, sameSize);
    expect((await stat(file)).size).toBe(Buffer.byteLength(`${JSON.stringify(original, null, 2)}\n`));
    await expect(Chain.open({ dir, genesis: await readGenesisFile(file), genesisFile: file })).rejects.toMatchObject({
      code: 'STORE_CHAIN_MISMATCH',
    });
    // a refused genesis is never kept
    expect(await readFile(`${file}${GENESIS_DIGEST_CACHE_SUFFIX}`, 'utf8')).toBe(kept);

    // a kept digest that does not belong to this store (copied from elsewhere) is not trusted
    await writeGenesisFile(dataDir, original);
    await writeFile(
      `${file}${GENESIS_DIGEST_CACHE_SUFFIX}`,
      JSON.stringify({ ...JSON.parse(kept), genesisDigest: 'ab'.repeat(32) }),
    );
    const chain = await Chain.open({ dir, genesis: await readGenesisFile(file), genesisFile: file });
    await chain.close();
    expect(await readFile(`${file}${GENESIS_DIGEST_CACHE_SUFFIX}`, 'utf8')).toBe(kept);
  });
});
