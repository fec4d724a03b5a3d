import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, concatBytes, decode, encode, utf8 } from '../../shared/codec/index.js';
import { sha256 } from '../../shared/crypto/index.js';
import {
  MemoryNodeStore,
  SMT_EMPTY_ROOT,
  SmtError,
  type SmtNodeReader,
  type SmtProof,
  type SmtWrite,
  SparseMerkleTree,
  verifySmtProof,
} from '../../shared/smt/index.js';

const keyOf = (name: string | number) => sha256(utf8(`key ${name}`));
const valueOf = (name: string | number) => sha256(utf8(`value ${name}`));
const leafHash = (key: Uint8Array, value: Uint8Array) => sha256(concatBytes(Uint8Array.of(0), key, value));
const internalHash = (left: Uint8Array, right: Uint8Array) => sha256(concatBytes(Uint8Array.of(1), left, right));
const ZERO = new Uint8Array(32);

/** A key whose first byte is `firstByte` and whose last byte is `lastByte`: controls where paths part. */
function craftedKey(firstByte: number, lastByte = 0): Uint8Array {
  const key = new Uint8Array(32);
  key[0] = firstByte;
  key[31] = lastByte;
  return key;
}

function flipBit(key: Uint8Array, bit: number): Uint8Array {
  const flipped = key.slice();
  flipped[bit >> 3]! ^= 0x80 >> (bit & 7);
  return flipped;
}

/** A tree whose new nodes are persisted after every update, as the ledger will do. */
async function openTree(entries: Array<[Uint8Array, Uint8Array]> = []) {
  const store = new MemoryNodeStore();
  const tree = new SparseMerkleTree(store);
  const commit = async (writes: SmtWrite[]) => {
    const { root, newNodes } = await tree.update(writes);
    // Each node made once, and the rows (the store's and the node cache's form) are the Map's entries.
    expect(new Set(newNodes.keys()).size).toBe(newNodes.size);
    expect(newNodes.rows().map(({ hash, bytes }) => [bytesToHex(hash), bytes])).toEqual([...newNodes]);
    store.put(newNodes);
    return root;
  };
  await commit(entries.map(([keyHash, valueHash]) => ({ keyHash, valueHash })));
  return { store, tree, commit };
}

const named = (count: number) =>
  Array.from({ length: count }, (_, i): [Uint8Array, Uint8Array] => [keyOf(i), valueOf(i)]);

describe('sparse Merkle tree: canonical shape', () => {
  it('has the all-zero root when empty', async () => {
    const { tree } = await openTree();
    expect(tree.root).toEqual(SMT_EMPTY_ROOT);
    expect(SMT_EMPTY_ROOT).toEqual(ZERO);
    expect(await tree.get(keyOf(1))).toBeUndefined();
  });

  it('is the leaf itself when it holds one key', async () => {
    const { tree } = await openTree([[keyOf(1), valueOf(1)]]);
    expect(tree.root).toEqual(leafHash(keyOf(1), valueOf(1)));
    expect(await tree.get(keyOf(1))).toEqual(valueOf(1));
  });

  it('hangs two keys that part at the first bit directly under the root', async () => {
    const [a, b] = [craftedKey(0x00), craftedKey(0x80)];
    const { tree } = await openTree([
      [b, valueOf('b')],
      [a, valueOf('a')],
    ]);
    expect(tree.root).toEqual(internalHash(leafHash(a, valueOf('a')), leafHash(b, valueOf('b'))));
  });

  it('puts two keys that share a prefix under internal nodes down to where they part', async () => {
    // 0x00 and 0x40 share bit 0 and part at bit 1.
    const [a, b] = [craftedKey(0x00), craftedKey(0x40)];
    const { tree } = await openTree([
      [a, valueOf('a')],
      [b, valueOf('b')],
    ]);
    expect(tree.root).toEqual(internalHash(internalHash(leafHash(a, valueOf('a')), leafHash(b, valueOf('b'))), ZERO));
  });

  it('raises a lone leaf back up when its neighbours are deleted', async () => {
    const [a, b, c] = [craftedKey(0x00), craftedKey(0x40), craftedKey(0x80)];
    const { tree, commit } = await openTree([
      [a, valueOf('a')],
      [b, valueOf('b')],
      [c, valueOf('c')],
    ]);
    await commit([{ keyHash: b, valueHash: null }]);
    expect(tree.root).toEqual(internalHash(leafHash(a, valueOf('a')), leafHash(c, valueOf('c'))));
    await commit([{ keyHash: c, valueHash: null }]);
    expect(tree.root).toEqual(leafHash(a, valueOf('a')));
  });

  it('keeps proofs logarithmic in the number of keys, not 256 deep', async () => {
    const { tree } = await openTree(named(2000));
    let deepest = 0;
    for (let i = 0; i < 2000; i += 7) deepest = Math.max(deepest, (await tree.prove(keyOf(i))).siblings.length);
    expect(deepest).toBeLessThanOrEqual(40);
  });

  it('holds keys that differ only in the last bit at depth 256, and proves them', async () => {
    const [a, b] = [craftedKey(0x12, 0x00), craftedKey(0x12, 0x01)];
    const { tree } = await openTree([
      [a, valueOf('a')],
      [b, valueOf('b')],
    ]);
    const proof = await tree.prove(b);
    expect(proof.siblings).toHaveLength(256);
    expect(verifySmtProof(tree.root, b, valueOf('b'), proof)).toBe(true);
    expect(verifySmtProof(tree.root, flipBit(a, 200), null, await tree.prove(flipBit(a, 200)))).toBe(true);
  });
});

