// The statement tree of a checkpoint (docs/protocol.md REQ-CKP.1): statements fall into 2^k
// buckets by the first k bits of their state key hash; each bucket is an RFC 6962 tree of its
// leaves sorted by key hash; the layer of bucket roots is joined by a perfect binary tree into
// the statementRoot. A verifier holds the layer (checked against the signed root), so a proof
// carries only the path inside one bucket: 7 or 8 hashes at 7.4 million objects.
import { bytesEqual, bytesToHex, compareBytes, concatBytes, encode, hexToBytes } from '../codec/index.js';
import { HASH_BYTES, sha256 } from '../crypto/index.js';
import { inclusionRoot, MerkleTree, merkleLeafHash, merkleNodeHash } from '../merkle/rfc6962.js';

export const BUCKET_BITS_MAX = 16;
/** Buckets of about 2^7 statements keep a path at 7 or 8 hashes (REQ-CKP.3's size budget). */
const BUCKET_SIZE_BITS = 7;

/** k = clamp(ceil(log2 N) − 7, 0, 16). */
export function bucketBitsFor(statements: number): number {
  if (!Number.isSafeInteger(statements) || statements < 0) throw new Error(`${statements} is not a statement count`);
  const bits = statements <= 1 ? 0 : Math.ceil(Math.log2(statements));
  return Math.max(0, Math.min(BUCKET_BITS_MAX, bits - BUCKET_SIZE_BITS));
}

/** The bucket of a key hash: its first `bits` bits, most significant first. */
export function bucketOf(keyHash: Uint8Array, bits: number): number {
  let bucket = 0;
  for (let bit = 0; bit < bits; bit++) bucket = bucket * 2 + ((keyHash[bit >> 3]! >> (7 - (bit & 7))) & 1);
  return bucket;
}

/** The root of a layer of 2^bits bucket roots (32 bytes each): a perfect binary tree. */
export function layerRoot(layer: Uint8Array, bits: number): Uint8Array {
  if (!Number.isInteger(bits) || bits < 0 || bits > BUCKET_BITS_MAX)
    throw new Error(`bucket bits ${bits} out of range`);
  if (layer.length !== HASH_BYTES * 2 ** bits)
    throw new Error(`a layer of ${bits} bits is ${HASH_BYTES * 2 ** bits} bytes`);
  let level: Uint8Array[] = [];
  for (let offset = 0; offset < layer.length; offset += HASH_BYTES)
    level.push(layer.subarray(offset, offset + HASH_BYTES));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(merkleNodeHash(level[i]!, level[i + 1]!));
    level = next;
  }
  return level[0]!.slice();
}

export interface BucketProof {
  /** The leaf's position in its bucket, sorted by key hash. */
  leafIndex: number;
  bucketSize: number;
  /** RFC 6962 audit path inside the bucket, bottom-up. */
  path: Uint8Array[];
}

/**
 * A bucket's entry in the layer: sha256(CBOR([size, MTH])). The size is bound with the root, as
 * Certificate Transparency signs a tree's size with its root, so the size a proof states is part
 * of what it proves (an RFC 6962 path alone verifies for more than one tree size).
 */
export function bucketHead(size: number, root: Uint8Array): Uint8Array {
  return sha256(encode([size, root]));
}

/** A built statement tree: its layer, its root, and a proof for any statement in it. */
export class StatementTree {
  readonly #buckets: { keyHashes: Uint8Array[]; tree: MerkleTree }[];
  readonly layer: Uint8Array;
  readonly root: Uint8Array;

  constructor(
    readonly bucketBits: number,
    readonly statements: number,
    buckets: { keyHashes: Uint8Array[]; tree: MerkleTree }[],
  ) {
    this.#buckets = buckets;
    this.layer = concatBytes(...buckets.map((bucket) => bucketHead(bucket.keyHashes.length, bucket.tree.root)));
    this.root = layerRoot(this.layer, bucketBits);
  }

  /** The proof of the statement with this key hash; undefined when the tree has none. */
  proof(keyHash: Uint8Array): BucketProof | undefined {
    const bucket = this.#buckets[bucketOf(keyHash, this.bucketBits)]!;
    let low = 0;
    let high = bucket.keyHashes.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const order = compareBytes(bucket.keyHashes[middle]!, keyHash);
      if (order === 0) {
        const proof = bucket.tree.proof(middle);
        return {
          leafIndex: middle,
          bucketSize: bucket.keyHashes.length,
          path: proof.path.map(hexToBytes),
        };
      }
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }
}

/**
 * Collects statements in any order, then builds the tree. It keeps two hashes per statement
 * (64 bytes), so 7.4 million statements need about 0.5 GB in their arrays: a node builds it in
 * the background, bucket by bucket if it must.
 */
export class StatementTreeBuilder {
  readonly #entries: { keyHash: Uint8Array; leafHash: Uint8Array }[] = [];
  #seen = new Set<string>();

  add(keyHash: Uint8Array, leaf: Uint8Array): void {
    if (keyHash.length !== HASH_BYTES) throw new Error('a key hash is 32 bytes');
    const hex = bytesToHex(keyHash);
    // REJECT: two statements for one key would make the tree's proofs ambiguous.
    if (this.#seen.has(hex)) throw new Error(`the statement of key hash ${hex} was added twice`);
    this.#seen.add(hex);
    this.#entries.push({ keyHash, leafHash: merkleLeafHash(leaf) });
  }

  build(): StatementTree {
    const bits = bucketBitsFor(this.#entries.length);
    const grouped: { keyHash: Uint8Array; leafHash: Uint8Array }[][] = Array.from({ length: 2 ** bits }, () => []);
    for (const entry of this.#entries) grouped[bucketOf(entry.keyHash, bits)]!.push(entry);
    const buckets = grouped.map((entries) => {
      entries.sort((a, b) => compareBytes(a.keyHash, b.keyHash));
      return {
        keyHashes: entries.map((entry) => entry.keyHash),
        tree: new MerkleTree(
          entries.map((entry) => entry.leafHash),
          true,
        ),
      };
    });
    return new StatementTree(bits, this.#entries.length, buckets);
  }
}

/**
 * Whether `leaf` is in the bucket of `keyHash` in a layer of `bits` bits, by `proof`. Never
 * throws: any malformed input is simply not a proof. The caller checks the layer against a
 * signed statementRoot (layerRoot) once, when it takes the layer in.
 */
export function verifyBucketProof(
  layer: Uint8Array,
  bits: number,
  keyHash: Uint8Array,
  leaf: Uint8Array,
  proof: BucketProof,
): boolean {
  if (!Number.isInteger(bits) || bits < 0 || bits > BUCKET_BITS_MAX) return false;
  if (layer.length !== HASH_BYTES * 2 ** bits || keyHash.length !== HASH_BYTES) return false;
  const bucket = bucketOf(keyHash, bits);
  const head = layer.subarray(bucket * HASH_BYTES, (bucket + 1) * HASH_BYTES);
  if (!proof.path.every((hash) => hash instanceof Uint8Array && hash.length === HASH_BYTES)) return false;
  const root = inclusionRoot(leaf, {
    index: proof.leafIndex,
    treeSize: proof.bucketSize,
    path: proof.path.map(bytesToHex),
  });
  return root !== undefined && bytesEqual(bucketHead(proof.bucketSize, root), head);
}
