// The statement tree of a checkpoint (docs/protocol.md REQ-CKP.1): statements fall into 2^k
// buckets by the first k bits of their state key hash; each bucket is an RFC 6962 tree of its
// leaves sorted by key hash; the layer of bucket roots is joined by a perfect binary tree into
// the statementRoot. A verifier holds the layer (checked against the signed root), so a proof
// carries only the path inside one bucket: 7 or 8 hashes at 7.4 million objects.
import { bytesEqual, bytesToHex, concatBytes, encode, hexToBytes } from '../codec/index.js';
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

/** One entry of a built tree: the key hash, then the leaf hash (RFC 6962 leaf hash). */
export const ENTRY_BYTES = 2 * HASH_BYTES;

function compareKeyAt(entries: Uint8Array, index: number, keyHash: Uint8Array): number {
  const at = index * ENTRY_BYTES;
  for (let i = 0; i < HASH_BYTES; i++) {
    const difference = entries[at + i]! - keyHash[i]!;
    if (difference !== 0) return difference;
  }
  return 0;
}

/** A built tree's parts (StatementTree.parts): typed arrays only, so a worker thread can transfer them. */
export interface StatementTreeParts {
  entries: Uint8Array;
  starts: Uint32Array;
  layer: Uint8Array;
  root: Uint8Array;
  bucketBits: number;
}

/**
 * A built statement tree: its entries sorted by key hash (64 bytes each, so 7.4 million take
 * 474 MB, which a node keeps in a file), where each bucket starts, its layer and its root.
 */
export class StatementTree {
  readonly bucketBits: number;
  readonly statements: number;
  readonly layer: Uint8Array;
  readonly root: Uint8Array;
  readonly #entries: Uint8Array;
  /** Bucket b holds entries starts[b] .. starts[b + 1] - 1. */
  readonly #starts: Uint32Array;

  /** The tree whose parts were built and checked elsewhere (a node's worker thread), taken as they are. */
  static fromParts(parts: StatementTreeParts): StatementTree {
    return new StatementTree(parts.entries, parts);
  }

  /** From entries sorted by key hash, each key once (StatementTreeBuilder, or a node's file). */
  constructor(entries: Uint8Array, parts?: StatementTreeParts) {
    if (parts) {
      this.bucketBits = parts.bucketBits;
      this.statements = entries.length / ENTRY_BYTES;
      this.#entries = entries;
      this.#starts = parts.starts;
      this.layer = parts.layer;
      this.root = parts.root;
      return;
    }
    if (entries.length % ENTRY_BYTES !== 0) throw new Error(`statement entries are ${ENTRY_BYTES} bytes each`);
    const count = entries.length / ENTRY_BYTES;
    const bits = bucketBitsFor(count);
    const starts = new Uint32Array(2 ** bits + 1);
    let previous = -1;
    for (let index = 0; index < count; index++) {
      const keyHash = entries.subarray(index * ENTRY_BYTES, index * ENTRY_BYTES + HASH_BYTES);
      // REJECT: unsorted or repeated keys would make a proof find the wrong leaf, or two.
      if (index > 0 && compareKeyAt(entries, index - 1, keyHash) >= 0)
        throw new Error(`statement entry ${index} is not after the one before it (sorted by key hash, each key once)`);
      const bucket = bucketOf(keyHash, bits);
      while (previous < bucket) starts[++previous] = index;
    }
    while (previous < 2 ** bits) starts[++previous] = count;
    this.bucketBits = bits;
    this.statements = count;
    this.#entries = entries;
    this.#starts = starts;
    const heads: Uint8Array[] = [];
    for (let bucket = 0; bucket < 2 ** bits; bucket++) {
      const tree = this.#bucketTree(bucket);
      heads.push(bucketHead(tree.size, tree.root));
    }
    this.layer = concatBytes(...heads);
    this.root = layerRoot(this.layer, bits);
  }

  /** The sorted entries (key hash ‖ leaf hash each), as a node writes them to its file. */
  get entries(): Uint8Array {
    return this.#entries;
  }

  /** Everything the tree is made of, as typed arrays a worker thread can transfer (constructor). */
  get parts(): StatementTreeParts {
    return {
      entries: this.#entries,
      starts: this.#starts,
      layer: this.layer,
      root: this.root,
      bucketBits: this.bucketBits,
    };
  }

  #bucketTree(bucket: number): MerkleTree {
    const leafHashes: Uint8Array[] = [];
    for (let index = this.#starts[bucket]!; index < this.#starts[bucket + 1]!; index++) {
      const at = index * ENTRY_BYTES + HASH_BYTES;
      leafHashes.push(this.#entries.subarray(at, at + HASH_BYTES));
    }
    return new MerkleTree(leafHashes, true);
  }

