import type { z } from 'zod';
import type * as schema from './schema.js';

export type { BlockContext } from './module.js';
export type { ReplayRecord } from './overlay.js';
export type { AnyTransaction, SignatureEntry } from './primitives.js';
export type {
  Authority,
  AuthorityIndexEntry,
  AuthorityStatus,
  Role,
  ValidatorSchedule,
} from '../modules/authority/types.js';
export type { Contract, Encumbrance, FeeSchedule, Owner, PropertyObject, Share } from '../modules/property/types.js';

/** Any transaction of any module (the union assembled from shared/modules/index.ts). */
export type Transaction = z.infer<typeof schema.transaction>;
export type TransactionType = Transaction['type'];
export type TxOf<T extends TransactionType> = Extract<Transaction, { type: T }>;
/** A transaction before signatures: what every signer signs (through its hash). */
export type UnsignedTransaction = Omit<Transaction, 'signatures'>;
export type BlockHeader = z.infer<typeof schema.blockHeader>;
export type Block = z.infer<typeof schema.block>;
export type Commit = z.infer<typeof schema.commit>;
export type Genesis = z.infer<typeof schema.genesis>;
