// The node cache's tables keep nodes' bytes in an arena (node-arena.ts) and the tree update's
// new nodes are copied into a few large arrays (shared/smt/new-nodes.ts): both must answer
// exactly what a Map of their own arrays would, and a view they handed out must keep its bytes
// whatever comes after (more nodes, a new chunk, the table emptied).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../../shared/codec/index.js';
import { NewNodes } from '../../shared/smt/new-nodes.js';
import { Generations } from '../../electron/node/chain/generations.js';
import { ARENA_CHUNK_BYTES, ARENA_NODE_BYTES_MAX, NodeArenaTable } from '../../electron/node/chain/node-arena.js';

const hashArb = fc.uint8Array({ minLength: 32, maxLength: 32 }).map((hash) => {
  hash[1] = hash[1]! & 3; // few distinct first bytes: shared slots
  return hash;
});
const bytesArb = fc.uint8Array({ minLength: 1, maxLength: 120 });

const opArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('set' as const), hash: hashArb, bytes: bytesArb }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('get' as const), hash: hashArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('clear' as const) }) },
);

function node(seed: number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (seed * 31 + i * 7) & 0xff;
  return bytes;
}

function hashOf(seed: number): Uint8Array {
  const hash = new Uint8Array(32);
  new DataView(hash.buffer).setUint32(0, seed);
  hash[31] = seed & 0xff;
  return hash;
}

describe('a node arena table', () => {
  it('answers as a Map of copies, up to its bound; a hash keeps its first bytes', () => {
    fc.assert(
      fc.property(fc.nat(30), fc.array(opArb, { maxLength: 300 }), (entriesMax, ops) => {
        const table = new NodeArenaTable(entriesMax);
        const model = new Map<string, Uint8Array>();
        const handedOut: Array<[Uint8Array, Uint8Array]> = [];
        for (const op of ops) {
          if (op.kind === 'clear') {
            table.clear();
            model.clear();
          } else if (op.kind === 'set') {
            const key = bytesToHex(op.hash);
            const fits = model.has(key) || model.size < entriesMax;
            expect(table.set(op.hash, op.bytes)).toBe(fits);
            if (fits && !model.has(key)) model.set(key, op.bytes.slice());
            op.bytes.fill(0xee); // the caller reuses its array
          } else {
            const got = table.get(op.hash);
            const want = model.get(bytesToHex(op.hash));
            expect(got).toEqual(want);
            if (got !== undefined) handedOut.push([got, got.slice()]);
          }
          expect(table.size).toBe(model.size);
        }
        // every view handed out still reads what it read, cleared or not
        for (const [view, copy] of handedOut) expect(view).toEqual(copy);
      }),
    );
  });

  it('crosses chunks, keeps views across a clear, and refuses a node too long to hold', () => {
    const table = new NodeArenaTable(100_000);
    const count = Math.ceil((2.5 * ARENA_CHUNK_BYTES) / 72);
    for (let i = 0; i < count; i++) expect(table.set(hashOf(i), node(i, 70))).toBe(true);
    expect(table.bytes).toBe(3 * ARENA_CHUNK_BYTES);
    for (let i = 0; i < count; i += 97) expect(table.get(hashOf(i))).toEqual(node(i, 70));
    expect(table.get(hashOf(count - 1))).toEqual(node(count - 1, 70));
    const view = table.get(hashOf(5))!;
    table.clear();
    expect(table.size).toBe(0);
    expect(table.get(hashOf(5))).toBeUndefined();
    for (let i = 0; i < 20_000; i++) table.set(hashOf(1_000_000 + i), node(i, 70).fill(0xab));
    expect(view).toEqual(node(5, 70));
    expect(table.set(hashOf(7), new Uint8Array(ARENA_NODE_BYTES_MAX + 1))).toBe(false);
    expect(table.get(hashOf(7))).toBeUndefined();
    expect(table.set(hashOf(8), node(8, ARENA_NODE_BYTES_MAX))).toBe(true);
    expect(table.get(hashOf(8))).toEqual(node(8, ARENA_NODE_BYTES_MAX));
  });

  it('keeps, in two generations, exactly what two generations of Maps keep', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 12 }),
        fc.array(fc.tuple(fc.boolean(), fc.nat(25)), { maxLength: 200 }),
        (entriesMax, ops) => {
          const arenas = new Generations<Uint8Array, Uint8Array>(entriesMax, (n) => new NodeArenaTable(n));
          const maps = new Generations<Uint8Array, string>(entriesMax);
          for (const [add, seed] of ops) {
            if (add) {
              arenas.add(hashOf(seed), node(seed, 1 + (seed % 90)));
              maps.add(bytesToHex(hashOf(seed)), node(seed, 1 + (seed % 90)));
            } else {
              expect(arenas.get(hashOf(seed))).toEqual(maps.get(bytesToHex(hashOf(seed))));
            }
            expect(arenas.size).toBe(maps.size);
          }
        },
      ),
    );
  });
});

describe("a tree update's new nodes", () => {
  it('are copies, in the order added, whether read before, between or after the adds', () => {
    const nodes = new NewNodes();
    const added: Array<[Uint8Array, Uint8Array]> = [];
    let early: readonly { hash: Uint8Array; bytes: Uint8Array }[] = [];
    // past the first hash array (1,024) and the first chunk (256 KiB) of node bytes
    for (let i = 0; i < 6_000; i++) {
      const hash = hashOf(i);
      const bytes = node(i, 40 + (i % 60));
      added.push([hash.slice(), bytes.slice()]);
      nodes.add(hash, bytes);
      hash.fill(0); // the update's arrays are its own to reuse
      bytes.fill(0);
      if (i === 500) early = nodes.rows().slice();
      if (i === 1_500) expect(nodes.get(bytesToHex(hashOf(3)))).toEqual(node(3, 43));
    }
    expect(nodes.size).toBe(6_000);
    const rows = nodes.rows();
    expect(rows.length).toBe(6_000);
    rows.forEach((row, i) => {
      expect(row.hash).toEqual(added[i]![0]);
      expect(row.bytes).toEqual(added[i]![1]);
    });
    early.forEach((row, i) => expect([row.hash, row.bytes]).toEqual(added[i]));
    expect([...nodes.entries()]).toEqual(added.map(([hash, bytes]) => [bytesToHex(hash), bytes]));
    expect(() => nodes.add(new Uint8Array(31), new Uint8Array(5))).toThrow(RangeError);
  });
});
