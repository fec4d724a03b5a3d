// A table of state-tree nodes whose bytes live in a few large buffers instead of one
// Uint8Array each (the node cache's generations and its pinned top levels).
//
// Why: a block of 500 transfers adds ~8,000 nodes to the cache, each a Uint8Array of its own
// that lives for many blocks. V8 copies every such object out of the young generation (its
// scavenges: ~5.7 s of a 75 s ingest-and-sync run's main thread, and twice that on its helper
// threads, on a machine whose other core runs the verify worker), and later marks and sweeps it
// in the old one. Here a node's bytes are copied into the current chunk of an arena, and the
// table keeps only a small integer (where they are): the cache holds no object per node.
//
// A lookup returns a view into the chunk. Chunks are never reused: `clear` drops the arena's
// chunks and starts new ones, so a view handed out before (a tree update still holding a node
// when its generation is emptied) keeps its chunk alive and its bytes unchanged.
import { HashTable } from '../store/hash-table.js';

/** Bytes a chunk holds: 1 MiB, ~15,000 nodes. */
export const ARENA_CHUNK_BYTES = 1 << 20;
/** Chunks an arena may hold: a location is chunk * 2^20 + offset, kept under 2^30 (a V8 small integer). */
const ARENA_CHUNKS_MAX = 1 << 10;
/** A node's bytes are prefixed by their length in two bytes: longer ones are not held. */
export const ARENA_NODE_BYTES_MAX = 0xffff;

export class NodeArenaTable {
  readonly #where: HashTable<number>;
  #chunks: Uint8Array[] = [];
  /** Bytes used in the last chunk. */
  #used = ARENA_CHUNK_BYTES;

  constructor(readonly entriesMax: number) {
    this.#where = new HashTable<number>(entriesMax);
  }

  get size(): number {
    return this.#where.size;
  }

  /** A view of the node's bytes (do not write to it), or undefined. */
  get(hash: Uint8Array): Uint8Array | undefined {
    const at = this.#where.get(hash);
    if (at === undefined) return undefined;
    const chunk = this.#chunks[at >>> 20]!;
    const offset = at & (ARENA_CHUNK_BYTES - 1);
    const length = chunk[offset]! | (chunk[offset + 1]! << 8);
    return chunk.subarray(offset + 2, offset + 2 + length);
  }

  has(hash: Uint8Array): boolean {
    return this.#where.has(hash);
  }

  /**
   * Copies `bytes` in and holds them for `hash`. False, changing nothing, when the table is full
   * (entriesMax), the arena is full, or the bytes are longer than a node can be. A hash already
   * held keeps its bytes (a node's hash fixes its bytes).
   */
  set(hash: Uint8Array, bytes: Uint8Array): boolean {
    if (this.#where.has(hash)) return true;
    if (bytes.length > ARENA_NODE_BYTES_MAX || this.#where.size >= this.#where.entriesMax) return false;
    const need = bytes.length + 2;
    if (this.#used + need > ARENA_CHUNK_BYTES) {
      if (this.#chunks.length >= ARENA_CHUNKS_MAX) return false;
      this.#chunks.push(new Uint8Array(ARENA_CHUNK_BYTES));
      this.#used = 0;
    }
    const index = this.#chunks.length - 1;
    const chunk = this.#chunks[index]!;
    const offset = this.#used;
    chunk[offset] = bytes.length & 0xff;
    chunk[offset + 1] = bytes.length >>> 8;
    chunk.set(bytes, offset + 2);
    this.#used += need;
    return this.#where.set(hash, index * ARENA_CHUNK_BYTES + offset);
  }

  /** Empties the table; its chunks are left to the views still holding them. */
  clear(): void {
    this.#where.clear();
    this.#chunks = [];
    this.#used = ARENA_CHUNK_BYTES;
  }

  /** The arena's bytes (its chunks, whole). */
  get bytes(): number {
    return this.#chunks.length * ARENA_CHUNK_BYTES;
  }
}
