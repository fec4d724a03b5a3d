// Tables keyed by 32-byte hashes: the state-tree node cache's, and a commit batch's nodes
// (chain-store.ts, to find a node given twice). A Map keyed by the hash's hex
// paid for a hex string per lookup (0.8 µs with @noble's encoder) and for hashing and comparing
// 64-character strings in a table of 250,000 (another 0.8 µs, mostly cache misses): 14 % of
// ingest's main thread went to the node cache's lookups. Here a key is its 32 bytes in one
// slab, found by open addressing (linear probing, at most half full).
//
// A node's hash is a SHA-256 output, but a client can grind the leaves it writes until their
// hashes share leading bits, so the slot is not the hash's first bits: it is a keyed mix of its
// first eight bytes with a per-table random key (as V8 seeds its string hashes), so nobody
// outside knows which hashes share a slot.
import { randomBytes } from 'node:crypto';

export const HASH_KEY_BYTES = 32;

/** A set-and-read table of at most `entriesMax` entries; emptied whole, never entry by entry. */
export class HashTable<V> {
  readonly #bits: number;
  readonly #mask: number;
  /** Made at the first set: a table never filled costs nothing. */
  #keys: Uint8Array | undefined;
  #values: Array<V | undefined> | undefined;
  readonly #seed0: number;
  readonly #seed1: number;
  #size = 0;

  constructor(readonly entriesMax: number) {
    if (!Number.isSafeInteger(entriesMax) || entriesMax < 0 || entriesMax > 1 << 28)
      throw new RangeError('a hash table holds 0 to 2^28 entries');
    // at least twice the entries, a power of two: a probe meets an empty slot within a few steps
    this.#bits = Math.max(4, Math.ceil(Math.log2(Math.max(1, entriesMax) * 2)));
    const capacity = 2 ** this.#bits;
    this.#mask = capacity - 1;
    const seed = randomBytes(8);
    this.#seed0 = seed.readUInt32LE(0);
    this.#seed1 = seed.readUInt32LE(4) | 1;
  }

  get size(): number {
    return this.#size;
  }

  /** The value held for `hash`, or undefined. A key that is not 32 bytes is never held. */
  get(hash: Uint8Array): V | undefined {
    const values = this.#values;
    if (values === undefined || hash.length !== HASH_KEY_BYTES) return undefined;
    for (let slot = this.#slot(hash); ; slot = (slot + 1) & this.#mask) {
      const value = values[slot];
      if (value === undefined) return undefined;
      if (this.#keyAt(slot, hash)) return value;
    }
  }

  has(hash: Uint8Array): boolean {
    return this.get(hash) !== undefined;
  }

  /**
   * Holds `value` for `hash` (replacing what was held). False, changing nothing, when the table
   * already holds entriesMax other keys. `value` must not be undefined (an empty slot).
   */
  set(hash: Uint8Array, value: V): boolean {
    if (hash.length !== HASH_KEY_BYTES) throw new RangeError('a hash table key is 32 bytes');
    if (value === undefined) throw new TypeError('a hash table value is not undefined');
    if (this.#values === undefined) {
      this.#keys = new Uint8Array((this.#mask + 1) * HASH_KEY_BYTES);
      this.#values = new Array<V | undefined>(this.#mask + 1).fill(undefined);
    }
    const values = this.#values;
    let slot = this.#slot(hash);
    for (; values[slot] !== undefined; slot = (slot + 1) & this.#mask) {
      if (this.#keyAt(slot, hash)) {
        values[slot] = value;
        return true;
      }
    }
    if (this.#size >= this.entriesMax) return false;
    this.#keys!.set(hash, slot * HASH_KEY_BYTES);
    values[slot] = value;
    this.#size++;
    return true;
  }

  /** Empties the table, keeping its memory for the next entries. */
  clear(): void {
    if (this.#size === 0) return;
    this.#values!.fill(undefined);
    this.#size = 0;
  }

  /** The keyed mix of the first eight bytes, its top bits. */
  #slot(hash: Uint8Array): number {
    const low = (hash[0]! | (hash[1]! << 8) | (hash[2]! << 16) | (hash[3]! << 24)) ^ this.#seed0;
    const high = hash[4]! | (hash[5]! << 8) | (hash[6]! << 16) | (hash[7]! << 24);
    const mixed = Math.imul(low, 0x9e3779b1) ^ Math.imul(high ^ (low >>> 15), this.#seed1);
    return (Math.imul(mixed ^ (mixed >>> 16), 0x85ebca6b) >>> (32 - this.#bits)) & this.#mask;
  }

  #keyAt(slot: number, hash: Uint8Array): boolean {
    const keys = this.#keys!;
    const at = slot * HASH_KEY_BYTES;
    for (let i = 0; i < HASH_KEY_BYTES; i++) if (keys[at + i] !== hash[i]) return false;
    return true;
  }
}
