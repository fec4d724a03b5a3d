// Transaction identity, signing and decoding.
//   txId   = sha256(CBOR(tx without signatures)): what every signer signs, and the replay key.
//   txHash = sha256(CBOR(signed tx)): the public identifier and the leaf of a block's txRoot,
//            so a block commits to the signatures it carried, not only to the content.
import { bytesToHex, CodecError, decode, encode } from '../codec/index.js';
import { Domain, publicKeyOf, sha256, sign, type SignatureCheck } from '../crypto/index.js';
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
  readonly #contracts = new WeakMap<object, Uint8Array>();

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

  contractHash(contract: Contract): Uint8Array {
    let bytes = this.#contracts.get(contract);
    if (bytes === undefined) {
      bytes = contractHashBytes(contract);
      this.#contracts.set(contract, bytes);
    }
    return bytes;
  }
}

/**
 * The signature checks the rules make for `tx` in a block of `chainId` when every check
 * passes: its signers over the txId, and a transfer's consents over the contract hash. Used
 * to verify a block's signatures ahead, off the main thread; the rules still make every
 * check themselves, so a wrong or missing entry here costs time, never a different answer.
 */
export function expectedSignatureChecks(tx: Transaction, chainId: string, digests: TxDigests): SignatureCheck[] {
  const checks: SignatureCheck[] = [];
  if (!Array.isArray(tx.signatures)) return checks;
  const message = digests.idBytes(tx);
  for (const entry of tx.signatures)
    checks.push({ publicKey: entry.key, signature: entry.signature, domain: Domain.tx, chainId, message });
  if (tx.type === 'transfer' && Array.isArray(tx.payload.consents)) {
    const contractHash = digests.contractHash(tx.payload.contract);
    for (const entry of tx.payload.consents)
      checks.push({
        publicKey: entry.key,
        signature: entry.signature,
        domain: Domain.contract,
        chainId,
        message: contractHash,
      });
  }
  return checks;
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