// Keys with long shared prefixes as well as random ones, so deletes collapse deep chains.
const POOL = [0, 1, 2, 3].flatMap((i) => {
  const base = keyOf(i);
  return [base, flipBit(base, 255), flipBit(base, 128), flipBit(base, 9), flipBit(base, 1)];
});
const operation = fc.record({
  key: fc.nat({ max: POOL.length - 1 }),
  value: fc.option(fc.nat({ max: 3 }), { nil: null }),
});
const batches = fc.array(fc.array(operation, { maxLength: 12 }), { maxLength: 8 });

describe('sparse Merkle tree: the root depends only on the final map', () => {
  it('gives the same root whatever the order and batching of inserts, updates and deletes', async () => {
    await fc.assert(
      fc.asyncProperty(batches, async (history) => {
        const { tree, commit } = await openTree();
        const model = new Map<number, number>();
        for (const batch of history) {
          const writes = new Map<number, number | null>(batch.map(({ key, value }) => [key, value]));
          await commit(
            [...writes].map(([key, value]) => ({
              keyHash: POOL[key]!,
              valueHash: value === null ? null : valueOf(value),
            })),
          );
          for (const [key, value] of writes) {
            if (value === null) model.delete(key);
            else model.set(key, value);
          }
        }
        const final = [...model].map(([key, value]): [Uint8Array, Uint8Array] => [POOL[key]!, valueOf(value)]);
        const fresh = await openTree(final);
        expect(bytesToHex(tree.root)).toBe(bytesToHex(fresh.tree.root));
        const oneByOne = await openTree();
        for (const [keyHash, valueHash] of final.reverse()) await oneByOne.commit([{ keyHash, valueHash }]);
        expect(bytesToHex(oneByOne.tree.root)).toBe(bytesToHex(tree.root));
        for (const [index, key] of POOL.entries()) {
          const value = model.get(index);
          expect(await tree.get(key)).toEqual(value === undefined ? undefined : valueOf(value));
        }
      }),
    );
  });

  it('returns to the empty root when every key is deleted, at once or a few at a time', async () => {
    const entries = named(300);
    const atOnce = await openTree(entries);
    await atOnce.commit(entries.map(([keyHash]) => ({ keyHash, valueHash: null })));
    expect(atOnce.tree.root).toEqual(SMT_EMPTY_ROOT);
    const inSteps = await openTree(entries);
    for (let i = 0; i < 300; i += 37)
      await inSteps.commit(entries.slice(i, i + 37).map(([keyHash]) => ({ keyHash, valueHash: null })));
    expect(inSteps.tree.root).toEqual(SMT_EMPTY_ROOT);
  });

  it('is unchanged by deleting an absent key or rewriting a value it already has', async () => {
    const { tree, commit } = await openTree(named(50));
    const before = tree.root;
    await commit([{ keyHash: keyOf('absent'), valueHash: null }]);
    await commit([{ keyHash: keyOf(7), valueHash: valueOf(7) }]);
    expect(tree.root).toEqual(before);
  });
});

