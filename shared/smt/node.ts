// Nodes of the compact sparse Merkle tree, their hashes and their stored form.
//
//   empty subtree  hash = 32 zero bytes                          (never stored)
//   leaf           hash = sha256(0x00 || keyHash || valueHash)   stored as CBOR [0, keyHash, valueHash]
//   internal       hash = sha256(0x01 || leftHash || rightHash)  stored as CBOR [1, leftHash, rightHash]
//
// Key bit d (d = 0 is the most significant bit of byte 0) chooses left (0) or right (1) at depth d.
// A subtree holding one leaf is that leaf, placed at the shallowest depth where it is alone, so
// the shape (and the root) depends only on the set of (key, value) pairs.
//
// The stored form is the canonical CBOR of [tag, bytes32, bytes32], which has one fixed 70-byte
// layout: 0x83 tag 0x58 0x20 <32 bytes> 0x58 0x20 <32 bytes>. Every update writes and every read
// checks thousands of nodes, so they are built and checked in place rather than through the
// generic codec; test/unit/smt.test.ts pins the bytes to codec.encode.
import { bytesEqual } from '../codec/index.js';
import { HASH_BYTES, sha256 } from '../crypto/index.js';

/** Two distinct 256-bit keys part by depth 255, so no leaf sits deeper than 256. */
export const SMT_DEPTH_MAX = 256;
/** The root of the tree with no keys (32 zero bytes). One shared array: never mutate it. */
export const SMT_EMPTY_ROOT: Uint8Array = new Uint8Array(HASH_BYTES);
/** Every stored node, leaf or internal, is exactly this long. */
export const SMT_NODE_BYTES = 70;

export type SmtNode =
  | { kind: 'leaf'; keyHash: Uint8Array; valueHash: Uint8Array }
  | { kind: 'internal'; left: Uint8Array; right: Uint8Array };

export type SmtErrorCode = 'MISSING_NODE' | 'CORRUPT_NODE' | 'INVALID_INPUT' | 'CONCURRENT_UPDATE';

export class SmtError extends Error {
  constructor(
    readonly code: SmtErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'SmtError';
  }
}

const LEAF_TAG = 0;
const INTERNAL_TAG = 1;

// Reused: hashing is synchronous, and one allocation fewer per node matters at 100k nodes.
const preimage = new Uint8Array(1 + 2 * HASH_BYTES);

function hashOfPair(tag: number, first: Uint8Array, second: Uint8Array): Uint8Array {
  preimage[0] = tag;
  preimage.set(first, 1);
  preimage.set(second, 1 + HASH_BYTES);
  return sha256(preimage);
}

export function smtLeafHash(keyHash: Uint8Array, valueHash: Uint8Array): Uint8Array {
  return hashOfPair(LEAF_TAG, keyHash, valueHash);
}

export function smtInternalHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return hashOfPair(INTERNAL_TAG, left, right);
}

export function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === HASH_BYTES;
}

export function isEmptyHash(hash: Uint8Array): boolean {
  for (let i = 0; i < HASH_BYTES; i++) if (hash[i] !== 0) return false;
  return true;
}

/** 0 = left, 1 = right at `depth`. */
export function bitAt(keyHash: Uint8Array, depth: number): number {
  return ((keyHash[depth >> 3] as number) >> (7 - (depth & 7))) & 1;
}

/** First index in [lo, hi) whose key has bit 1 at `depth`; the keys are sorted and share the bits above. */
export function splitIndex(
  items: ReadonlyArray<{ keyHash: Uint8Array }>,
  lo: number,
  hi: number,
  depth: number,
): number {
  let low = lo;
  let high = hi;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (bitAt((items[middle] as { keyHash: Uint8Array }).keyHash, depth) === 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

const CBOR_ARRAY_OF_3 = 0x83;
const CBOR_BYTES_1_BYTE_LENGTH = 0x58;
const SECOND_AT = 4 + HASH_BYTES + 2;

export function encodeNode(node: SmtNode): Uint8Array {
  const bytes = new Uint8Array(SMT_NODE_BYTES);
  bytes[0] = CBOR_ARRAY_OF_3;
  bytes[2] = CBOR_BYTES_1_BYTE_LENGTH;
  bytes[3] = HASH_BYTES;
  bytes[SECOND_AT - 2] = CBOR_BYTES_1_BYTE_LENGTH;
  bytes[SECOND_AT - 1] = HASH_BYTES;
  if (node.kind === 'leaf') {
    bytes[1] = LEAF_TAG;
    bytes.set(node.keyHash, 4);
    bytes.set(node.valueHash, SECOND_AT);
  } else {
    bytes[1] = INTERNAL_TAG;
    bytes.set(node.left, 4);
    bytes.set(node.right, SECOND_AT);
  }
  return bytes;
}

function hasNodeLayout(bytes: Uint8Array): boolean {
  return (
    bytes.length === SMT_NODE_BYTES &&
    bytes[0] === CBOR_ARRAY_OF_3 &&
    (bytes[1] === LEAF_TAG || bytes[1] === INTERNAL_TAG) &&
    bytes[2] === CBOR_BYTES_1_BYTE_LENGTH &&
    bytes[3] === HASH_BYTES &&
    bytes[SECOND_AT - 2] === CBOR_BYTES_1_BYTE_LENGTH &&
    bytes[SECOND_AT - 1] === HASH_BYTES
  );
}

/** Checks the bytes read back from the store: the one canonical layout, hashing to `expectedHash`. */
export function decodeNode(bytes: Uint8Array, expectedHash: Uint8Array): SmtNode {
  const node = decodeNodeLayout(bytes);
  const actualHash =
    node.kind === 'leaf' ? smtLeafHash(node.keyHash, node.valueHash) : smtInternalHash(node.left, node.right);
  if (!bytesEqual(actualHash, expectedHash)) throw new SmtError('CORRUPT_NODE', 'stored node does not hash to its key');
  return node;
}

/**
 * A node whose bytes were already found to hash to its key when they entered memory (a reader
 * that says so: SmtNodeReader.hashChecked), or were made by the tree itself: the layout is
 * checked, the hash is not computed again.
 */
export function decodeNodeLayout(bytes: Uint8Array): SmtNode {
  if (!(bytes instanceof Uint8Array) || !hasNodeLayout(bytes)) {
    throw new SmtError('CORRUPT_NODE', 'stored node is not the canonical CBOR of [tag, hash, hash]');
  }
  const first = bytes.subarray(4, 4 + HASH_BYTES);
  const second = bytes.subarray(SECOND_AT, SECOND_AT + HASH_BYTES);
  const isLeaf = bytes[1] === LEAF_TAG;
  if (!isLeaf && isEmptyHash(first) && isEmptyHash(second)) {
    throw new SmtError('CORRUPT_NODE', 'stored internal node has two empty children');
  }
  return isLeaf
    ? { kind: 'leaf', keyHash: first, valueHash: second }
    : { kind: 'internal', left: first, right: second };
}
