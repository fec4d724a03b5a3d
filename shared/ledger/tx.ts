// Transaction identity, signing and decoding.
//   txId   = sha256(CBOR(tx without signatures)): what every signer signs, and the replay key.
//   txHash = sha256(CBOR(signed tx)): the public identifier and the leaf of a block's txRoot,
//            so a block commits to the signatures it carried, not only to the content.
import { bytesToHex, CodecError, decode, encode } from '../codec/index.js';
import { Domain, publicKeyOf, sha256, sign } from '../crypto/index.js';
import { LedgerError, RejectCode } from './errors.js';
import * as schema from './schema.js';
import type { Contract, SignatureEntry, Transaction, UnsignedTransaction } from './types.js';

export function unsignedOf(tx: Transaction | UnsignedTransaction): UnsignedTransaction {
  const { signatures: _signatures, ...unsigned } = tx as Transaction;
  return unsigned;
}

export function txIdBytes(tx: Transaction | UnsignedTransaction): Uint8Array {
  return sha256(encode(unsignedOf(tx)));
}

export function txId(tx: Transaction | UnsignedTransaction): string {
  return bytesToHex(txIdBytes(tx));
}

export function txHash(tx: Transaction): string {
  return bytesToHex(sha256(encode(tx)));
}

/** Adds (or replaces) the signature of `secretKey` over the transaction. */
export function signTransaction(tx: Transaction | UnsignedTransaction, secretKey: string): Transaction {
  const key = publicKeyOf(secretKey);
  const signature = sign(secretKey, Domain.tx, tx.chainId, txIdBytes(tx));
  const existing = ((tx as Transaction).signatures ?? []).filter((entry) => entry.key !== key);
  return { ...unsignedOf(tx), signatures: [...existing, { key, signature }] } as Transaction;
}

export function contractHashBytes(contract: Contract): Uint8Array {
  return sha256(encode(contract));
}

/** A party's (seller's, buyer's, consenting holder's) signature over a transfer contract. */
export function signContract(contract: Contract, chainId: string, secretKey: string): SignatureEntry {
  return {
    key: publicKeyOf(secretKey),
    signature: sign(secretKey, Domain.contract, chainId, contractHashBytes(contract)),
  };
}

/** Checks an untrusted value (JSON from a file, a decoded gossip message) is a transaction. */
export function parseTransaction(value: unknown): Transaction {
  const result = schema.transaction.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
    throw new LedgerError(RejectCode.malformed, `not a valid transaction${where}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data as Transaction;
}

export function encodeTransaction(tx: Transaction): Uint8Array {
  return encode(tx);
}

/** Canonical CBOR bytes from outside -> a checked transaction, or MALFORMED. */
export function decodeTransaction(bytes: Uint8Array): Transaction {
  let value: unknown;
  try {
    value = decode(bytes, schema.LIMITS.txBytesMax);
  } catch (error) {
    if (error instanceof CodecError) throw new LedgerError(RejectCode.malformed, error.message);
    throw error;
  }
  return parseTransaction(value);
}
