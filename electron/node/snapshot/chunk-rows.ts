// One snapshot chunk checked and turned into the store rows it makes, packed for a worker
// thread to hand back in two transferable buffers: the LevelDB keys and values of every row
// (the records, the chunk's state-tree nodes, the party -> object index), each concatenated,
// with their end offsets. The join checks chunks on the node's worker (verify-worker.ts) so
// that its main thread only receives chunks and writes rows; without a worker it runs the same
// function itself. What is packed is written by ChainStore.writePackedRows.
import * as dagCbor from '@ipld/dag-cbor';
import { utf8 } from '../../../shared/codec/index.js';
import {
  SnapshotError,
  SnapshotErrorCode,
  verifyChunk,
  type SnapshotChunkEntry,
} from '../../../shared/snapshot/index.js';
import { HASH_BYTES, NAME_BYTES_MAX, Prefix, PRESENT_MARKER } from '../store/keys.js';

/** The rows of one checked chunk, ready for LevelDB. */
export interface PackedRows {
  /** Every row's key, concatenated; row i is keys[keyEnds[i-1] .. keyEnds[i]). */
  keys: Uint8Array;
  keyEnds: Uint32Array;
  /** Every row's value, concatenated, the same way. */
  values: Uint8Array;
  valueEnds: Uint32Array;
  /** State pairs in the chunk (records), of the rows. */
  pairs: number;
}

/** A refusal as it crosses from the worker: the SnapshotError's code and sentence. */
export interface ChunkRefusal {
  code: SnapshotErrorCode;
  message: string;
}

/**
 * Checks `bytes` against its manifest entry (verifyChunk: every defect is a SnapshotError and
 * nothing is packed) and packs the rows it makes: each record under its state key, each tree
 * node of the chunk under its hash, and a party -> object row for every owner of an object
 * record (the party index is not in the state; the records are certified by the root, so they
 * are read, not re-validated). The buffers are sized exactly first, then filled once.
 */
export function packChunkRows(entry: SnapshotChunkEntry, bytes: Uint8Array): PackedRows {
  const nodes: Array<[Uint8Array, Uint8Array]> = [];
  const pairs = verifyChunk(entry, bytes, (hash, node) => nodes.push([hash, node]));
  const parties: Array<{ party: Uint8Array; objectId: Uint8Array }> = [];
  let keyBytes = 0;
  let valueBytes = 0;
  for (const pair of pairs) {
    keyBytes += 1 + pair.keyBytes.length;
    valueBytes += pair.value.length;
    if (!pair.key.startsWith('obj/')) continue;
    const objectId = pair.keyBytes.subarray(4);
    const record = dagCbor.decode(pair.value) as { owners?: Array<{ key?: unknown }> };
    for (const owner of record.owners ?? []) {
      if (typeof owner.key !== 'string') continue;
      const party = utf8(owner.key);
      // REJECT: a party the index cannot hold (the chain never certifies one; a bad peer's chunk fails its root first).
      if (party.length === 0 || party.length > NAME_BYTES_MAX || party.includes(0) || objectId.includes(0))
        throw new SnapshotError(
          SnapshotErrorCode.chunkInvalid,
          `the record of ${pair.key} names a party the index cannot hold`,
        );
      parties.push({ party, objectId });
      keyBytes += 2 + party.length + objectId.length;
      valueBytes += PRESENT_MARKER.length;
    }
  }
  for (const [hash, node] of nodes) {
    if (hash.length !== HASH_BYTES) throw new Error('a state-tree node hash is 32 bytes');
    keyBytes += 1 + HASH_BYTES;
    valueBytes += node.length;
  }
  const rows = pairs.length + parties.length + nodes.length;
  const packed: PackedRows = {
    keys: new Uint8Array(keyBytes),
    keyEnds: new Uint32Array(rows),
    values: new Uint8Array(valueBytes),
    valueEnds: new Uint32Array(rows),
    pairs: pairs.length,
  };
  let row = 0;
  let keyAt = 0;
  let valueAt = 0;
  const key = (part: Uint8Array) => {
    packed.keys.set(part, keyAt);
    keyAt += part.length;
  };
  const end = (value: Uint8Array) => {
    packed.values.set(value, valueAt);
    valueAt += value.length;
    packed.keyEnds[row] = keyAt;
    packed.valueEnds[row++] = valueAt;
  };
  for (const pair of pairs) {
    packed.keys[keyAt++] = Prefix.state;
    key(pair.keyBytes);
    end(pair.value);
  }
  for (const { party, objectId } of parties) {
    packed.keys[keyAt++] = Prefix.partyObject;
    key(party);
    packed.keys[keyAt++] = 0x00;
    key(objectId);
    end(PRESENT_MARKER);
  }
  for (const [hash, node] of nodes) {
    packed.keys[keyAt++] = Prefix.smtNode;
    key(hash);
    end(node);
  }
  return packed;
}

/** The refusal a worker sends back for `error` thrown by packChunkRows. */
export function refusalOf(error: unknown): ChunkRefusal {
  if (error instanceof SnapshotError)
    return { code: error.code, message: error.message.replace(`${error.code}: `, '') };
  return { code: SnapshotErrorCode.chunkInvalid, message: String((error as Error)?.message ?? error) };
}
