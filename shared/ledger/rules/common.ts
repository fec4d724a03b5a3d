// Checks shared by every transaction type.
import { Domain, type Verifier } from '../../crypto/index.js';
import { reject, RejectCode, short } from '../errors.js';
import type { StateOverlay } from '../state.js';
import type { TxDigests } from '../tx.js';
import type {
  Authority,
  BlockContext,
  FeeSchedule,
  PropertyObject,
  Role,
  SignatureEntry,
  Transaction,
} from '../types.js';

export interface RuleContext {
  state: StateOverlay;
  block: BlockContext;
  verify: Verifier;
  /** sha256 of the unsigned transaction: the message every tx signature covers. */
  txIdBytes: Uint8Array;
  /** The block's transaction digests (the contract hash). */
  digests: TxDigests;
}

/**
 * Every signature verifies over this transaction, and comes from a key the rule allows.
 * REJECT BAD_SIGNATURE / UNEXPECTED_SIGNER. Run before any rule that trusts a signer.
 */
export function checkSignatures(tx: Transaction, context: RuleContext, allowed: (key: string) => boolean): void {
  for (const entry of tx.signatures) {
    if (!allowed(entry.key)) {
      reject(RejectCode.unexpectedSigner, `key ${short(entry.key)} signed this ${tx.type} but has no part in it`);
    }
    const valid = context.verify({
      publicKey: entry.key,
      signature: entry.signature,
      domain: Domain.tx,
      chainId: context.block.chainId,
      message: context.txIdBytes,
    });
    if (!valid) reject(RejectCode.badSignature, `the signature of ${short(entry.key)} does not verify`);
  }
}

export function requireSigner(tx: Transaction, key: string, who: string): void {
  if (!tx.signatures.some((entry) => entry.key === key)) {
    reject(RejectCode.missingSignature, `${who} ${short(key)} has not signed this ${tx.type}`);
  }
}

/** Consents over a transfer contract (Domain.contract), each verified. */
export function checkConsents(consents: SignatureEntry[], contractHash: Uint8Array, context: RuleContext): Set<string> {
  const signed = new Set<string>();
  for (const entry of consents) {
    const valid = context.verify({
      publicKey: entry.key,
      signature: entry.signature,
      domain: Domain.contract,
      chainId: context.block.chainId,
      message: contractHash,
    });
    if (!valid) reject(RejectCode.badSignature, `the contract signature of ${short(entry.key)} does not verify`);
    signed.add(entry.key);
  }
  return signed;
}

export function activeAuthority(context: RuleContext, key: string, roles: readonly Role[]): Authority | undefined {
  const record = context.state.authority(key);
  if (!record || record.status !== 'active' || !roles.includes(record.role)) return undefined;
  return record;
}

export function existingObject(context: RuleContext, id: string, expectedVersion: number): PropertyObject {
  const object = context.state.object(id);
  if (!object) reject(RejectCode.unknownObject, `object ${id} is not in the registry`);
  if (object.version !== expectedVersion) {
    reject(
      RejectCode.staleVersion,
      `object ${id} changed at height ${object.updatedHeight} since this was signed (version ${expectedVersion}, now ${object.version})`,
    );
  }
  return object;
}

/** State duty owed on a contract price: max(minimum, ceil(price x rate)), in minor units. */
export function dutyOwedMinor(fees: FeeSchedule, priceMinor: number): number {
  const proportional = (BigInt(priceMinor) * BigInt(fees.dutyRateBasisPoints) + 9_999n) / 10_000n;
  const owed = proportional > BigInt(fees.dutyMinimumMinor) ? proportional : BigInt(fees.dutyMinimumMinor);
  return Number(owed);
}

export function formatMinor(amountMinor: number): string {
  return `${Math.floor(amountMinor / 100)}.${String(amountMinor % 100).padStart(2, '0')}`;
}
