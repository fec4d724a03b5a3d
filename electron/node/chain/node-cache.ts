// A bounded LRU cache of state-tree nodes in front of LevelDB. Nodes are content-addressed
// and never change, so a cached node is always right. Every lookup and every block walks the
// top of the tree, and a block's new nodes are the paths the next blocks walk again: without
// the cache each of those is an async LevelDB read (issue #6: ~22 reads per proof at 7.4M).
import type { SmtNodeReader } from '../../../shared/smt/index.js';

/** ~150 bytes each (hex key, 70-byte node, map entry): about 40 MB at the default. */
export const NODE_CACHE_ENTRIES_DEFAULT = 250_000;

export class CachedNodeReader implements SmtNodeReader {
  readonly #cache = new Map<string, Uint8Array>();

  constructor(
    private readonly source: { getSmtNode(hashHex: string): Promise<Uint8Array | undefined> },
    readonly entriesMax = NODE_CACHE_ENTRIES_DEFAULT,
  ) {}

  async get(hashHex: string): Promise<Uint8Array | undefined> {
    const hit = this.#cache.get(hashHex);
    if (hit !== undefined) {
      // most recently used last
      this.#cache.delete(hashHex);
      this.#cache.set(hashHex, hit);
      return hit;
    }
    const bytes = await this.source.getSmtNode(hashHex);
    if (bytes !== undefined) this.#add(hashHex, bytes);
    return bytes;
  }

  /** Nodes just written (a committed block's): the next blocks walk them first. */
  remember(nodes: Iterable<[string, Uint8Array]>): void {
    for (const [hashHex, bytes] of nodes) this.#add(hashHex, bytes);
  }

  get size(): number {
    return this.#cache.size;
  }

  #add(hashHex: string, bytes: Uint8Array): void {
    if (this.entriesMax <= 0) return;
    this.#cache.delete(hashHex);
    this.#cache.set(hashHex, bytes);
    if (this.#cache.size > this.entriesMax) this.#cache.delete(this.#cache.keys().next().value as string);
  }
}
