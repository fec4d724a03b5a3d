// Decoding a committed block as it arrives from a peer (block sync): canonical CBOR, the
// schemas, and the block and its commit naming each other. Shared by the syncer (main thread)
// and the node's worker thread, which decodes synced blocks ahead of their execution.
import { decode, encode } from '../codec/index.js';
import { blockHash, schema, txHash, txIdBytes, type Block, type Commit } from '../ledger/index.js';

export interface DecodedBlock {
  block: Block;
  commit: Commit;
}

/** Throws an Error saying what is wrong with a served block or commit. */
export function decodeCommittedBlock(
  height: number,
  blockBytes: Uint8Array,
  commitBytes: Uint8Array,
  limits: { blockBytesMax: number; commitBytesMax: number },
): DecodedBlock {
  const block = schema.block.parse(decode(blockBytes, limits.blockBytesMax)) as Block;
  const commit = schema.commit.parse(decode(commitBytes, limits.commitBytesMax)) as Commit;
  if (block.header.height !== height || commit.height !== height) throw new Error(`heights differ from ${height}`);
  if (commit.blockHash !== blockHash(block.header)) throw new Error('the commit names another block');
  return { block, commit };
}

/** What a worker computes beside decoding: each transaction's digests, and whether the bytes are the block's canonical encoding. */
export interface BlockDigests {
  /** 32 bytes per transaction: sha256 of the unsigned transaction. */
  txIds: Uint8Array;
  txHashes: string[];
  /** True when `blockBytes` equal encode(block), so they can be stored as they are. */
  canonical: boolean;
}

export function blockDigestsOf(block: Block, blockBytes: Uint8Array): BlockDigests {
  const txIds = new Uint8Array(32 * block.txs.length);
  block.txs.forEach((tx, i) => txIds.set(txIdBytes(tx), 32 * i));
  const encoded = encode(block);
  const canonical = encoded.length === blockBytes.length && encoded.every((byte, i) => byte === blockBytes[i]);
  return { txIds, txHashes: block.txs.map((tx) => txHash(tx)), canonical };
}
