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

class Packer {
  #keys: Uint8Array;
  #values: Uint8Array;
  #keyEnds: number[] = [];
  #valueEnds: number[] = [];
  #keyAt = 0;
  #valueAt = 0;

  constructor(bytesHint: number) {
    this.#keys = new Uint8Array(Math.max(1024, bytesHint >> 1));
    this.#values = new Uint8Array(Math.max(1024, bytesHint + (bytesHint >> 1)));
  }

  put(prefix: number, keyParts: Uint8Array[], value: Uint8Array): void {
    let keyLength = 1;
    for (const part of keyParts) keyLength += part.length;
    this.#keys = grown(this.#keys, this.#keyAt + keyLength);
    this.#keys[this.#keyAt++] = prefix;
    for (const part of keyParts) {
      this.#keys.set(part, this.#keyAt);
      this.#keyAt += part.length;
    }
    this.#keyEnds.push(this.#keyAt);
    this.#values = grown(this.#values, this.#valueAt + value.length);
    this.#values.set(value, this.#valueAt);
    this.#valueAt += value.length;
    this.#valueEnds.push(this.#valueAt);
  }

  finish(pairs: number): PackedRows {
    return {
      keys: this.#keys.slice(0, this.#keyAt),
      keyEnds: Uint32Array.from(this.#keyEnds),
      values: this.#values.slice(0, this.#valueAt),
      valueEnds: Uint32Array.from(this.#valueEnds),
      pairs,
    };
  }
}

function grown(buffer: Uint8Array, needed: number): Uint8Array {
  if (needed <= buffer.length) return buffer;
  const next = new Uint8Array(Math.max(needed, buffer.length * 2));
  next.set(buffer);
  return next;
}

const SEPARATOR = Uint8Array.of(0x00);

/**
 * Checks `bytes` against its manifest entry (verifyChunk: every defect is a SnapshotError and
 * nothing is packed) and packs the rows it makes: each record under its state key, each tree
 * node of the chunk under its hash, and a party -> object row for every owner of an object
 * record (the party index is not in the state; the records are certified by the root, so they
 * are read, not re-validated).
 */
export function packChunkRows(entry: SnapshotChunkEntry, bytes: Uint8Array): PackedRows {
  const packer = new Packer(bytes.length);
  const nodes: Array<[Uint8Array, Uint8Array]> = [];
  const pairs = verifyChunk(entry, bytes, (hash, node) => nodes.push([hash, node]));
  for (const pair of pairs) {
    packer.put(Prefix.state, [pair.keyBytes], pair.value);
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
      packer.put(Prefix.partyObject, [party, SEPARATOR, objectId], PRESENT_MARKER);
    }
  }
  for (const [hash, node] of nodes) {
    if (hash.length !== HASH_BYTES) throw new Error('a state-tree node hash is 32 bytes');
    packer.put(Prefix.smtNode, [hash], node);
  }
  return packer.finish(pairs.length);
}

/** The refusal a worker sends back for `error` thrown by packChunkRows. */
export function refusalOf(error: unknown): ChunkRefusal {
  if (error instanceof SnapshotError)
    return { code: error.code, message: error.message.replace(`${error.code}: `, '') };
  return { code: SnapshotErrorCode.chunkInvalid, message: String((error as Error)?.message ?? error) };
}
