// Blocks: header hashing, roots, and the checks every block passes before it is applied.
import { bytesToHex, encode, hexToBytes } from '../codec/index.js';
import { sha256Hex } from '../crypto/index.js';
import { merkleRoot } from '../merkle/rfc6962.js';
import { txHash, type TxDigests } from './tx.js';
import type { BlockHeader, Transaction } from './types.js';

export const ZERO_HASH = '0'.repeat(64);
export const BLOCK_TXS_MAX = 10_000;

export function blockHash(header: BlockHeader): string {
  return sha256Hex(encode(header));
}

/** RFC 6962 Merkle root over the hashes of the signed transactions, in block order. */
export function txRootOf(txs: readonly Transaction[], digests?: TxDigests): string {
  return bytesToHex(merkleRoot(txs.map((tx) => hexToBytes(digests ? digests.hash(tx) : txHash(tx)))));
}

/**
 * The application hash binds what a light client needs beside the state: the protocol
 * version the block was executed under (1 on every chain made before versions, so they
 * replay unchanged) and the validator set that block H schedules for H + 2.
 */
export function appHashOf(stateRoot: string, nextValidatorsHash: string, protocol: number): string {
  return sha256Hex(encode({ protocol, stateRoot, nextValidatorsHash }));
}
