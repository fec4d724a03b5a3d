// The block header's txRoot (DESIGN §4): an RFC 6962 Merkle tree over the block's tx hashes,
// so a receipt carries one audit path and anyone can check it offline with shared/ alone.
// Leaf and node hashes are domain-separated (0x00 / 0x01 prefix) so a leaf can never be passed
// off as an internal node (second-preimage attack on plain Merkle trees).
import { bytesEqual, bytesToHex, concatBytes, hexToBytes } from '../codec/index.js';
import { HASH_BYTES, sha256 } from '../crypto/index.js';

/** An audit path for a tree of up to 2^64 leaves has at most 64 hashes. */
export const MERKLE_PROOF_PATH_MAX = 64;
/** Far above any block (DESIGN: up to 10,000 txs), low enough to bound memory and time. */
export const MERKLE_LEAVES_MAX = 1 << 20;

export interface MerkleInclusionProof {
  /** Zero-based position of the leaf in the block. */
  index: number;
  /** Number of leaves in the tree the proof is for. */
  treeSize: number;
  /** Sibling hashes, lowercase hex, from the leaf's level up to the root's children (RFC 6962 §2.1.1). */
  path: string[];
}

const LEAF_PREFIX = Uint8Array.of(0x00);
const NODE_PREFIX = Uint8Array.of(0x01);
const HASH_HEX = /^[0-9a-f]{64}$/;

export function merkleLeafHash(leaf: Uint8Array): Uint8Array {
  return sha256(concatBytes(LEAF_PREFIX, leaf));
}

export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(concatBytes(NODE_PREFIX, left, right));
}

/**
 * Pairs neighbours; an odd last node is promoted unchanged (never duplicated). Repeating this
 * gives exactly the RFC 6962 split at the largest power of two below n.
 */
function nextLevel(level: Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = [];
  for (let i = 0; i + 1 < level.length; i += 2) next.push(merkleNodeHash(level[i]!, level[i + 1]!));
  if (level.length % 2 === 1) next.push(level[level.length - 1]!);
  return next;
}

function assertLeafCount(count: number): void {
  if (count > MERKLE_LEAVES_MAX) throw new Error(`${count} Merkle leaves, over the limit of ${MERKLE_LEAVES_MAX}`);
}

/**
 * A block's tree, hashed once: the root and any number of audit paths then cost no hashing,
 * so proving every tx of a 10,000-tx block stays linear rather than quadratic.
 */
export class MerkleTree {
  /** levels[0] = leaf hashes, each next level = parents (odd last node promoted), last = [root]. */
  readonly #levels: Uint8Array[][];

  /** `hashed`: the leaves are already leaf hashes (merkleLeafHash), for a caller that keeps only those. */
  constructor(leaves: Uint8Array[], hashed = false) {
    assertLeafCount(leaves.length);
    const levels = [hashed ? leaves : leaves.map(merkleLeafHash)];
    for (let level = levels[0]!; level.length > 1;) {
      level = nextLevel(level);
      levels.push(level);
    }
    this.#levels = levels;
  }

  get size(): number {
    return this.#levels[0]!.length;
  }

  /** MTH(D[n]) of RFC 6962 §2.1. The empty tree's root is sha256 of the empty string. */
  get root(): Uint8Array {
    if (this.size === 0) return sha256(new Uint8Array(0));
    const root = this.#levels[this.#levels.length - 1]![0]!;
    if (root.length !== HASH_BYTES) throw new Error('Merkle root is not a 32-byte hash');
    return root.slice();
  }

  /** PATH(m, D[n]) of RFC 6962 §2.1.1, bottom-up. Throws on an index outside the tree. */
  proof(index: number): MerkleInclusionProof {
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      throw new Error(`leaf index ${index} is outside a tree of ${this.size} leaves`);
    }
    const path: string[] = [];
    let position = index;
    for (const level of this.#levels.slice(0, -1)) {
      const sibling = position ^ 1;
      // A promoted odd last node has no sibling on this level.
      if (sibling < level.length) path.push(bytesToHex(level[sibling]!));
      position >>= 1;
    }
    if (path.length > MERKLE_PROOF_PATH_MAX) throw new Error('Merkle path longer than the limit');
    return { index, treeSize: this.size, path };
  }
}

export function merkleRoot(leaves: Uint8Array[]): Uint8Array {
  return new MerkleTree(leaves).root;
}

/** One proof; to prove many leaves of one block, build a MerkleTree once. */
export function inclusionProof(leaves: Uint8Array[], index: number): MerkleInclusionProof {
  return new MerkleTree(leaves).proof(index);
}

function isWellFormed(proof: unknown): proof is MerkleInclusionProof {
  if (typeof proof !== 'object' || proof === null) return false;
  const { index, treeSize, path } = proof as Partial<MerkleInclusionProof>;
  if (!Number.isSafeInteger(treeSize) || !Number.isSafeInteger(index)) return false;
  if ((index as number) < 0 || (index as number) >= (treeSize as number)) return false;
  if (!Array.isArray(path) || path.length > MERKLE_PROOF_PATH_MAX) return false;
  return path.every((hash) => typeof hash === 'string' && HASH_HEX.test(hash));
}

/**
 * RFC 9162 §2.1.3.2: recomputes the root from the leaf and its audit path. Never throws:
 * any malformed input is simply not a proof. Arithmetic, not bit operators, because
 * JavaScript shifts truncate to 32 bits and treeSize may be any safe integer.
 */
export function verifyInclusion(root: Uint8Array, leaf: Uint8Array, proof: MerkleInclusionProof): boolean {
  if (!(root instanceof Uint8Array) || root.length !== HASH_BYTES) return false;
  const computed = inclusionRoot(leaf, proof);
  return computed !== undefined && bytesEqual(computed, root);
}

/** The root a leaf and its audit path give (RFC 9162 §2.1.3.2), or undefined when they are no proof. */
export function inclusionRoot(leaf: Uint8Array, proof: MerkleInclusionProof): Uint8Array | undefined {
  try {
    if (!(leaf instanceof Uint8Array) || !isWellFormed(proof)) return undefined;
    let fn = proof.index;
    let sn = proof.treeSize - 1;
    let hash = merkleLeafHash(leaf);
    for (const siblingHex of proof.path) {
      if (sn === 0) return undefined; // path longer than the tree is tall
      const sibling = hexToBytes(siblingHex);
      if (fn % 2 === 1 || fn === sn) {
        hash = merkleNodeHash(sibling, hash);
        // Skip the levels where this node was the promoted odd last node.
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      } else {
        hash = merkleNodeHash(hash, sibling);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? hash : undefined;
  } catch {
    return undefined;
  }
}
