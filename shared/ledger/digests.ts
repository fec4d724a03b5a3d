// Transaction identity: the kernel's digests of any transaction, whatever its module.
//   txId   = sha256(CBOR(tx without signatures)): what every signer signs, and the replay key.
//   txHash = sha256(CBOR(signed tx)): the public identifier and the leaf of a block's txRoot,
//            so a block commits to the signatures it carried, not only to the content.
import { bytesToHex, encode } from '../codec/index.js';
import { sha256 } from '../crypto/index.js';
import type { AnyTransaction, AnyUnsignedTransaction } from './primitives.js';

type Transaction = AnyTransaction;
type UnsignedTransaction = AnyUnsignedTransaction;

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

/**
 * The digests of one block's transactions, each computed once while the block is handled:
 * the prefetch (replay key), the replay check, every tx signature, the consents, the tx
 * index and the txRoot all need them, and each costs a CBOR encode and a sha256. Keyed by
 * object identity, so it lives only as long as one block's handling, while its
 * transactions are not mutated.
 */
export class TxDigests {
  readonly #idBytes = new WeakMap<object, Uint8Array>();
  readonly #ids = new WeakMap<object, string>();
  readonly #hashes = new WeakMap<object, string>();
  readonly #contents = new WeakMap<object, Uint8Array>();

  idBytes(tx: Transaction): Uint8Array {
    let bytes = this.#idBytes.get(tx);
    if (bytes === undefined) {
      bytes = txIdBytes(tx);
      this.#idBytes.set(tx, bytes);
    }
    return bytes;
  }

  id(tx: Transaction): string {
    let id = this.#ids.get(tx);
    if (id === undefined) {
      id = bytesToHex(this.idBytes(tx));
      this.#ids.set(tx, id);
    }
    return id;
  }

  hash(tx: Transaction): string {
    let hash = this.#hashes.get(tx);
    if (hash === undefined) {
      hash = txHash(tx);
      this.#hashes.set(tx, hash);
    }
    return hash;
  }

  /** Digests computed elsewhere by the same functions (the node's worker thread, on the same decoded transaction). */
  seed(tx: Transaction, idBytes: Uint8Array, hash: string): void {
    this.#idBytes.set(tx, idBytes);
    this.#hashes.set(tx, hash);
  }

  /** sha256 of a part of a transaction that parties sign on its own (a transfer's contract). */
  contentHash(value: object): Uint8Array {
    let bytes = this.#contents.get(value);
    if (bytes === undefined) {
      bytes = contentHashBytes(value);
      this.#contents.set(value, bytes);
    }
    return bytes;
  }
}

/** sha256(CBOR(value)): the digest of a signed part of a transaction (a transfer's contract). */
export function contentHashBytes(value: object): Uint8Array {
  return sha256(encode(value));
}
