// The bulk build (genesis import) must give exactly the tree that incremental updates give:
// the same root and the same set of nodes, for any set of keys, including keys that share
// long prefixes (crafted) and the empty set.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/codec/index.js';
import {
  MemoryNodeStore,
  SMT_EMPTY_ROOT,
  SmtError,
  SmtLeafTable,
  SparseMerkleTree,
  buildSmtBulk,
  type SmtWrite,
} from '../../shared/smt/index.js';

async function bulk(entries: Array<[Uint8Array, Uint8Array]>, chunkLeaves?: number) {
  const table = new SmtLeafTable();
  for (const [key, value] of entries) table.add(key, value);
  const nodes = new Map<string, string>();
  let flushes = 0;
  const root = await buildSmtBulk(
    table,
    table.sortedOrder(),
    {
      node: (hash, bytes) => void nodes.set(bytesToHex(hash), bytesToHex(bytes)),
      flush: () => void flushes++,
    },
    chunkLeaves === undefined ? {} : { chunkLeaves },
  );
  return { root: bytesToHex(root), nodes, flushes };
}

/** Inserted in several batches, as blocks would, so the incremental path re-collapses and splits. */
async function incremental(entries: Array<[Uint8Array, Uint8Array]>, batches: number) {
  const store = new MemoryNodeStore();
  const tree = new SparseMerkleTree(store);
  const all = new Map<string, string>();
  const size = Math.max(1, Math.ceil(entries.length / batches));
  for (let start = 0; start < entries.length; start += size) {
    const writes: SmtWrite[] = entries
      .slice(start, start + size)
      .map(([keyHash, valueHash]) => ({ keyHash, valueHash }));
    const { newNodes } = await tree.update(writes);
    store.put(newNodes);
    for (const [hash, bytes] of newNodes) all.set(hash, bytesToHex(bytes));
  }
  return { root: bytesToHex(tree.root), store, all };
}

const hash32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
/** Keys that often share prefixes: a few random first bytes, the rest mostly zero. */
const craftedKey = fc
  .tuple(fc.nat({ max: 3 }), fc.nat({ max: 255 }), fc.nat({ max: 31 }), fc.nat({ max: 255 }))
  .map(([first, second, at, last]) => {
    const key = new Uint8Array(32);
    key[0] = first;
    key[1] = second & 0xc0;
    key[at] = (key[at] ?? 0) | last;
    return key;
  });
const entriesOf = (key: fc.Arbitrary<Uint8Array>) =>
  fc.uniqueArray(fc.tuple(key, hash32), { maxLength: 120, selector: ([k]) => bytesToHex(k) });

describe('buildSmtBulk', () => {
  it('gives the root and nodes of incremental updates for random keys', async () => {
    await fc.assert(
      fc.asyncProperty(
        entriesOf(hash32),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 16 }),
        async (entries, batches, chunkLeaves) => {
          const built = await bulk(entries, chunkLeaves);
          const reference = await incremental(entries, batches);
          expect(built.root).toBe(reference.root);
          // every node of the final tree is emitted, and each one is a node of the incremental tree
          for (const [hash, bytes] of built.nodes) expect(reference.all.get(hash)).toBe(bytes);
          const tree = new SparseMerkleTree(
            { get: (h) => Promise.resolve(built.nodes.has(h) ? Buffer.from(built.nodes.get(h)!, 'hex') : undefined) },
            Buffer.from(built.root, 'hex'),
          );
          for (const [key, value] of entries) expect(bytesToHex((await tree.get(key))!)).toBe(bytesToHex(value));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('gives the root of incremental updates for keys with long shared prefixes', async () => {
    await fc.assert(
      fc.asyncProperty(entriesOf(craftedKey), fc.integer({ min: 1, max: 4 }), async (entries, batches) => {
        expect((await bulk(entries, 2)).root).toBe((await incremental(entries, batches)).root);
      }),
      { numRuns: 150 },
    );
  });

  it('builds the empty tree and a single leaf', async () => {
    expect((await bulk([])).root).toBe(bytesToHex(SMT_EMPTY_ROOT));
    const key = new Uint8Array(32).fill(7);
    const value = new Uint8Array(32).fill(9);
    expect((await bulk([[key, value]])).root).toBe((await incremental([[key, value]], 1)).root);
  });

  it('flushes between chunks and sorts 20,000 leaves like the incremental tree', async () => {
    const entries: Array<[Uint8Array, Uint8Array]> = Array.from({ length: 20_000 }, (_, i) => {
      const key = new Uint8Array(32);
      new DataView(key.buffer).setUint32(0, Math.imul(i + 1, 2_654_435_761) >>> 0);
      key[31] = i & 0xff; // prefixes collide: the full-key tie-break must order them
      key[4] = (i >> 8) & 0xff;
      return [key, new Uint8Array(32).fill(i % 251)];
    });
    const built = await bulk(entries, 1_000);
    expect(built.flushes).toBeGreaterThan(20);
    expect(built.root).toBe((await incremental(entries, 1)).root);
  });

  it('refuses a key given twice', async () => {
    const key = new Uint8Array(32).fill(1);
    await expect(
      bulk([
        [key, new Uint8Array(32)],
        [key.slice(), new Uint8Array(32).fill(2)],
      ]),
    ).rejects.toBeInstanceOf(SmtError);
  });
});
