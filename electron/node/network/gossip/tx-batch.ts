// A batch of transactions on the `txs` topic (docs/protocol.md REQ-NET.3, decision #60): the
// canonical CBOR array of the transactions' own canonical CBOR encodings, each a byte string,
// so that each is decoded, size-checked and hashed exactly as on the `tx` topic. One gossip
// message per batch instead of per transaction: gossipsub's per-message costs (its message
// signature and its check, the message id, the validation queue, a frame per peer) are paid
// once for up to TX_BATCH_TXS_MAX transactions.
import { CodecError, decode, encode } from '../../../../shared/codec/index.js';
import { decodeTransaction, schema, type Transaction } from '../../../../shared/ledger/index.js';
import { GossipAction, GossipValidationError } from '../errors.js';

/** Transactions in one batch at most. */
export const TX_BATCH_TXS_MAX = 64;
/** Bytes of the transactions in one batch at most (a batch closes before it would pass this). */
export const TX_BATCH_CONTENT_BYTES_MAX = 1024 * 1024;
/** A batch's bytes at most: its transactions plus CBOR headers (at most 5 bytes each, and the array's). */
export const TX_BATCH_BYTES_MAX = TX_BATCH_CONTENT_BYTES_MAX + 5 * (TX_BATCH_TXS_MAX + 1);

export function encodeTxBatch(encodedTxs: readonly Uint8Array[]): Uint8Array {
  if (encodedTxs.length === 0 || encodedTxs.length > TX_BATCH_TXS_MAX)
    throw new RangeError(`a batch holds 1 to ${TX_BATCH_TXS_MAX} transactions, not ${encodedTxs.length}`);
  return encode([...encodedTxs]);
}

/**
 * Bytes -> the batch's transactions, each with its own bytes. Throws GossipValidationError
 * (Reject, MALFORMED) for anything that is not a batch of well-formed transactions: the
 * publisher admitted every transaction it batched, so a bad one is its fault whatever our state.
 */
export function decodeTxBatch(bytes: Uint8Array): Array<{ tx: Transaction; bytes: Uint8Array }> {
  let value: unknown;
  try {
    value = decode(bytes, TX_BATCH_BYTES_MAX);
  } catch (error) {
    // REJECT: not canonical CBOR, or over the topic limit.
    throw malformed(error instanceof CodecError ? error.message : String(error));
  }
  // REJECT: not an array of 1..TX_BATCH_TXS_MAX byte strings.
  if (!Array.isArray(value) || value.length === 0 || value.length > TX_BATCH_TXS_MAX)
    throw malformed(`a batch is an array of 1 to ${TX_BATCH_TXS_MAX} transactions`);
  let total = 0;
  return value.map((item: unknown, index) => {
    if (!(item instanceof Uint8Array) || item.length > schema.LIMITS.txBytesMax)
      throw malformed(`entry ${index} is not a transaction's bytes of at most ${schema.LIMITS.txBytesMax}`);
    total += item.length;
    // REJECT: more than a batch may carry.
    if (total > TX_BATCH_CONTENT_BYTES_MAX)
      throw malformed(`the batch's transactions pass ${TX_BATCH_CONTENT_BYTES_MAX} bytes`);
    try {
      return { tx: decodeTransaction(item), bytes: item };
    } catch (error) {
      // REJECT: an entry that is not a transaction.
      throw malformed(`entry ${index}: ${(error as Error).message}`);
    }
  });
}

function malformed(reason: string): GossipValidationError {
  return new GossipValidationError(GossipAction.reject, 'MALFORMED', `not a transaction batch: ${reason}`);
}
