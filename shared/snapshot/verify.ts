// Checks of what a snapshot's servers send: the manifest against a certified header, each chunk
// against its manifest entry. Pure: the node, the tests and the bench run the same code.
import * as dagCbor from '@ipld/dag-cbor';
import { bytesToHex, compareBytes, encode, hexToBytes, utf8 } from '../codec/index.js';
import { sha256 } from '../crypto/index.js';
import { blockHash, type BlockHeader } from '../ledger/index.js';
import {
  buildSubtree,
  hasPrefix,
  joinSubtrees,
  type SmtNodeSink,
  type SmtPlacedSubtree,
  type SmtSubtree,
} from '../smt/index.js';
import { SnapshotError, SnapshotErrorCode } from './errors.js';
import {
  SNAPSHOT_CHUNK_BYTES_MAX,
  SNAPSHOT_KEY_BYTES_MAX,
  SNAPSHOT_VALUE_BYTES_MAX,
  snapshotManifestSchema,
  type SnapshotChunkEntry,
  type SnapshotManifest,
} from './manifest.js';

/** One (stateKey, record) pair of a chunk, with the hashes its check computed. */
export interface SnapshotPair {
  key: string;
  value: Uint8Array;
  keyHash: Uint8Array;
  valueHash: Uint8Array;
}

/** A pair as verifyChunk returns it: with its state key's UTF-8 bytes (the store's key is made from them). */
export interface CheckedPair extends SnapshotPair {
  keyBytes: Uint8Array;
}

/** A chunk's bytes: canonical CBOR of [[stateKey, record bytes], …] in key-hash order. */
export function encodeChunk(pairs: ReadonlyArray<{ key: string; value: Uint8Array }>): Uint8Array {
  return encode(pairs.map(({ key, value }) => [key, value]));
}

function subtreeOf(entry: SnapshotChunkEntry): SmtSubtree {
  return { hash: hexToBytes(entry.root), kind: entry.pairs === 1 ? 'leaf' : 'internal' };
}

function placed(entry: SnapshotChunkEntry): SmtPlacedSubtree {
  return { path: hexToBytes(entry.path), depth: entry.depth, subtree: subtreeOf(entry) };
}

/**
 * Checks a manifest (already decoded) against the header it claims, which the caller has
 * certified: same chain, height, block and state root, and the chunk roots join into that
 * root. `sink` receives the tree nodes above the chunks (the client stores them). Returns the
 * manifest parsed.
 */
export function verifyManifest(value: unknown, header: BlockHeader, sink?: SmtNodeSink): SnapshotManifest {
  const parsed = snapshotManifestSchema.safeParse(value);
  // REJECT: not a manifest of this version.
  if (!parsed.success)
    throw new SnapshotError(
      SnapshotErrorCode.manifestInvalid,
      `not a snapshot manifest: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`,
    );
  const manifest = parsed.data;
  // REJECT: a snapshot of another chain, height or block than the certified header.
  if (manifest.chainId !== header.chainId || manifest.height !== header.height)
    throw new SnapshotError(
      SnapshotErrorCode.manifestInvalid,
      `the manifest is for ${manifest.chainId} at height ${manifest.height}, not ${header.chainId} at ${header.height}`,
    );
  if (manifest.blockHash !== blockHash(header) || manifest.stateRoot !== header.stateRoot)
    throw new SnapshotError(
      SnapshotErrorCode.manifestRoot,
      `the manifest names block ${manifest.blockHash.slice(0, 16)}… and state root ${manifest.stateRoot.slice(0, 16)}…, not those of the certified header at height ${header.height}`,
    );
  for (const [index, entry] of manifest.chunks.entries()) {
    const path = hexToBytes(entry.path);
    // REJECT: a path of the wrong length or with bits set past its depth names two prefixes at once.
    if (path.length !== Math.ceil(entry.depth / 8) || bytesToHex(maskPath(path, entry.depth)) !== entry.path)
      throw new SnapshotError(
        SnapshotErrorCode.manifestInvalid,
        `chunk ${index}: path ${entry.path} is not a ${entry.depth}-bit prefix`,
      );
  }
  let root: SmtSubtree;
  try {
    root = joinSubtrees(manifest.chunks.map(placed), sink);
  } catch (error) {
    // REJECT: chunks out of prefix order, or one inside another.
    throw new SnapshotError(SnapshotErrorCode.manifestInvalid, (error as Error).message);
  }
  // REJECT: the chunk roots do not make the certified state root.
  if (bytesToHex(root.hash) !== header.stateRoot)
    throw new SnapshotError(
      SnapshotErrorCode.manifestRoot,
      `the chunk roots join into ${bytesToHex(root.hash).slice(0, 16)}…, not the state root ${header.stateRoot.slice(0, 16)}… of height ${header.height}`,
    );
  return manifest;
}