describe('sparse Merkle tree: updates', () => {
  it('moves the tree to the new root it returns', async () => {
    const { tree } = await openTree(named(10));
    const { root } = await tree.update([{ keyHash: keyOf(3), valueHash: valueOf('new') }]);
    expect(tree.root).toEqual(root);
  });

  it('stores a leaf as [0, keyHash, valueHash] and an internal node as [1, left, right] under its hash', async () => {
    const [a, b] = [craftedKey(0x00), craftedKey(0x80)];
    const { newNodes } = await new SparseMerkleTree(new MemoryNodeStore()).update([
      { keyHash: a, valueHash: valueOf('a') },
      { keyHash: b, valueHash: valueOf('b') },
    ]);
    const [leafA, leafB] = [leafHash(a, valueOf('a')), leafHash(b, valueOf('b'))];
    expect(newNodes.get(bytesToHex(leafA))).toEqual(encode([0, a, valueOf('a')]));
    expect(newNodes.get(bytesToHex(internalHash(leafA, leafB)))).toEqual(encode([1, leafA, leafB]));
    expect(decode(newNodes.get(bytesToHex(leafB))!)).toEqual([0, b, valueOf('b')]);
    expect(newNodes.size).toBe(3);
  });

  it('reads each stored node at most once per update, however many writes pass through it', async () => {
    const { store, tree } = await openTree(named(3000));
    const reads = new Map<string, number>();
    const counting: SmtNodeReader = {
      get: (hashHex) => {
        reads.set(hashHex, (reads.get(hashHex) ?? 0) + 1);
        return store.get(hashHex);
      },
    };
    const writes: SmtWrite[] = named(3000)
      .filter((_, i) => i % 3 === 0)
      .map(([keyHash], i) => ({ keyHash, valueHash: i % 2 === 0 ? null : valueOf('new') }));
    await new SparseMerkleTree(counting, tree.root).update(writes);
    expect(reads.size).toBeGreaterThan(writes.length);
    expect(Math.max(...reads.values())).toBe(1);
  });

  it('rejects a key written twice in one batch and malformed writes, and keeps its root', async () => {
    const { tree } = await openTree(named(5));
    const before = tree.root;
    const bad: unknown[][] = [
      [
        { keyHash: keyOf(1), valueHash: valueOf(1) },
        { keyHash: keyOf(1), valueHash: null },
      ],
      [{ keyHash: keyOf(1).slice(1), valueHash: valueOf(1) }],
      [{ keyHash: keyOf(1), valueHash: new Uint8Array(31) }],
      [{ keyHash: keyOf(1) }],
      [null],
    ];
    for (const writes of bad) await expect(tree.update(writes as SmtWrite[])).rejects.toThrow(SmtError);
    expect(tree.root).toEqual(before);
  });

  it('refuses a second update while one is running', async () => {
    const { tree } = await openTree(named(5));
    const first = tree.update([{ keyHash: keyOf('x'), valueHash: valueOf('x') }]);
    await expect(tree.update([{ keyHash: keyOf('y'), valueHash: valueOf('y') }])).rejects.toThrow(/CONCURRENT_UPDATE/);
    await first;
  });

  it('inserts 10,000 keys in one batch', async () => {
    const { tree } = await openTree(named(10_000));
    for (const i of [0, 4999, 9999])
      expect(verifySmtProof(tree.root, keyOf(i), valueOf(i), await tree.prove(keyOf(i)))).toBe(true);
  });
});

