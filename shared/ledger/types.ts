import type { z } from 'zod';
import type * as schema from './schema.js';

export type Share = [numerator: number, denominator: number];
export type Owner = z.infer<typeof schema.owner>;
export type Role = z.infer<typeof schema.role>;
export type AuthorityStatus = z.infer<typeof schema.authorityStatus>;
export type Encumbrance = z.infer<typeof schema.encumbrance>;
export type PropertyObject = z.infer<typeof schema.propertyObject>;
export type Authority = z.infer<typeof schema.authority>;
export type FeeSchedule = z.infer<typeof schema.feeSchedule>;
export type AuthorityIndexEntry = z.infer<typeof schema.authorityIndexEntry>;
export type ValidatorSchedule = z.infer<typeof schema.validatorSchedule>;
export type ReplayRecord = z.infer<typeof schema.replayRecord>;
export type SignatureEntry = z.infer<typeof schema.signatureEntry>;
export type Contract = z.infer<typeof schema.contract>;
export type Transaction = z.infer<typeof schema.transaction>;
export type TransactionType = Transaction['type'];
export type TxOf<T extends TransactionType> = Extract<Transaction, { type: T }>;
/** A transaction before signatures: what every signer signs (through its hash). */
export type UnsignedTransaction = Omit<Transaction, 'signatures'>;
export type BlockHeader = z.infer<typeof schema.blockHeader>;
export type Block = z.infer<typeof schema.block>;
export type Commit = z.infer<typeof schema.commit>;
export type Genesis = z.infer<typeof schema.genesis>;

/** What the ledger knows of the block it is applying. */
export interface BlockContext {
  chainId: string;
  height: number;
  timeMs: number;
}
