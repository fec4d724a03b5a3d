// A state snapshot (docs/protocol.md, "Snapshots"): the state at one committed height, named by
// (height, stateRoot), cut into chunks. A chunk holds every (stateKey, record) pair whose key
// hash starts with one prefix of at most SNAPSHOT_CHUNK_DEPTH_MAX bits, sorted by key hash; the
// manifest lists each chunk's prefix, subtree root, pair count and size. A client checks the
// manifest by joining the chunk roots into the state root, and each chunk on its own against
// its root, so any peer may serve any chunk and a bad one is caught before it is written.
import { z } from 'zod';
import { schema } from '../ledger/index.js';

export const SNAPSHOT_VERSION = 1;
/** A chunk's encoded pairs never exceed this (a chunk is one protocol frame). */
export const SNAPSHOT_CHUNK_BYTES_MAX = 4 * 1024 * 1024;
/** Chunk prefixes are at most this many bits (2^20 subtrees: far below any state we carry). */
export const SNAPSHOT_CHUNK_DEPTH_MAX = 20;
/** Chunks per snapshot at most: the manifest stays one bounded frame (~100 bytes a chunk). */
export const SNAPSHOT_CHUNKS_MAX = 32_768;
export const SNAPSHOT_MANIFEST_BYTES_MAX = 4 * 1024 * 1024;
/** A state key is at most this long (the store's limit), a record at most 1 MiB. */
export const SNAPSHOT_KEY_BYTES_MAX = 512;
export const SNAPSHOT_VALUE_BYTES_MAX = 1024 * 1024;

const count = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const snapshotChunkEntrySchema = z.strictObject({
  /** The prefix's bits, left-aligned in ceil(depth / 8) bytes, hex; the bits after `depth` are zero. */
  path: z.string().regex(/^(?:[0-9a-f]{2}){0,3}$/),
  depth: z.number().int().min(0).max(SNAPSHOT_CHUNK_DEPTH_MAX),
  /** The hash of the subtree the chunk's pairs make at that prefix (a leaf's hash when it holds one pair). */
  root: schema.hash,
  pairs: z.number().int().min(1).max(SNAPSHOT_CHUNK_BYTES_MAX),
  bytes: z.number().int().min(1).max(SNAPSHOT_CHUNK_BYTES_MAX),
});
export type SnapshotChunkEntry = z.infer<typeof snapshotChunkEntrySchema>;

export const snapshotManifestSchema = z.strictObject({
  version: z.literal(SNAPSHOT_VERSION),
  chainId: z.string().min(1).max(64),
  height: count,
  blockHash: schema.hash,
  stateRoot: schema.hash,
  chunks: z.array(snapshotChunkEntrySchema).max(SNAPSHOT_CHUNKS_MAX),
});
export type SnapshotManifest = z.infer<typeof snapshotManifestSchema>;

/** What a node offers: enough to choose a snapshot before fetching its manifest. */
export const snapshotOfferSchema = z.strictObject({
  height: count,
  blockHash: schema.hash,
  stateRoot: schema.hash,
  chunks: z.number().int().nonnegative().max(SNAPSHOT_CHUNKS_MAX),
  pairs: count,
  bytes: count,
});
export type SnapshotOffer = z.infer<typeof snapshotOfferSchema>;

export function offerOf(manifest: SnapshotManifest): SnapshotOffer {
  return {
    height: manifest.height,
    blockHash: manifest.blockHash,
    stateRoot: manifest.stateRoot,
    chunks: manifest.chunks.length,
    pairs: manifest.chunks.reduce((sum, chunk) => sum + chunk.pairs, 0),
    bytes: manifest.chunks.reduce((sum, chunk) => sum + chunk.bytes, 0),
  };
}

/** The path of a prefix: its first `depth` bits of `keyHash`, the rest zeroed, in ceil(depth / 8) bytes. */
export function prefixPath(keyHash: Uint8Array, depth: number): Uint8Array {
  // A copy (a Buffer's slice would be a view, and the masking below would change the key hash).
  const path = Uint8Array.from(keyHash.subarray(0, Math.ceil(depth / 8)));
  if (depth % 8 !== 0) path[path.length - 1]! &= (0xff << (8 - (depth % 8))) & 0xff;
  return path;
}
