// The node cache's warm pins the top levels of a state tree: proofs are the same, the top
// levels are then never read from the store again, and a failing store only stops the warm.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, utf8 } from '../../shared/codec/index.js';
import { sha256 } from '../../shared/crypto/index.js';
import { MemoryNodeStore, SparseMerkleTree, type SmtWrite } from '../../shared/smt/index.js';
import { CachedNodeReader } from '../../electron/node/chain/node-cache.js';

async function treeOf(count: number) {
  const store = new MemoryNodeStore();
  const writes: SmtWrite[] = Array.from({ length: count }, (_, i) => ({
    keyHash: sha256(utf8(`key ${i}`)),
    valueHash: sha256(utf8(`value ${i}`)),
  }));
  const { root, newNodes } = await new SparseMerkleTree(store).update(writes);
  store.put(newNodes);
  return { store, root: bytesToHex(root), keys: writes.map((write) => write.keyHash) };
}

function counting(store: MemoryNodeStore, fail?: (hashHex: string) => boolean) {
  const reads = { single: 0, batched: 0 };
  return {
    reads,
    async getSmtNode(hashHex: string) {
      if (fail?.(hashHex)) throw new Error('the store is closed');
      reads.single++;
      return store.get(hashHex);
    },
    async getSmtNodesRaw(hashes: Uint8Array[]) {
      reads.batched += hashes.length;
      return Promise.all(
        hashes.map((hash) =>
          fail?.(bytesToHex(hash)) ? Promise.reject(new Error('the store is closed')) : store.get(bytesToHex(hash)),
        ),
      );
    },
  };
}

describe('the node cache warm', () => {
  it('pins every node of the top levels, and proofs then read only below them', async () => {
    const { store, root, keys } = await treeOf(3_000);
    const source = counting(store);
    const reader = new CachedNodeReader(source, 0); // no LRU: only the pinned nodes are cached
    const warm = await reader.warm(root, { levels: 6 });
    // 3,000 random keys fill the top 6 levels completely: 2^6 - 1 nodes
    expect(warm).toMatchObject({ nodes: 63, levels: 6 });
    expect(warm.stoppedBy).toBeUndefined();
    expect(source.reads.batched).toBe(63);
    const cached = new SparseMerkleTree(reader, Uint8Array.from(Buffer.from(root, 'hex')));
    const direct = new SparseMerkleTree(store, Uint8Array.from(Buffer.from(root, 'hex')));
    for (const key of keys.slice(0, 200)) {
      const before = source.reads.single;
      const proof = await cached.prove(key);
      expect(proof).toEqual(await direct.prove(key));
      // the path below the pinned levels, and its leaf
      expect(source.reads.single - before).toBe(proof.siblings.length + 1 - 6);
    }
  });

  it('stops, without throwing, when the store fails, and keeps what it read', async () => {
    const { store, root } = await treeOf(500);
    let allowed = 10;
    const reader = new CachedNodeReader(counting(store, () => allowed-- <= 0));
    const warm = await reader.warm(root, { levels: 8 });
    expect(warm.stoppedBy).toMatch(/closed/);
    expect(reader.pinned).toBe(warm.nodes);
  });

  it('stops when asked, and a later warm replaces the pinned set', async () => {
    const { store, root } = await treeOf(500);
    const reader = new CachedNodeReader(counting(store));
    const first = reader.warm(root, { levels: 8 });
    reader.stopWarming();
    expect((await first).stoppedBy).toBe('stopped');
    const second = await reader.warm(root, { levels: 3 });
    expect(second).toMatchObject({ nodes: 7 });
    expect(reader.pinned).toBe(7);
    expect(await new CachedNodeReader(counting(store)).warm('0'.repeat(64))).toMatchObject({ nodes: 0 });
  });
});

describe('batched node loads: a block tree update through the cache', () => {
  it('gives the same root and new nodes as one read per node, in far fewer store calls', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 400 }),
        fc.array(
          fc.tuple(fc.integer({ min: 0, max: 800 }), fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null })),
          { minLength: 1, maxLength: 300 },
        ),
        fc.integer({ min: 0, max: 500 }),
        async (initial, changes, cacheEntries) => {
          const { store, root } = await treeOf(initial);
          const byKey = new Map<number, number | null>(changes);
          const writes: SmtWrite[] = [...byKey].map(([key, value]) => ({
            keyHash: sha256(utf8(`key ${key}`)),
            valueHash: value === null ? null : sha256(utf8(`new value ${value}`)),
          }));
          // one read per node: a reader without getMany
          const plain = await new SparseMerkleTree(
            { get: (hashHex) => store.get(hashHex) },
            Buffer.from(root, 'hex'),
          ).update(writes);
          const source = counting(store);
          const reader = new CachedNodeReader(source, cacheEntries);
          const batched = await new SparseMerkleTree(reader, Buffer.from(root, 'hex')).update(writes);
          expect(bytesToHex(batched.root)).toBe(bytesToHex(plain.root));
          expect([...batched.newNodes.keys()].sort()).toEqual([...plain.newNodes.keys()].sort());
          expect(source.reads.single).toBe(0);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('a node missing from the store fails the update with MISSING_NODE, and the tree keeps its root', async () => {
    const { store, root } = await treeOf(200);
    const source = counting(store);
    const reader = new CachedNodeReader(
      {
        getSmtNode: source.getSmtNode,
        getSmtNodesRaw: async (hashes) =>
          (await source.getSmtNodesRaw(hashes)).map((bytes, i) => (i === 0 && hashes.length > 1 ? undefined : bytes)),
      },
      0,
    );
    const tree = new SparseMerkleTree(reader, Buffer.from(root, 'hex'));
    const writes = Array.from({ length: 50 }, (_, i) => ({
      keyHash: sha256(utf8(`key ${i}`)),
      valueHash: sha256(utf8(`x ${i}`)),
    }));
    await expect(tree.update(writes)).rejects.toMatchObject({ code: 'MISSING_NODE' });
    expect(bytesToHex(tree.root)).toBe(root);
  });
});

