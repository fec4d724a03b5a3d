// What the PrivValidator persists, its schema, and the storage interface with an in-memory
// implementation (the simulator keeps it across simulated crashes). The file implementation
// is in priv-validator-file-store.ts.
import { z } from 'zod';
import * as schema from '../../../shared/ledger/schema.js';

export type SignStep = 'propose' | 'prevote' | 'precommit';

/**
 * Signatures kept, newest last. The newest guards against double-signing; all of them let a
 * restarted validator re-send its votes of the current height, which peers may never have
 * received (a quorum can hinge on one of them). Eight covers the last rounds it voted in.
 */
export const SIGNED_KEPT_MAX = 8;

const round = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const height = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export const signedSlotSchema = z.strictObject({
  height,
  round,
  step: z.enum(['propose', 'prevote', 'precommit']),
  blockHash: schema.hash.nullable(),
  /** Hex of the exact message signed (before the domain and chain prefix). */
  message: z.string().regex(/^([0-9a-f]{2}){1,1024}$/),
  signature: schema.signature,
});

export const privValidatorStateSchema = z.strictObject({
  version: z.literal(1),
  chainId: schema.chainId,
  publicKey: schema.publicKey,
  /** The last signatures given out, in (height, round, step) order, newest last. */
  signed: z.array(signedSlotSchema).max(SIGNED_KEPT_MAX),
  /** The last non-nil precommit: the lock of Algorithm 1 lines 38-39. */
  lock: z.strictObject({ height, round, blockHash: schema.hash }).nullable(),
});

export type SignedSlot = z.infer<typeof signedSlotSchema>;
export type PrivValidatorState = z.infer<typeof privValidatorStateSchema>;

export interface PrivValidatorStore {
  /** The persisted state, undefined if none was ever saved; throws if it is unreadable. */
  load(): Promise<PrivValidatorState | undefined>;
  /** Persists durably before resolving (a crash after it resolves keeps the state). */
  save(state: PrivValidatorState): Promise<void>;
  /** Where the state lives, for error messages. */
  describe(): string;
}

/** Keeps the state in memory; it survives whatever the owner keeps the object across. */
export class MemoryPrivValidatorStore implements PrivValidatorStore {
  #state: PrivValidatorState | undefined;
  /** How many states were saved (tests inspect it). */
  saves = 0;

  load(): Promise<PrivValidatorState | undefined> {
    return Promise.resolve(this.#state === undefined ? undefined : structuredClone(this.#state));
  }

  save(state: PrivValidatorState): Promise<void> {
    this.#state = structuredClone(privValidatorStateSchema.parse(state));
    this.saves += 1;
    return Promise.resolve();
  }

  describe(): string {
    return 'memory';
  }
}
