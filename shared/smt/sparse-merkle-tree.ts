// The ledger's stateRoot (DESIGN §4): an authenticated map from sha256(stateKey) to
// sha256(encoded state value) that proves both presence and absence. One instance is a view of
// one root over an immutable, content-addressed node store; update() moves it to the next root.
import { bytesEqual, bytesToHex } from '../codec/index.js';
import type { SmtNodeReader, SmtProof, SmtUpdateResult, SmtWrite } from './interface.js';
import {
  SMT_DEPTH_MAX,
  SMT_EMPTY_ROOT,
  SmtError,
  type SmtNode,
  bitAt,
  decodeNode,
  decodeNodeLayout,
  isEmptyHash,
  isHash,
} from './node.js';
import { NewNodes } from './new-nodes.js';
import { applyWrites, sortWrites } from './update.js';

/** Writes in one update() call; a block's write set is far smaller (the 100k benchmark fits). */
export const SMT_UPDATE_WRITES_MAX = 1_000_000;

type LeafNode = Extract<SmtNode, { kind: 'leaf' }>;

export class SparseMerkleTree {
  readonly #reader: SmtNodeReader;
  #root: Uint8Array;
  #updating = false;

  constructor(reader: SmtNodeReader, rootHash: Uint8Array = SMT_EMPTY_ROOT) {
    if (!isHash(rootHash)) throw new SmtError('INVALID_INPUT', 'a root is a 32-byte hash');
    this.#reader = reader;
    this.#root = rootHash.slice();
  }

  /** A copy: the caller cannot move the tree by mutating it. */
  get root(): Uint8Array {
    return this.#root.slice();
  }

  /** The value hash stored under `keyHash`, or undefined when the key is absent. */
  async get(keyHash: Uint8Array): Promise<Uint8Array | undefined> {
    const { leaf } = await this.#walk(keyHash, []);
    return leaf !== undefined && bytesEqual(leaf.keyHash, keyHash) ? leaf.valueHash.slice() : undefined;
  }

  /** An inclusion proof if the key is present, otherwise an absence proof (see verifySmtProof). */
  async prove(keyHash: Uint8Array): Promise<SmtProof> {
    const siblings: Uint8Array[] = [];
    const { leaf } = await this.#walk(keyHash, siblings);
    const proof: SmtProof = { siblings: siblings.map(bytesToHex) };
    if (leaf !== undefined) proof.leaf = { keyHash: bytesToHex(leaf.keyHash), valueHash: bytesToHex(leaf.valueHash) };
    return proof;
  }

  /**
   * Applies the batch atomically: on any error (missing or corrupt node, bad write) the tree
   * stays at its old root. A key written twice in one batch is rejected (INVALID_INPUT), not
   * "last wins", because it means the caller's write set was built wrongly. The caller persists
   * `newNodes` (the empty subtree is never among them); old nodes are never removed.
   */
  async update(writes: SmtWrite[]): Promise<SmtUpdateResult> {
    // Two interleaved updates would both start from the same root and one would be lost.
    if (this.#updating) throw new SmtError('CONCURRENT_UPDATE', 'an update of this tree is already running');
    this.#updating = true;
    try {
      const sorted = sortWrites(writes, SMT_UPDATE_WRITES_MAX);
      const newNodes = new NewNodes();
      if (sorted.writes.length > 0) {
        const loadMany =
          this.#reader.getManyByHash || this.#reader.getMany
            ? (hashes: Uint8Array[]) => this.#loadMany(hashes)
            : undefined;
        const root = await applyWrites(this.#root, sorted, (hash) => this.#load(hash), newNodes, loadMany);
        if (!isHash(root)) throw new Error('SMT invariant: the new root is not a 32-byte hash');
        this.#root = root.slice();
      }
      return { root: this.root, newNodes };
    } finally {
      this.#updating = false;
    }
  }

  async #load(hash: Uint8Array): Promise<SmtNode> {
    const hashHex = bytesToHex(hash);
    const bytes = await this.#reader.get(hashHex);
    if (bytes === undefined) throw new SmtError('MISSING_NODE', `node ${hashHex} is not in the store`);
    return this.#decode(bytes, hash);
  }

  async #loadMany(hashes: Uint8Array[]): Promise<SmtNode[]> {
    const reader = this.#reader;
    const found = reader.getManyByHash
      ? await reader.getManyByHash(hashes)
      : await reader.getMany!(hashes.map(bytesToHex));
    if (!Array.isArray(found) || found.length !== hashes.length)
      throw new SmtError('CORRUPT_NODE', 'the node store answered a batched read with the wrong count');
    return found.map((bytes, i) => {
      if (bytes === undefined) throw new SmtError('MISSING_NODE', `node ${bytesToHex(hashes[i]!)} is not in the store`);
      return this.#decode(bytes, hashes[i]!);
    });
  }

  #decode(bytes: Uint8Array, hash: Uint8Array): SmtNode {
    return this.#reader.hashChecked === true ? decodeNodeLayout(bytes) : decodeNode(bytes, hash);
  }

  /** Follows the key's bits from the root to an empty subtree or a leaf, collecting siblings. */
  async #walk(keyHash: Uint8Array, siblings: Uint8Array[]): Promise<{ leaf?: LeafNode }> {
    if (!isHash(keyHash)) throw new SmtError('INVALID_INPUT', 'a key hash is 32 bytes');
    let hash = this.#root;
    for (let depth = 0; depth <= SMT_DEPTH_MAX; depth++) {
      if (isEmptyHash(hash)) return {};
      const node = await this.#load(hash);
      if (node.kind === 'leaf') return { leaf: node };
      if (depth === SMT_DEPTH_MAX) break;
      const goRight = bitAt(keyHash, depth) === 1;
      siblings.push(goRight ? node.left : node.right);
      hash = goRight ? node.right : node.left;
    }
    throw new SmtError('CORRUPT_NODE', 'a path is deeper than 256 levels');
  }
}
