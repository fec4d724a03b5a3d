// A bounded map of two generations, the nodes' caches' eviction: an entry read or added goes
// into the young table; when that holds half the bound, it becomes the old one and the previous
// old one is emptied and reused as the young. A hit in the old table moves the entry back to the
// young one. O(1) a step. (An exact LRU on one Map deleted its oldest key on every insert: V8
// leaves a hole per deleted entry at the front, so finding the oldest became a scan that grew
// with the chain: 18 % of ingest's CPU at 40,000 transfers.)

/** What a generation is held in: a Map, or a table of the same few methods (store/hash-table.ts). */
export interface GenerationTable<K, V> {
  get(key: K): V | undefined;
  set(key: K, value: V): unknown;
  has(key: K): boolean;
  clear(): void;
  readonly size: number;
}

export class Generations<V, K = string> {
  readonly #half: number;
  #young: GenerationTable<K, V>;
  #old: GenerationTable<K, V>;

  /** `table(entries)` makes one generation, to hold up to `entries`; a Map by default. */
  constructor(
    readonly entriesMax: number,
    table: (entries: number) => GenerationTable<K, V> = () => new Map<K, V>(),
  ) {
    this.#half = Math.max(1, entriesMax >> 1);
    this.#young = table(entriesMax <= 0 ? 0 : this.#half);
    this.#old = table(entriesMax <= 0 ? 0 : this.#half);
  }

  /** The entry, made the most recently used; undefined when it is not held. */
  get(key: K): V | undefined {
    const young = this.#young.get(key);
    if (young !== undefined) return young;
    const old = this.#old.get(key);
    if (old !== undefined) this.add(key, old);
    return old;
  }

  add(key: K, value: V): void {
    if (this.entriesMax <= 0 || this.#young.has(key)) return;
    this.#young.set(key, value);
    if (this.#young.size >= this.#half) {
      const emptied = this.#old;
      emptied.clear();
      this.#old = this.#young;
      this.#young = emptied;
    }
  }

  get size(): number {
    return this.#young.size + this.#old.size;
  }
}
