// Why a snapshot, a chunk or a header was refused: a code and a sentence. Every refusal of
// something a peer sent is one of these; the client then asks another peer.
export const SnapshotErrorCode = {
  /** The manifest is malformed, names another chain or height, or its chunks overlap. */
  manifestInvalid: 'SNAPSHOT_MANIFEST_INVALID',
  /** The chunk roots do not join into the state root of the certified header. */
  manifestRoot: 'SNAPSHOT_MANIFEST_ROOT',
  /** The chunk's bytes are malformed: not canonical CBOR pairs, a bad key, a wrong size or count. */
  chunkInvalid: 'SNAPSHOT_CHUNK_INVALID',
  /** A pair outside the chunk's prefix, or pairs out of key-hash order (a repeat included). */
  chunkOrder: 'SNAPSHOT_CHUNK_ORDER',
  /** The chunk's pairs do not hash to its root in the manifest. */
  chunkRoot: 'SNAPSHOT_CHUNK_ROOT',
  /** A header does not follow the one before (chain, height, previous hash) or names a validator set it may not. */
  headerInvalid: 'SNAPSHOT_HEADER_INVALID',
  /** A header's commit certificate is not valid for the validator set it must be signed by. */
  commitInvalid: 'SNAPSHOT_COMMIT_INVALID',
} as const;
export type SnapshotErrorCode = (typeof SnapshotErrorCode)[keyof typeof SnapshotErrorCode];

export class SnapshotError extends Error {
  constructor(
    readonly code: SnapshotErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
    this.name = 'SnapshotError';
  }
}