describe('sparse Merkle tree: inclusion and absence proofs', () => {
  const entries = named(200);

  it('proves every present key, and the proof fails for a wrong value or a wrong root', async () => {
    const { tree } = await openTree(entries);
    const otherRoot = (await openTree(entries.slice(1))).tree.root;
    for (const [key, value] of entries) {
      const proof = await tree.prove(key);
      expect(verifySmtProof(tree.root, key, value, proof)).toBe(true);
      expect(verifySmtProof(tree.root, key, valueOf('wrong'), proof)).toBe(false);
      expect(verifySmtProof(otherRoot, key, value, proof)).toBe(false);
      expect(verifySmtProof(tree.root, key, null, proof)).toBe(false);
    }
  });

  it("proves absence whether the path ends empty or at another key's leaf", async () => {
    const { tree } = await openTree(entries);
    const endings = { empty: 0, otherLeaf: 0 };
    for (let i = 0; i < 300; i++) {
      const absent = keyOf(`absent ${i}`);
      const proof = await tree.prove(absent);
      endings[proof.leaf === undefined ? 'empty' : 'otherLeaf']++;
      expect(verifySmtProof(tree.root, absent, null, proof)).toBe(true);
      expect(verifySmtProof(tree.root, absent, valueOf(0), proof)).toBe(false);
    }
    expect(endings.empty).toBeGreaterThan(0);
    expect(endings.otherLeaf).toBeGreaterThan(0);
  });

  it('proves absence in the empty tree and in a one-key tree', async () => {
    const empty = await openTree();
    expect(verifySmtProof(empty.tree.root, keyOf(1), null, await empty.tree.prove(keyOf(1)))).toBe(true);
    const single = await openTree([[keyOf(1), valueOf(1)]]);
    expect(verifySmtProof(single.tree.root, keyOf(2), null, await single.tree.prove(keyOf(2)))).toBe(true);
    expect(verifySmtProof(single.tree.root, keyOf(1), valueOf(1), await single.tree.prove(keyOf(1)))).toBe(true);
  });

  it('cannot prove a present key absent', async () => {
    const { tree } = await openTree(entries);
    for (const [key] of entries.slice(0, 50)) {
      const proof = await tree.prove(key);
      expect(verifySmtProof(tree.root, key, null, proof)).toBe(false);
      expect(verifySmtProof(tree.root, key, null, { siblings: proof.siblings })).toBe(false);
    }
  });

  it("rejects an absence proof whose leaf is not on the key's path", async () => {
    const [a, b] = [craftedKey(0x00), craftedKey(0x80)];
    const { tree } = await openTree([
      [a, valueOf('a')],
      [b, valueOf('b')],
    ]);
    const absent = craftedKey(0x01); // on a's side, under bit 0 = 0
    const honest = await tree.prove(absent);
    expect(verifySmtProof(tree.root, absent, null, honest)).toBe(true);
    const offPath = { ...honest, leaf: { keyHash: bytesToHex(b), valueHash: bytesToHex(valueOf('b')) } };
    expect(verifySmtProof(tree.root, absent, null, offPath)).toBe(false);
    // Even a root that really commits to b on the left (a tree no honest node builds) cannot
    // make b's leaf stand for the absence of a key whose path goes left.
    const crookedRoot = internalHash(leafHash(b, valueOf('b')), leafHash(a, valueOf('a')));
    const crookedProof = { siblings: [bytesToHex(leafHash(a, valueOf('a')))], leaf: offPath.leaf };
    expect(verifySmtProof(crookedRoot, absent, null, crookedProof)).toBe(false);
  });
});

describe('sparse Merkle tree: tampered and malformed proofs', () => {
  const flipHexByte = (hex: string) => (hex.slice(0, 2) === 'ff' ? '00' : 'ff') + hex.slice(2);

  it('fails a proof with a flipped sibling byte, a dropped sibling or an extra sibling', async () => {
    const { tree } = await openTree(named(100));
    for (const key of [...named(100).map(([k]) => k), keyOf('absent 1'), keyOf('absent 2')]) {
      const value = (await tree.get(key)) ?? null;
      const proof = await tree.prove(key);
      expect(verifySmtProof(tree.root, key, value, proof)).toBe(true);
      const { siblings } = proof;
      for (let i = 0; i < siblings.length; i++) {
        const flipped = siblings.map((sibling, j) => (j === i ? flipHexByte(sibling) : sibling));
        expect(verifySmtProof(tree.root, key, value, { ...proof, siblings: flipped })).toBe(false);
        expect(verifySmtProof(tree.root, key, value, { ...proof, siblings: siblings.filter((_, j) => j !== i) })).toBe(
          false,
        );
      }
      for (const extra of [bytesToHex(ZERO), siblings[0] ?? bytesToHex(keyOf('x'))]) {
        expect(verifySmtProof(tree.root, key, value, { ...proof, siblings: [...siblings, extra] })).toBe(false);
        expect(verifySmtProof(tree.root, key, value, { ...proof, siblings: [extra, ...siblings] })).toBe(false);
      }
    }
  });

  it('returns false, never throws, on malformed proofs and inputs', async () => {
    const { tree } = await openTree(named(20));
    const key = keyOf(3);
    const value = valueOf(3);
    const good = await tree.prove(key);
    const leaf = good.leaf!;
    const malformed: unknown[] = [
      null,
      undefined,
      'proof',
      {},
      { siblings: 'abc' },
      { ...good, siblings: [...good.siblings.slice(1), 'zz'.repeat(32)] },
      { ...good, siblings: [good.siblings[0]!.toUpperCase(), ...good.siblings.slice(1)] },
      { ...good, siblings: [good.siblings[0]!.slice(2), ...good.siblings.slice(1)] },
      { ...good, siblings: [7, ...good.siblings.slice(1)] },
      { ...good, siblings: Array(257).fill(bytesToHex(ZERO)) },
      { ...good, leaf: 'leaf' },
      { ...good, leaf: null },
      { ...good, leaf: { keyHash: leaf.keyHash } },
      { ...good, leaf: { ...leaf, valueHash: leaf.valueHash.slice(1) } },
    ];
    for (const proof of malformed) expect(verifySmtProof(tree.root, key, value, proof as SmtProof)).toBe(false);
    expect(verifySmtProof(tree.root.slice(1), key, value, good)).toBe(false);
    expect(verifySmtProof(tree.root, key.slice(1), value, good)).toBe(false);
    expect(verifySmtProof(tree.root, key, value.slice(1), good)).toBe(false);
    expect(verifySmtProof('root' as unknown as Uint8Array, key, value, good)).toBe(false);
  });
});

