// The head state tree's answer for a key (its value hash, or absent), walked through memory.
// Admission checks every record it reads against the tree (Chain.getMany): about five walks a
// transfer, each of a path's ~17 levels at 40,000 objects (~23 at 7.4 million). Walked on the
// node cache's stored bytes, each level cost a hex string of the child's hash, built and hashed
// anew for the cache's map lookups, and two views of the node: about 2.3 µs a level, 40 µs a
// walk with every node in memory (issue 15: 6–7 % of a validator under the network bench).
//
// Here each node a walk meets is kept once in its walking form: an inner node's two children as
// hex strings, made once, whose map hashes V8 then keeps with them; a leaf as its stored bytes.
// A level is then one map lookup by a string already hashed. Nodes are content-
// addressed and never change, so a kept node is always right, whatever root a walk starts at;
// nodes come from the node cache, which verifies every node it reads from the store.
import { bytesToHex } from '../../../shared/codec/index.js';
import { SMT_DEPTH_MAX, SMT_EMPTY_ROOT, SMT_NODE_BYTES } from '../../../shared/smt/index.js';
import { bitAt } from '../../../shared/smt/node.js';
import { corruptError } from '../store/errors.js';
import type { CachedNodeReader } from './node-cache.js';
import { Generations } from './generations.js';

/**
 * Nodes kept in walking form: about 230 bytes each (an inner node's two 64-character strings
 * and its entry), so about 23 MB at most. The hot ones are the top of the tree and the paths
 * the last blocks wrote, which every walk passes through.
 */
export const WALK_NODES_MAX = 100_000;

/** The empty subtree's hash, as the tree writes it. */
const EMPTY_HEX = bytesToHex(SMT_EMPTY_ROOT);

/** The stored layout (shared/smt/node.ts): 0x83 tag 0x58 0x20 <32 bytes> 0x58 0x20 <32 bytes>. */
const TAG_AT = 1;
const LEAF_TAG = 0;
const FIRST = [4, 36] as const;
const SECOND = [38, 70] as const;

/**
 * An inner node's children, or a leaf's stored bytes (a copy: the node cache answers with a
 * view into one of its arenas' 1 MiB chunks, which a kept view would keep from being freed).
 */
type WalkNode =
  | { readonly leaf: false; readonly left: string; readonly right: string }
  | { readonly leaf: true; readonly bytes: Uint8Array };

export class TreeWalker {
  /** Two generations, as in the node cache (generations.ts): bounded by entriesMax. */
  readonly #kept: Generations<WalkNode>;

  constructor(
    private readonly nodes: CachedNodeReader,
    private readonly dir: string,
    readonly entriesMax = WALK_NODES_MAX,
  ) {
    this.#kept = new Generations(entriesMax);
  }

  /**
   * The value hash the tree under `rootHex` holds for `keyHash`, undefined when it holds none.
   * A node missing from the store, or not of the node layout, is StoreDamage naming it.
   */
  async valueHashAt(rootHex: string, keyHash: Uint8Array): Promise<Uint8Array | undefined> {
    let hashHex = rootHex;
    for (let depth = 0; depth <= SMT_DEPTH_MAX; depth++) {
      if (hashHex === EMPTY_HEX) return undefined;
      // Most of a path is in memory: await only for the nodes that are not.
      const node = this.#kept.get(hashHex) ?? (await this.#load(hashHex));
      if (node.leaf) return leafKeyIs(node.bytes, keyHash) ? node.bytes.subarray(...SECOND) : undefined;
      hashHex = bitAt(keyHash, depth) ? node.right : node.left;
    }
    throw corruptError(this.dir, 'a state-tree path is deeper than 256 levels', undefined, {
      kind: 'state-node',
      key: hashHex,
    });
  }

  get size(): number {
    return this.#kept.size;
  }

  async #load(hashHex: string): Promise<WalkNode> {
    const bytes = this.nodes.cached(hashHex) ?? (await this.nodes.get(hashHex));
    if (bytes === undefined || bytes.length !== SMT_NODE_BYTES)
      throw corruptError(this.dir, 'the state-tree node is missing', undefined, { kind: 'state-node', key: hashHex });
    const node: WalkNode =
      bytes[TAG_AT] === LEAF_TAG
        ? { leaf: true, bytes: bytes.slice() }
        : { leaf: false, left: hexAt(bytes, FIRST[0]), right: hexAt(bytes, SECOND[0]) };
    this.#kept.add(hashHex, node);
    return node;
  }
}

/**
 * The 32 bytes at `from` as lowercase hex, one flat string (Buffer's encoder; a string built by
 * concatenation is a chain of pieces, several times the memory until V8 flattens it).
 */
function hexAt(bytes: Uint8Array, from: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + from, 32).toString('hex');
}

function leafKeyIs(bytes: Uint8Array, keyHash: Uint8Array): boolean {
  if (keyHash.length !== 32) return false;
  for (let i = 0; i < 32; i++) if (bytes[FIRST[0] + i] !== keyHash[i]) return false;
  return true;
}
