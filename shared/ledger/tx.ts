// Transactions of any module: signing, the signatures a block's rules will check, and
// decoding from outside. The digests themselves are the kernel's (digests.ts).
import { CodecError, decode, encode } from '../codec/index.js';
import { Domain, publicKeyOf, sign, type SignatureCheck } from '../crypto/index.js';
import { txRules } from './apply.js';
import { contentHashBytes, txIdBytes, unsignedOf, type TxDigests } from './digests.js';
import { KernelCode, LedgerError } from './errors.js';
import * as schema from './schema.js';
import type { Contract, SignatureEntry, Transaction, UnsignedTransaction } from './types.js';

export { contentHashBytes, TxDigests, txHash, txId, txIdBytes } from './digests.js';

/**
 * The signature checks the rules make for `tx` in a block of `chainId` when every check
 * passes: its signers over the txId, and the signatures its module checks besides (a
 * transfer's consents over the contract hash). Used to verify a block's signatures ahead,
 * off the main thread; the rules still make every check themselves, so a wrong or missing
 * entry here costs time, never a different answer.
 */
export function expectedSignatureChecks(tx: Transaction, chainId: string, digests: TxDigests): SignatureCheck[] {
  const checks: SignatureCheck[] = [];
  if (!Array.isArray(tx.signatures)) return checks;
  const message = digests.idBytes(tx);
  for (const entry of tx.signatures)
    checks.push({ publicKey: entry.key, signature: entry.signature, domain: Domain.tx, chainId, message });
  const extra = txRules(tx.type).extraSignatureChecks as
    ((tx: Transaction, chainId: string, digests: TxDigests) => SignatureCheck[]) | undefined;
  if (extra) checks.push(...extra(tx, chainId, digests));
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
  return contentHashBytes(contract);
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
    throw new LedgerError(KernelCode.malformed, `not a valid transaction${where}: ${issue?.message ?? 'invalid'}`);
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
    if (error instanceof CodecError) throw new LedgerError(KernelCode.malformed, error.message);
    throw error;
  }
  return parseTransaction(value);
}