describe('sparse Merkle tree: persistence', () => {
  it('answers gets and proofs when reopened from the node store at a root', async () => {
    const { store, tree } = await openTree(named(500));
    const reopened = new SparseMerkleTree(store, tree.root);
    for (let i = 0; i < 500; i += 13) {
      expect(await reopened.get(keyOf(i))).toEqual(valueOf(i));
      expect(verifySmtProof(tree.root, keyOf(i), valueOf(i), await reopened.prove(keyOf(i)))).toBe(true);
    }
  });

  it('still proves the old values at an old root after later updates', async () => {
    const { store, tree, commit } = await openTree(named(100));
    const oldRoot = tree.root;
    await commit([
      { keyHash: keyOf(1), valueHash: valueOf('changed') },
      { keyHash: keyOf(2), valueHash: null },
      { keyHash: keyOf('added'), valueHash: valueOf('added') },
    ]);
    const old = new SparseMerkleTree(store, oldRoot);
    expect(await old.get(keyOf(1))).toEqual(valueOf(1));
    expect(verifySmtProof(oldRoot, keyOf(2), valueOf(2), await old.prove(keyOf(2)))).toBe(true);
    expect(verifySmtProof(oldRoot, keyOf('added'), null, await old.prove(keyOf('added')))).toBe(true);
    expect(await tree.get(keyOf(2))).toBeUndefined();
  });

  it('reports a missing node and keeps its root', async () => {
    const { tree } = await openTree(named(10));
    const orphan = new SparseMerkleTree(new MemoryNodeStore(), tree.root);
    await expect(orphan.get(keyOf(1))).rejects.toThrow(/MISSING_NODE/);
    await expect(orphan.update([{ keyHash: keyOf(1), valueHash: null }])).rejects.toThrow(/MISSING_NODE/);
    expect(orphan.root).toEqual(tree.root);
  });

  it('detects a stored node that does not hash to its key', async () => {
    const { store, tree } = await openTree(named(10));
    const rootHex = bytesToHex(tree.root);
    const lying: SmtNodeReader = {
      get: async (hashHex) =>
        hashHex === rootHex ? (await store.get(bytesToHex(leafHash(keyOf(1), valueOf(1)))))! : store.get(hashHex),
    };
    await expect(new SparseMerkleTree(lying, tree.root).get(keyOf(1))).rejects.toThrow(/CORRUPT_NODE/);
  });

  it('hashes no node again for a reader that says it checked them, and still checks their layout', async () => {
    const { store, tree } = await openTree(named(10));
    const rootHex = bytesToHex(tree.root);
    const leafBytes = (await store.get(bytesToHex(leafHash(keyOf(1), valueOf(1)))))!;
    // A reader that claims the check and breaks it: its word is taken (the check is its job; the
    // node cache makes it as a row enters memory, test/unit/smt-node-cache.test.ts).
    const claims: SmtNodeReader = {
      hashChecked: true,
      get: async (hashHex) => (hashHex === rootHex ? leafBytes : store.get(hashHex)),
    };
    expect(await new SparseMerkleTree(claims, tree.root).get(keyOf(1))).toEqual(valueOf(1));
    const mangled: SmtNodeReader = {
      hashChecked: true,
      get: async (hashHex) => (hashHex === rootHex ? Uint8Array.of(2, ...leafBytes.slice(1)) : store.get(hashHex)),
    };
    await expect(new SparseMerkleTree(mangled, tree.root).get(keyOf(1))).rejects.toThrow(/CORRUPT_NODE/);
  });

  it('detects a stored node that is not the one canonical encoding', async () => {
    const { store, tree } = await openTree(named(10));
    const rootHex = bytesToHex(tree.root);
    const rootBytes = (await store.get(rootHex))!;
    for (const mangled of [
      concatBytes(rootBytes, Uint8Array.of(0)),
      rootBytes.slice(0, 69),
      Uint8Array.of(2, ...rootBytes.slice(1)),
    ]) {
      const reader: SmtNodeReader = {
        get: (hashHex) => (hashHex === rootHex ? Promise.resolve(mangled) : store.get(hashHex)),
      };
      await expect(new SparseMerkleTree(reader, tree.root).prove(keyOf(1))).rejects.toThrow(/CORRUPT_NODE/);
    }
  });
});
