// What the PrivValidator persists, its schema, and the storage interface with an in-memory
// implementation (the simulator keeps it across simulated crashes). The file implementation
// is in priv-validator-file-store.ts.
import { z } from 'zod';
import * as schema from '../../../shared/ledger/schema.js';
import { voteSchema } from '../../../shared/chain/messages.js';

export type SignStep = 'propose' | 'prevote' | 'precommit';

/**
 * Signatures kept, newest last. The newest guards against double-signing; all of them let a
 * restarted validator re-send its votes of the current height, which peers may never have
 * received (a quorum can hinge on one of them). Eight covers the last rounds it voted in.
 */
export const SIGNED_KEPT_MAX = 8;

/** Prevotes kept as the proof-of-lock of the locked block: one per validator of a set. */
export const LOCK_PREVOTES_MAX = 10_000;

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
  /** The key that signed it, when not the state's current key (kept across a key rotation). */
  key: schema.publicKey.optional(),
});

/** The last non-nil precommit, optionally with its block and proof-of-lock (see `lock` below). */
export const lockSchema = z.strictObject({
  height,
  round,
  blockHash: schema.hash,
  block: schema.block.optional(),
  prevotes: z.array(voteSchema).max(LOCK_PREVOTES_MAX).optional(),
});

export const privValidatorStateSchema = z.strictObject({
  version: z.literal(1),
  chainId: schema.chainId,
  publicKey: schema.publicKey,
  /** The last signatures given out, in (height, round, step) order, newest last. */
  signed: z.array(signedSlotSchema).max(SIGNED_KEPT_MAX),
  /**
   * The last non-nil precommit: the lock of Algorithm 1 lines 38-39. With it, written before
   * that precommit is signed, the locked block and the 2f + 1 prevotes of `round` for it (its
   * proof-of-lock), so that a restarted validator can re-propose it with polRound = round and
   * the others can accept it (line 28), like CometBFT replaying its WAL. One lock is kept: the
   * storage stays bounded by one block and one validator set's prevotes.
   */
  lock: lockSchema.nullable(),
  /**
   * The office's keys this state signed with before a key rotation (authority.rotate), oldest
   * first: the signed slots and the lock carry over to the new key, and these keys never sign
   * again through this state.
   */
  retiredKeys: z.array(schema.publicKey).max(schema.FORMER_KEYS_MAX).optional(),
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