  /** The proof of the statement with this key hash; undefined when the tree has none. */
  proof(keyHash: Uint8Array): BucketProof | undefined {
    const bucket = bucketOf(keyHash, this.bucketBits);
    const first = this.#starts[bucket]!;
    let low = first;
    let high = this.#starts[bucket + 1]! - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const order = compareKeyAt(this.#entries, middle, keyHash);
      if (order === 0) {
        const tree = this.#bucketTree(bucket);
        return {
          leafIndex: middle - first,
          bucketSize: tree.size,
          path: tree.proof(middle - first).path.map(hexToBytes),
        };
      }
      if (order < 0) low = middle + 1;
      else high = middle - 1;
    }
    return undefined;
  }
}

/**
 * Collects statements in any order, then sorts them into a tree. It keeps 64 bytes per
 * statement in one growing buffer, so 7.4 million need about 0.5 GB and no object each, and
 * sorts them in place: a counting sort on the first two bytes of the key hash (uniform, so
 * about 113 entries a bin at 7.4 million), then each bin by the whole key hash.
 */
export class StatementTreeBuilder {
  #buffer: Uint8Array;
  #count = 0;

  /** `expected`: about how many statements will come (the last checkpoint's count), to allocate once. */
  constructor(expected = 1024) {
    this.#buffer = new Uint8Array(ENTRY_BYTES * Math.max(1024, Math.min(expected, 2 ** 26)));
  }

  get count(): number {
    return this.#count;
  }

  add(keyHash: Uint8Array, leaf: Uint8Array): void {
    if (keyHash.length !== HASH_BYTES) throw new Error('a key hash is 32 bytes');
    if ((this.#count + 1) * ENTRY_BYTES > this.#buffer.length) {
      // by half again, not double: at 7.4 million statements a doubling would leave 0.5 GB unused
      const grown = new Uint8Array(Math.ceil((this.#buffer.length * 1.5) / ENTRY_BYTES) * ENTRY_BYTES);
      grown.set(this.#buffer);
      this.#buffer = grown;
    }
    this.#buffer.set(keyHash, this.#count * ENTRY_BYTES);
    this.#buffer.set(merkleLeafHash(leaf), this.#count * ENTRY_BYTES + HASH_BYTES);
    this.#count++;
  }

  /** The tree; the builder is used up (its buffer becomes the tree's entries). */
  build(): StatementTree {
    const count = this.#count;
    const buffer = this.#buffer;
    this.#buffer = new Uint8Array(0);
    this.#count = 0;
    const order = sortedOrder(buffer, count);
    // Moves entry order[to] to position `to` for every `to`, following each cycle once.
    const placed = new Uint8Array(count);
    const held = new Uint8Array(ENTRY_BYTES);
    for (let start = 0; start < count; start++) {
      if (placed[start]) continue;
      placed[start] = 1;
      if (order[start] === start) continue;
      held.set(buffer.subarray(start * ENTRY_BYTES, (start + 1) * ENTRY_BYTES));
      let to = start;
      for (;;) {
        const from = order[to]!;
        if (from === start) {
          buffer.set(held, to * ENTRY_BYTES);
          break;
        }
        buffer.copyWithin(to * ENTRY_BYTES, from * ENTRY_BYTES, (from + 1) * ENTRY_BYTES);
        placed[from] = 1;
        to = from;
      }
    }
    return new StatementTree(trimmed(buffer, count * ENTRY_BYTES)); // refuses a key added twice
  }
}

/** The entries' indexes in key hash order: by bins of the first two bytes, then within each bin. */
function sortedOrder(buffer: Uint8Array, count: number): Uint32Array {
  const starts = new Uint32Array(65_537);
  const binOf = (index: number) => (buffer[index * ENTRY_BYTES]! << 8) | buffer[index * ENTRY_BYTES + 1]!;
  for (let index = 0; index < count; index++) starts[binOf(index) + 1]!++;
  for (let bin = 1; bin <= 65_536; bin++) starts[bin]! += starts[bin - 1]!;
  const next = starts.slice(0, 65_536);
  const order = new Uint32Array(count);
  for (let index = 0; index < count; index++) order[next[binOf(index)]!++] = index;
  const compare = (a: number, b: number) => {
    for (let i = 2; i < HASH_BYTES; i++) {
      const difference = buffer[a * ENTRY_BYTES + i]! - buffer[b * ENTRY_BYTES + i]!;
      if (difference !== 0) return difference;
    }
    return 0;
  };
  for (let bin = 0; bin < 65_536; bin++)
    if (starts[bin + 1]! - starts[bin]! > 1) order.subarray(starts[bin], starts[bin + 1]).sort(compare);
  return order;
}

/** The first `length` bytes as an array of their own length: the buffer resized in place where the platform can (ES2024). */
function trimmed(bytes: Uint8Array, length: number): Uint8Array {
  if (bytes.length === length) return bytes;
  const resizable = bytes.buffer as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer };
  if (bytes.byteOffset === 0 && typeof resizable.transfer === 'function')
    return new Uint8Array(resizable.transfer(length));
  return bytes.slice(0, length);
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
