// Bulk build of the sparse Merkle tree from a sorted set of leaves, for a genesis of millions
// of objects: no node is ever read back, every node is computed once, and the nodes leave
// through `sink` in bounded chunks so the caller can write them to LevelDB as it goes.
// The result is the canonical tree: the same root (and the same nodes) as inserting the same
// pairs with SparseMerkleTree.update, which test/unit/smt-bulk.test.ts proves on random input.
//
// Leaves are packed, 64 bytes each (keyHash || valueHash), in `SmtLeafTable` chunks, and
// visited through a sorted index, so 7.4 million leaves cost ~475 MB of buffers and no
// per-leaf JavaScript object.
import { SMT_DEPTH_MAX, SMT_EMPTY_ROOT, SmtError, encodeNode, smtInternalHash, smtLeafHash } from './node.js';
import { HASH_BYTES } from '../crypto/index.js';

const ENTRY_BYTES = 2 * HASH_BYTES;
const CHUNK_SHIFT = 16;
const CHUNK_ENTRIES = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_ENTRIES - 1;

/** Append-only table of (keyHash, valueHash) pairs in fixed-size chunks (no re-allocation as it grows). */
export class SmtLeafTable {
  readonly #chunks: Uint8Array[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  add(keyHash: Uint8Array, valueHash: Uint8Array): void {
    if (keyHash.length !== HASH_BYTES || valueHash.length !== HASH_BYTES)
      throw new SmtError('INVALID_INPUT', 'a leaf is two 32-byte hashes');
    const index = this.#size;
    if ((index & CHUNK_MASK) === 0) this.#chunks.push(new Uint8Array(CHUNK_ENTRIES * ENTRY_BYTES));
    const chunk = this.#chunks[index >>> CHUNK_SHIFT] as Uint8Array;
    const at = (index & CHUNK_MASK) * ENTRY_BYTES;
    chunk.set(keyHash, at);
    chunk.set(valueHash, at + HASH_BYTES);
    this.#size++;
  }

  /** The chunk and byte offset of entry `index`. */
  locate(index: number): [Uint8Array, number] {
    return [this.#chunks[index >>> CHUNK_SHIFT] as Uint8Array, (index & CHUNK_MASK) * ENTRY_BYTES];
  }

  keyHash(index: number): Uint8Array {
    const [chunk, at] = this.locate(index);
    return chunk.subarray(at, at + HASH_BYTES);
  }

  valueHash(index: number): Uint8Array {
    const [chunk, at] = this.locate(index);
    return chunk.subarray(at + HASH_BYTES, at + ENTRY_BYTES);
  }

  byte(index: number, byteIndex: number): number {
    const [chunk, at] = this.locate(index);
    return chunk[at + byteIndex] as number;
  }

  compareKeys(a: number, b: number): number {
    const [chunkA, atA] = this.locate(a);
    const [chunkB, atB] = this.locate(b);
    for (let i = 0; i < HASH_BYTES; i++) {
      const diff = (chunkA[atA + i] as number) - (chunkB[atB + i] as number);
      if (diff !== 0) return diff;
    }
    return 0;
  }

  /**
   * Entry indexes in key order. Keys are hashes, so a 30-bit prefix packed with the index into
   * one float sorts natively; the few runs of equal prefixes are then sorted by full key.
   */
  sortedOrder(): Uint32Array {
    const n = this.#size;
    const order = new Uint32Array(n);
    if (n <= 1 << 23) {
      const packed = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const [chunk, at] = this.locate(i);
        const prefix =
          (((chunk[at] as number) << 22) |
            ((chunk[at + 1] as number) << 14) |
            ((chunk[at + 2] as number) << 6) |
            ((chunk[at + 3] as number) >>> 2)) >>>
          0;
        packed[i] = prefix * 8_388_608 + i; // prefix < 2^30, i < 2^23: exact below 2^53
      }
      packed.sort();
      for (let i = 0; i < n; i++) order[i] = (packed[i] as number) % 8_388_608;
    } else {
      for (let i = 0; i < n; i++) order[i] = i;
    }
    // Full-key order inside runs that the prefix could not tell apart (or everything, past 2^23 entries).
    const fullSort = n > 1 << 23;
    let start = 0;
    while (start < n) {
      let end = start + 1;
      if (fullSort) end = n;
      else while (end < n && this.#prefix30(order[end] as number) === this.#prefix30(order[start] as number)) end++;
      if (end - start > 1) {
        const run = Array.from(order.subarray(start, end)).sort((a, b) => this.compareKeys(a, b));
        order.set(run, start);
      }
      start = end;
    }
    return order;
  }

  #prefix30(index: number): number {
    const [chunk, at] = this.locate(index);
    return (
      (((chunk[at] as number) << 22) |
        ((chunk[at + 1] as number) << 14) |
        ((chunk[at + 2] as number) << 6) |
        ((chunk[at + 3] as number) >>> 2)) >>>
      0
    );
  }
}

