// The nodes one update of the tree made, for the caller to persist with its block. The tree
// makes each node from its hash's 32 bytes, and the node's consumers on the node (the store's
// key, the node cache's table) want those bytes: a Map keyed by hex made a 64-character string
// of every node (0.8 µs each, ~8,000 nodes a block) that the store and the cache then turned
// back into bytes. Here each node is kept as made, and the hex view (tests, the memory store,
// anything reading it as a Map) is made only when asked for.
//
// Each node is added once: an update makes a node at one place of the tree only, since a
// node's hash fixes the keys below it and so its place.
import { bytesToHex } from '../codec/index.js';

export interface NewNode {
  /** The node's hash, 32 bytes. */
  readonly hash: Uint8Array;
  /** The node's canonical encoding (node.ts). */
  readonly bytes: Uint8Array;
}

/** Bytes the largest chunk of node encodings holds (a node is ~70 bytes); the first holds 4 KiB, each next one twice the last. */
const CHUNK_BYTES = 1 << 18;
const FIRST_CHUNK_BYTES = 1 << 12;

export class NewNodes implements ReadonlyMap<string, Uint8Array> {
  /**
   * The nodes are copied into a few large arrays (their hashes into one, their bytes into
   * chunks) and the update's own arrays left to die young: a block's ~8,000 nodes as arrays of
   * their own lived until its commit, and V8 copied each out of its young generation, often
   * twice (the largest share of what a block left for the garbage collector).
   */
  #hashes = new Uint8Array(64 * 32);
  readonly #chunks: Uint8Array[] = [];
  #chunkUsed = 0;
  /** Each node's chunk, offset and length, three numbers a node. */
  readonly #where: number[] = [];
  #size = 0;
  #rows: NewNode[] | undefined;
  #byHex: Map<string, Uint8Array> | undefined;

  /** Adds a node the update made (copied: the caller may reuse or drop both arrays). */
  add(hash: Uint8Array, bytes: Uint8Array): void {
    if (hash.length !== 32) throw new RangeError('a node hash is 32 bytes');
    if ((this.#size + 1) * 32 > this.#hashes.length) {
      const grown = new Uint8Array(this.#hashes.length * 2);
      grown.set(this.#hashes);
      this.#hashes = grown;
    }
    this.#hashes.set(hash, this.#size * 32);
    const last = this.#chunks.at(-1);
    if (last === undefined || this.#chunkUsed + bytes.length > last.length) {
      const size = last === undefined ? FIRST_CHUNK_BYTES : Math.min(CHUNK_BYTES, last.length * 2);
      this.#chunks.push(new Uint8Array(Math.max(size, bytes.length)));
      this.#chunkUsed = 0;
    }
    const chunk = this.#chunks.length - 1;
    this.#chunks[chunk]!.set(bytes, this.#chunkUsed);
    this.#where.push(chunk, this.#chunkUsed, bytes.length);
    this.#chunkUsed += bytes.length;
    this.#size++;
    if (this.#rows !== undefined || this.#byHex !== undefined) {
      const row = this.#row(this.#size - 1);
      this.#rows?.push(row);
      this.#byHex?.set(bytesToHex(row.hash), row.bytes);
    }
  }

  /**
   * The nodes by their hashes' bytes, in the order made: what the store and the node cache take.
   * Views into this object's arrays: read them, never write to them.
   */
  rows(): readonly NewNode[] {
    if (this.#rows === undefined) {
      const rows: NewNode[] = new Array(this.#size);
      for (let i = 0; i < this.#size; i++) rows[i] = this.#row(i);
      this.#rows = rows;
    }
    return this.#rows;
  }

  #row(i: number): NewNode {
    const where = this.#where;
    const at = where[i * 3 + 1]!;
    return {
      hash: this.#hashes.subarray(i * 32, i * 32 + 32),
      bytes: this.#chunks[where[i * 3]!]!.subarray(at, at + where[i * 3 + 2]!),
    };
  }

  get size(): number {
    return this.#size;
  }

  get(hashHex: string): Uint8Array | undefined {
    return this.#hex().get(hashHex);
  }

  has(hashHex: string): boolean {
    return this.#hex().has(hashHex);
  }

  entries(): MapIterator<[string, Uint8Array]> {
    return this.#hex().entries();
  }

  keys(): MapIterator<string> {
    return this.#hex().keys();
  }

  values(): MapIterator<Uint8Array> {
    return this.#hex().values();
  }

  forEach(
    callback: (value: Uint8Array, key: string, map: ReadonlyMap<string, Uint8Array>) => void,
    thisArg?: unknown,
  ): void {
    for (const [key, value] of this.#hex()) callback.call(thisArg, value, key, this);
  }

  [Symbol.iterator](): MapIterator<[string, Uint8Array]> {
    return this.#hex().entries();
  }

  #hex(): Map<string, Uint8Array> {
    this.#byHex ??= new Map(this.rows().map(({ hash, bytes }) => [bytesToHex(hash), bytes]));
    return this.#byHex;
  }
}