function maskPath(path: Uint8Array, depth: number): Uint8Array {
  const masked = path.slice();
  if (depth % 8 !== 0 && masked.length > 0) masked[masked.length - 1]! &= (0xff << (8 - (depth % 8))) & 0xff;
  return masked;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Checks one chunk's bytes against its manifest entry (the manifest checked already) and
 * returns its pairs. `sink` receives the chunk's tree nodes. Any defect is a SnapshotError:
 * the chunk is refused whole and asked of another peer.
 */
export function verifyChunk(entry: SnapshotChunkEntry, bytes: Uint8Array, sink?: SmtNodeSink): CheckedPair[] {
  const invalid = (what: string) => new SnapshotError(SnapshotErrorCode.chunkInvalid, what);
  // REJECT: a size other than the manifest's (checked before decoding anything).
  if (bytes.length !== entry.bytes || bytes.length > SNAPSHOT_CHUNK_BYTES_MAX)
    throw invalid(`the chunk is ${bytes.length} bytes; the manifest says ${entry.bytes}`);
  let value: unknown;
  try {
    // Strict CBOR, without the codec's re-encoding to prove canonical bytes: the pairs' order
    // and every key and record are bound by the root below, and the size by the manifest, so a
    // second byte form of the same pairs changes nothing a client keeps (and the re-encoding
    // was a third of a chunk's check at 7.4 million objects).
    value = dagCbor.decode(bytes);
  } catch (error) {
    throw invalid(`not CBOR: ${(error as Error).message}`);
  }
  // REJECT: a pair count other than the manifest's (a pair left out or added).
  if (!Array.isArray(value) || value.length !== entry.pairs)
    throw invalid(
      `the chunk holds ${Array.isArray(value) ? value.length : 'no'} pairs; the manifest says ${entry.pairs}`,
    );
  const path = hexToBytes(entry.path);
  const pairs: CheckedPair[] = [];
  for (const [index, pair] of value.entries()) {
    if (!Array.isArray(pair) || pair.length !== 2 || typeof pair[0] !== 'string' || !(pair[1] instanceof Uint8Array))
      throw invalid(`pair ${index} is not [stateKey, record bytes]`);
    const [key, record] = pair as [string, Uint8Array];
    const keyBytes = utf8(key);
    // REJECT: keys and records the store could not hold.
    if (keyBytes.length === 0 || keyBytes.length > SNAPSHOT_KEY_BYTES_MAX || strictUtf8.decode(keyBytes) !== key)
      throw invalid(`pair ${index}: the state key is empty, too long or not UTF-8`);
    if (record.length > SNAPSHOT_VALUE_BYTES_MAX) throw invalid(`pair ${index}: the record is over 1 MiB`);
    const keyHash = sha256(keyBytes);
    // REJECT: a pair that belongs to another chunk.
    if (!hasPrefix(keyHash, path, entry.depth))
      throw new SnapshotError(SnapshotErrorCode.chunkOrder, `pair ${index} (${key}) is outside the chunk's prefix`);
    // REJECT: pairs out of order or repeated: the order is canonical, so the bytes are too.
    if (index > 0 && compareBytes(pairs[index - 1]!.keyHash, keyHash) >= 0)
      throw new SnapshotError(
        SnapshotErrorCode.chunkOrder,
        `pair ${index} (${key}) is not after pair ${index - 1} in key-hash order`,
      );
    pairs.push({ key, value: record, keyBytes, keyHash, valueHash: sha256(record) });
  }
  const nodes: Array<[Uint8Array, Uint8Array]> = [];
  const subtree = buildSubtree(pairs, entry.depth, sink ? (hash, node) => nodes.push([hash, node]) : undefined);
  // REJECT: a changed record or key: the pairs do not make the chunk's root.
  if (bytesToHex(subtree.hash) !== entry.root)
    throw new SnapshotError(
      SnapshotErrorCode.chunkRoot,
      `the chunk's ${pairs.length} pairs hash to ${bytesToHex(subtree.hash).slice(0, 16)}…, not its root ${entry.root.slice(0, 16)}…`,
    );
  // Only nodes of a chunk that passed leave here.
  for (const [hash, node] of nodes) sink?.(hash, node);
  return pairs;
}