/** Receives each new node once (hash, canonical bytes); `flush` is awaited between chunks of work. */
export interface SmtBulkSink {
  node(hash: Uint8Array, bytes: Uint8Array): void;
  flush(): Promise<void> | void;
}

export interface SmtBulkOptions {
  /** Leaves built synchronously between two `flush` calls. Default 4,096. */
  chunkLeaves?: number;
}

interface Subtree {
  hash: Uint8Array;
  kind: 'empty' | 'leaf' | 'internal';
}

const EMPTY: Subtree = { hash: SMT_EMPTY_ROOT, kind: 'empty' };

/**
 * Builds the tree of every leaf in `table` (indexes in key order given by `order`, keys
 * distinct) and returns its root. Throws INVALID_INPUT if two leaves share a key.
 */
export async function buildSmtBulk(
  table: SmtLeafTable,
  order: Uint32Array,
  sink: SmtBulkSink,
  options: SmtBulkOptions = {},
): Promise<Uint8Array> {
  if (order.length !== table.size) throw new SmtError('INVALID_INPUT', 'the order does not cover the table');
  for (let i = 1; i < order.length; i++) {
    const cmp = table.compareKeys(order[i - 1] as number, order[i] as number);
    if (cmp === 0) throw new SmtError('INVALID_INPUT', `key ${hex(table.keyHash(order[i] as number))} appears twice`);
    if (cmp > 0) throw new SmtError('INVALID_INPUT', 'the order is not sorted by key');
  }
  const chunkLeaves = options.chunkLeaves ?? 4_096;

  const bitAt = (position: number, depth: number): number =>
    (table.byte(order[position] as number, depth >> 3) >> (7 - (depth & 7))) & 1;
  const split = (lo: number, hi: number, depth: number): number => {
    let low = lo;
    let high = hi;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (bitAt(middle, depth) === 0) low = middle + 1;
      else high = middle;
    }
    return low;
  };
  const join = (left: Subtree, right: Subtree): Subtree => {
    if (left.kind === 'empty' && right.kind !== 'internal') return right;
    if (right.kind === 'empty' && left.kind !== 'internal') return left;
    const hash = smtInternalHash(left.hash, right.hash);
    sink.node(hash, encodeNode({ kind: 'internal', left: left.hash, right: right.hash }));
    return { hash, kind: 'internal' };
  };
  const build = (lo: number, hi: number, depth: number): Subtree => {
    if (lo === hi) return EMPTY;
    if (hi - lo === 1) {
      const index = order[lo] as number;
      const keyHash = table.keyHash(index);
      const valueHash = table.valueHash(index);
      const hash = smtLeafHash(keyHash, valueHash);
      sink.node(hash, encodeNode({ kind: 'leaf', keyHash, valueHash }));
      return { hash, kind: 'leaf' };
    }
    if (depth >= SMT_DEPTH_MAX) throw new Error('SMT invariant: two distinct keys share all 256 bits');
    const mid = split(lo, hi, depth);
    return join(build(lo, mid, depth + 1), build(mid, hi, depth + 1));
  };
  const buildChunked = async (lo: number, hi: number, depth: number): Promise<Subtree> => {
    if (hi - lo <= chunkLeaves) {
      const subtree = build(lo, hi, depth);
      await sink.flush();
      return subtree;
    }
    const mid = split(lo, hi, depth);
    const left = await buildChunked(lo, mid, depth + 1);
    const right = await buildChunked(mid, hi, depth + 1);
    return join(left, right);
  };
  const root = await buildChunked(0, order.length, 0);
  await sink.flush();
  return root.hash.slice();
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
