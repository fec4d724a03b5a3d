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

export class NewNodes implements ReadonlyMap<string, Uint8Array> {
  readonly #rows: NewNode[] = [];
  #byHex: Map<string, Uint8Array> | undefined;

  /** Adds a node the update made; the caller keeps neither array afterwards. */
  add(hash: Uint8Array, bytes: Uint8Array): void {
    this.#rows.push({ hash, bytes });
    this.#byHex?.set(bytesToHex(hash), bytes);
  }

  /** The nodes by their hashes' bytes, in the order made: what the store and the node cache take. */
  rows(): readonly NewNode[] {
    return this.#rows;
  }

  get size(): number {
    return this.#rows.length;
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
    this.#byHex ??= new Map(this.#rows.map(({ hash, bytes }) => [bytesToHex(hash), bytes]));
    return this.#byHex;
  }
}
