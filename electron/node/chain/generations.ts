// A bounded map of two generations, the nodes' caches' eviction: an entry read or added goes
// into the young map; when that holds half the bound, it becomes the old one and the previous
// old one is dropped whole. A hit in the old map moves the entry back to the young one. O(1) a
// step. (An exact LRU on one Map deleted its oldest key on every insert: V8 leaves a hole per
// deleted entry at the front, so finding the oldest became a scan that grew with the chain:
// 18 % of ingest's CPU at 40,000 transfers.)
export class Generations<V> {
  #young = new Map<string, V>();
  #old = new Map<string, V>();

  constructor(readonly entriesMax: number) {}

  /** The entry, made the most recently used; undefined when it is not held. */
  get(key: string): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) this.add(key, old);
    return old;
  }

  add(key: string, value: V): void {
    if (this.entriesMax <= 0 || this.#young.has(key)) return;
    this.#young.set(key, value);
    if (this.#young.size >= Math.max(1, this.entriesMax >> 1)) {
      this.#old = this.#young;
      this.#young = new Map();
    }
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }
}
