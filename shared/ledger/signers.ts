// The signature checks every module's rules make on a transaction's envelope.
import { Domain } from '../crypto/index.js';
import { KernelCode, reject, short } from './errors.js';
import type { RuleContext } from './module.js';
import type { AnyTransaction } from './primitives.js';

/**
 * Every signature verifies over this transaction, and comes from a key the rule allows.
 * REJECT BAD_SIGNATURE / UNEXPECTED_SIGNER. Run before any rule that trusts a signer.
 */
export function checkSignatures(tx: AnyTransaction, context: RuleContext, allowed: (key: string) => boolean): void {
  for (const entry of tx.signatures) {
    if (!allowed(entry.key)) {
      reject(KernelCode.unexpectedSigner, `key ${short(entry.key)} signed this ${tx.type} but has no part in it`);
    }
    const valid = context.verify({
      publicKey: entry.key,
      signature: entry.signature,
      domain: Domain.tx,
      chainId: context.block.chainId,
      message: context.txIdBytes,
    });
    if (!valid) reject(KernelCode.badSignature, `the signature of ${short(entry.key)} does not verify`);
  }
}

export function requireSigner(tx: AnyTransaction, key: string, who: string): void {
  if (!tx.signatures.some((entry) => entry.key === key)) {
    reject(KernelCode.missingSignature, `${who} ${short(key)} has not signed this ${tx.type}`);
  }
}