describe('a node hashed once, as it enters the cache', () => {
  it('a stored row that does not hash to its key is named as damage before the tree uses it', async () => {
    const { store, root, keys } = await treeOf(300);
    const rootBytes = (await store.get(root))!;
    // the root's row holds another valid node (the first key's leaf): right layout, wrong hash
    const leaf = (await new SparseMerkleTree(store, Buffer.from(root, 'hex')).prove(keys[0]!)).leaf!;
    const swapped = Uint8Array.from(rootBytes);
    swapped[1] = 0;
    swapped.set(Buffer.from(leaf.keyHash, 'hex'), 4);
    swapped.set(Buffer.from(leaf.valueHash, 'hex'), 4 + 32 + 2);
    for (const batched of [true, false]) {
      const lying = {
        getSmtNode: async (hashHex: string) => (hashHex === root ? swapped : store.get(hashHex)),
        ...(batched
          ? {
              getSmtNodesRaw: async (hashes: Uint8Array[]) =>
                Promise.all(hashes.map((hash) => (bytesToHex(hash) === root ? swapped : store.get(bytesToHex(hash))))),
            }
          : {}),
      };
      const reader = new CachedNodeReader(lying);
      expect(reader.hashChecked).toBe(true);
      const tree = new SparseMerkleTree(reader, Buffer.from(root, 'hex'));
      await expect(tree.update([{ keyHash: keys[1]!, valueHash: sha256(utf8('new')) }])).rejects.toMatchObject({
        name: 'StoreDamage',
        row: { kind: 'state-node', key: root },
      });
      expect(bytesToHex(tree.root)).toBe(root);
      await expect(tree.prove(keys[2]!)).rejects.toMatchObject({ name: 'StoreDamage' });
      expect(reader.size).toBe(0);
    }
  });

  it('consecutive blocks through the cache give the roots and proofs of a tree that hashes every node it reads', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.option(fc.integer(), { nil: null })), {
            minLength: 1,
            maxLength: 60,
          }),
          { minLength: 1, maxLength: 6 },
        ),
        async (blocks) => {
          const { store, root } = await treeOf(200);
          const reader = new CachedNodeReader(counting(store), 1_000);
          let cachedRoot = Buffer.from(root, 'hex') as Uint8Array;
          let plainRoot = cachedRoot;
          for (const changes of blocks) {
            const writes: SmtWrite[] = [...new Map(changes)].map(([key, value]) => ({
              keyHash: sha256(utf8(`key ${key}`)),
              valueHash: value === null ? null : sha256(utf8(`value ${value}`)),
            }));
            const plain = await new SparseMerkleTree({ get: (hashHex) => store.get(hashHex) }, plainRoot).update(
              writes,
            );
            store.put(plain.newNodes);
            const cached = await new SparseMerkleTree(reader, cachedRoot).update(writes);
            reader.remember(cached.newNodes.rows());
            expect(bytesToHex(cached.root)).toBe(bytesToHex(plain.root));
            [cachedRoot, plainRoot] = [cached.root, plain.root];
            for (const [key] of changes.slice(0, 5)) {
              const keyHash = sha256(utf8(`key ${key}`));
              expect(await new SparseMerkleTree(reader, cachedRoot).prove(keyHash)).toEqual(
                await new SparseMerkleTree(store, plainRoot).prove(keyHash),
              );
            }
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('the node cache bound', () => {
  it('never holds more than its entries, however many nodes pass through it, and still answers every read', async () => {
    const { store, root, keys } = await treeOf(2_000);
    const reader = new CachedNodeReader(counting(store), 500);
    const writes: SmtWrite[] = Array.from({ length: 2_000 }, (_, i) => ({
      keyHash: sha256(utf8(`key ${i}`)),
      valueHash: sha256(utf8(`value ${i}`)),
    }));
    const nodes = (await new SparseMerkleTree(new MemoryNodeStore()).update(writes)).newNodes.rows();
    expect(nodes.length).toBeGreaterThan(2_000);
    for (let round = 0; round < 5; round++) {
      reader.remember(nodes);
      expect(reader.size).toBeLessThanOrEqual(500);
    }
    const tree = new SparseMerkleTree(reader, Buffer.from(root, 'hex'));
    const plain = new SparseMerkleTree(store, Buffer.from(root, 'hex'));
    for (const key of keys.slice(0, 200)) expect(await tree.prove(key)).toEqual(await plain.prove(key));
    expect(reader.size).toBeLessThanOrEqual(500);
  });
});
