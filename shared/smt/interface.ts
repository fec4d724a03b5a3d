// Contracts of the state tree (DESIGN §4 stateRoot): the store it reads, the writes it takes
// and the proofs it gives. Everything that leaves the tree is JSON-friendly (lowercase hex).
import type { NewNodes } from './new-nodes.js';

/**
 * Content-addressed node storage: key = lowercase hex of the node's hash, value = the node's
 * canonical encoding (see node.ts). Async so that it can be LevelDB. Nodes are never deleted
 * by the tree, so every old root stays readable.
 */
export interface SmtNodeReader {
  get(hashHex: string): Promise<Uint8Array | undefined>;
  /**
   * Optional: several nodes in one call (one LevelDB getMany instead of one read each), in
   * the order asked, undefined where missing. update() loads a level's nodes with it.
   */
  getMany?(hashHexes: string[]): Promise<Array<Uint8Array | undefined>>;
  /**
   * Optional: getMany by the hashes' 32 bytes, the tree's own form (no hex made for each node
   * it loads). update() prefers it to getMany.
   */
  getManyByHash?(hashes: Uint8Array[]): Promise<Array<Uint8Array | undefined>>;
  /**
   * Optional, true only when every node this reader returns was already found to hash to its
   * key (or was made by the tree): the tree then checks its layout and does not hash it again.
   * Otherwise the tree hashes every node it reads (the store may be damaged or lying).
   */
  readonly hashChecked?: boolean;
}

/** Sets `keyHash` to `valueHash`, or removes it when `valueHash` is null. Both are 32 bytes. */
export interface SmtWrite {
  keyHash: Uint8Array;
  valueHash: Uint8Array | null;
}

export interface SmtUpdateResult {
  root: Uint8Array;
  /**
   * The nodes the update made, for the caller to persist in the same batch as the block: by
   * their hashes' bytes (`rows()`), or read as a Map of hash hex -> encoded node.
   */
  newNodes: NewNodes;
}

/**
 * The path from the root towards a key. It ends in an empty subtree (absence), in the key's own
 * leaf (inclusion) or in another key's leaf that sits where the key would be (absence).
 */
export interface SmtProof {
  /** Sibling hashes, lowercase hex, from the root's children downwards; length = depth of the end. */
  siblings: string[];
  /** The leaf the path ends in; missing when it ends in an empty subtree. */
  leaf?: { keyHash: string; valueHash: string };
}
