// Cuts pairs sorted by key hash into chunks: the subtree at a prefix becomes one chunk when its
// encoding fits `targetBytes`, else it is split in two at the next bit, down to the deepest
// prefix allowed. The server runs it per bucket of the state; the tests run it on a whole state.
import { bitAt } from '../smt/node.js';
import { buildSubtree } from '../smt/index.js';
import { bytesToHex, utf8 } from '../codec/index.js';
import { SNAPSHOT_CHUNK_BYTES_MAX, SNAPSHOT_CHUNK_DEPTH_MAX, prefixPath, type SnapshotChunkEntry } from './manifest.js';
import { encodeChunk, type SnapshotPair } from './verify.js';

/** CBOR overhead of one pair besides its key and record bytes (array and length headers), at most. */
const PAIR_OVERHEAD_BYTES = 12;

export function pairBytes(pair: { key: string; value: Uint8Array }): number {
  return utf8(pair.key).length + pair.value.length + PAIR_OVERHEAD_BYTES;
}

export interface MadeChunk {
  entry: SnapshotChunkEntry;
  bytes: Uint8Array;
}

/** Chunks of `pairs` (sorted by key hash, all under the `depth`-bit prefix they share), in prefix order. */
export function chunkSortedPairs(pairs: readonly SnapshotPair[], depth: number, targetBytes: number): MadeChunk[] {
  const chunks: MadeChunk[] = [];
  const cut = (lo: number, hi: number, at: number, size: number) => {
    if (lo === hi) return;
    if (size > targetBytes && at < SNAPSHOT_CHUNK_DEPTH_MAX && hi - lo > 1) {
      let split = lo;
      let left = 0;
      while (split < hi && bitAt(pairs[split]!.keyHash, at) === 0) left += pairBytes(pairs[split++]!);
      cut(lo, split, at + 1, left);
      cut(split, hi, at + 1, size - left);
      return;
    }
    const slice = pairs.slice(lo, hi);
    const bytes = encodeChunk(slice);
    if (bytes.length > SNAPSHOT_CHUNK_BYTES_MAX)
      throw new Error(
        `a chunk at depth ${at} is ${bytes.length} bytes; the state is too dense for ${SNAPSHOT_CHUNK_DEPTH_MAX}-bit prefixes`,
      );
    chunks.push({
      entry: {
        path: bytesToHex(prefixPath(slice[0]!.keyHash, at)),
        depth: at,
        root: bytesToHex(buildSubtree(slice, at).hash),
        pairs: slice.length,
        bytes: bytes.length,
      },
      bytes,
    });
  };
  cut(
    0,
    pairs.length,
    depth,
    pairs.reduce((sum, pair) => sum + pairBytes(pair), 0),
  );
  return chunks;
}
