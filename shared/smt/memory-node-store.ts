// The node store for tests and small chains: a Map in memory, same contract as the LevelDB one.
import type { SmtNodeReader } from './interface.js';

const HASH_HEX = /^[0-9a-f]{64}$/;

export class MemoryNodeStore implements SmtNodeReader {
  readonly #nodes = new Map<string, Uint8Array>();

  get(hashHex: string): Promise<Uint8Array | undefined> {
    return Promise.resolve(this.#nodes.get(hashHex));
  }

  /**
   * Stores the `newNodes` of an update (copies: an update's nodes are views into its own large
   * arrays, new-nodes.ts). Content-addressed, so re-putting a node is harmless.
   */
  put(newNodes: ReadonlyMap<string, Uint8Array>): void {
    for (const [hashHex, bytes] of newNodes) {
      if (!HASH_HEX.test(hashHex) || !(bytes instanceof Uint8Array)) throw new Error(`not a node: ${hashHex}`);
      this.#nodes.set(hashHex, bytes.slice());
    }
  }

  get size(): number {
    return this.#nodes.size;
  }
}
