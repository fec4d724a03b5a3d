// The validator's signer. It never signs two different messages for one (height, round, step):
// before a signature leaves it, the signed (height, round, step, message, signature) is
// persisted, so a crash between signing and sending cannot make the restarted node sign
// something else (CometBFT's FilePV "last sign state"). Because only the last few signatures
// are kept, it also refuses anything that goes back in (height, round, step) order. It persists
// the lock too (the last non-nil precommit, Algorithm 1 lines 38-40): a restarted validator
// that forgot its lock could help a conflicting block gather a proof-of-lock. With the lock it
// keeps the locked block and its proof-of-lock (LockProof), written in the same save, before
// the precommit is signed: a restarted validator proposes that block again instead of a new one.
// Across a key rotation (authority.rotate) the new key adopts the old key's state, so the last
// signed (height, round, step) and the lock bind both keys, and the old key is retired from it.
import { bytesToHex } from '../../../shared/codec/index.js';
import { voteMessage, type VoteType } from '../../../shared/chain/commit.js';
import { proposalMessage, type Proposal, type Vote } from '../../../shared/chain/messages.js';
import { Domain, publicKeyOf, sign as nobleSign } from '../../../shared/crypto/index.js';
import { blockHash as blockHashOf } from '../../../shared/ledger/block.js';
import type { Block } from '../../../shared/ledger/types.js';
import type { LockProof } from './types.js';
import {
  LOCK_PREVOTES_MAX,
  SIGNED_KEPT_MAX,
  lockSchema,
  type PrivValidatorState,
  type PrivValidatorStore,
  type SignedSlot,
  type SignStep,
} from './priv-validator-state.js';

export {
  type PrivValidatorState,
  type PrivValidatorStore,
  type SignedSlot,
  type SignStep,
} from './priv-validator-state.js';

const STEP_ORDER: Record<SignStep, number> = { propose: 1, prevote: 2, precommit: 3 };

/** Produces an ed25519 signature over (domain, chainId, message); shared/crypto `sign` by default. */
export type SignFunction = (secretKeyHex: string, domain: Domain, chainId: string, message: Uint8Array) => string;

export class DoubleSignError extends Error {
  readonly code = 'DOUBLE_SIGN_REFUSED' as const;
  constructor(message: string) {
    super(message);
    this.name = 'DoubleSignError';
  }
}

/** The key asked to sign was rotated away: this state will never sign with it again. */
export class RetiredKeyError extends Error {
  readonly code = 'KEY_RETIRED' as const;
  constructor(message: string) {
    super(message);
    this.name = 'RetiredKeyError';
  }
}

export class PrivValidator {
  readonly publicKey: string;
  #state: PrivValidatorState;
  /** Signing is serialized: each request sees the state the previous one persisted. */
  #tail: Promise<unknown> = Promise.resolve();
  #refusal: string | undefined;

  private constructor(
    readonly chainId: string,
    readonly store: PrivValidatorStore,
    readonly secretKey: string,
    readonly sign: SignFunction,
    state: PrivValidatorState,
  ) {
    this.publicKey = state.publicKey;
    this.#state = state;
  }

  /**
   * Opens the signer over its store; refuses a state written for another key or chain, or a key
   * the state retired. A state written by one of `formerKeys` (the office's earlier keys, from
   * its authority record) is adopted: persisted under the new key, with what the old key signed
   * and its lock, before this returns, so neither key can sign a conflicting message later.
   */
  static async open(options: {
    secretKey: string;
    chainId: string;
    store: PrivValidatorStore;
    sign?: SignFunction;
    formerKeys?: readonly string[];
  }): Promise<PrivValidator> {
    const publicKey = publicKeyOf(options.secretKey);
    let loaded = await options.store.load();
    if (loaded?.retiredKeys?.includes(publicKey)) {
      throw new RetiredKeyError(
        `validator key ${publicKey} was rotated to ${loaded.publicKey} (${options.store.describe()}); it never signs again`,
      );
    }
    if (loaded && loaded.publicKey !== publicKey) {
      if (!options.formerKeys?.includes(loaded.publicKey)) {
        throw new Error(
          `the signing state in ${options.store.describe()} belongs to validator ${loaded.publicKey}, not ${publicKey}`,
        );
      }
      loaded = adoptedState(loaded, publicKey);
      await options.store.save(loaded); // the switch is durable before the new key signs anything
    }
    if (loaded && loaded.chainId !== options.chainId) {
      throw new Error(
        `the signing state in ${options.store.describe()} belongs to chain ${loaded.chainId}, not ${options.chainId}`,
      );
    }
    const state: PrivValidatorState = loaded ?? {
      version: 1,
      chainId: options.chainId,
      publicKey,
      signed: [],
      lock: null,
    };
    return new PrivValidator(options.chainId, options.store, options.secretKey, options.sign ?? nobleSign, state);
  }

  /** The last signature given out, if any (the driver restarts its round from it). */
  get lastSigned(): SignedSlot | null {
    return this.#state.signed.at(-1) ?? null;
  }

  /**
   * This key's kept signatures of `height`, oldest first (the driver re-sends its votes after a
   * restart); a former key's are its own votes, sent under its name before the rotation.
   */
  signedAt(height: number): SignedSlot[] {
    return this.#state.signed.filter((slot) => slot.height === height && slot.key === undefined);
  }

  /** Keys this state signed with before a rotation; they never sign again through it. */
  get retiredKeys(): readonly string[] {
    return this.#state.retiredKeys ?? [];
  }

  /** The persisted lock: the last non-nil precommit. */
  get lock(): PrivValidatorState['lock'] {
    return this.#state.lock;
  }

  /**
   * Signs a vote. A non-nil precommit becomes the lock; `lockProof` (its block and proof-of-lock)
   * is persisted with it when it matches the vote.
   */
  async signVote(
    type: VoteType,
    height: number,
    round: number,
    blockHash: string | null,
    lockProof?: LockProof,
  ): Promise<Vote> {
    const message = voteMessage(type, height, round, blockHash);
    const signature = await this.#sign({ height, round, step: type, blockHash }, message, Domain.vote, lockProof);
    return { kind: 'vote', type, height, round, blockHash, validator: this.publicKey, signature };
  }

  async signProposal(block: Block, round: number, polRound: number, blockHash: string): Promise<Proposal> {
    const height = block.header.height;
    const message = proposalMessage(height, round, polRound, blockHash);
    const signature = await this.#sign({ height, round, step: 'propose', blockHash }, message, Domain.proposal);
    return { kind: 'proposal', height, round, polRound, block, proposer: this.publicKey, signature };
  }

  /**
   * From now on this signer signs nothing (the node found its store damaged: what it would
   * sign could rest on wrong state). Every later sign call throws with `reason`; a restarted
   * node, after the repair, opens a new signer.
   */
  refuseSigning(reason: string): void {
    this.#refusal ??= reason;
  }

  #sign(
    slot: Omit<SignedSlot, 'message' | 'signature'>,
    message: Uint8Array,
    domain: Domain,
    lockProof?: LockProof,
  ): Promise<string> {
    const refusal = this.#refusal;
    if (refusal !== undefined) return Promise.reject(new Error(`refused to sign: ${refusal}`));
    const run = this.#tail.then(() => {
      if (this.#refusal !== undefined) throw new Error(`refused to sign: ${this.#refusal}`);
      return this.#signNow(slot, message, domain, lockProof);
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  async #signNow(
    slot: Omit<SignedSlot, 'message' | 'signature'>,
    message: Uint8Array,
    domain: Domain,
    lockProof?: LockProof,
  ): Promise<string> {
    const messageHex = bytesToHex(message);
    const last = this.lastSigned;
    if (last) {
      const order = compareSlots(slot, last);
      // the same message again; a former key's slot is taken for good (its signature is not ours)
      if (order === 0 && last.message === messageHex && last.key === undefined) return last.signature;
      if (order === 0 && last.key !== undefined)
        throw new DoubleSignError(
          `refused to sign a ${slot.step} for height ${slot.height} round ${slot.round}: the former key signed it`,
        );
      if (order === 0)
        throw new DoubleSignError(
          `refused to sign a second, different ${slot.step} for height ${slot.height} round ${slot.round}`,
        );
      if (order < 0) {
        throw new DoubleSignError(
          `refused to sign a ${slot.step} for height ${slot.height} round ${slot.round}: already signed a ${last.step} for height ${last.height} round ${last.round}`,
        );
      }
    }
    const signature = this.sign(this.secretKey, domain, this.chainId, message);
    const lock =
      slot.step === 'precommit' && slot.blockHash !== null
        ? lockOf(slot.height, slot.round, slot.blockHash, lockProof)
        : lockAt(this.#state.lock, slot.height);
    const signed = [...this.#state.signed, { ...slot, message: messageHex, signature }].slice(-SIGNED_KEPT_MAX);
    const next: PrivValidatorState = { ...this.#state, signed, lock };
    await this.store.save(next); // persisted before the signature leaves this function
    this.#state = next;
    return signature;
  }
}

/** The state under `publicKey`: every kept slot names the key that signed it, the lock stays. */
function adoptedState(state: PrivValidatorState, publicKey: string): PrivValidatorState {
  return {
    ...state,
    publicKey,
    signed: state.signed.map((slot) => ({ ...slot, key: slot.key ?? state.publicKey })),
    retiredKeys: [...(state.retiredKeys ?? []), state.publicKey],
  };
}

type Lock = NonNullable<PrivValidatorState['lock']>;

/**
 * The lock to persist; with its proof only when the block is the one locked, and only the
 * prevotes for it of the lock round. A proof that would not pass the schema is left out (the
 * lock by hash still keeps the validator safe) rather than make the save fail.
 */
function lockOf(height: number, round: number, blockHash: string, proof: LockProof | undefined): Lock {
  const byHash: Lock = { height, round, blockHash };
  if (!proof || proof.block.header.height !== height || blockHashOf(proof.block.header) !== blockHash) return byHash;
  const prevotes = proof.prevotes
    .filter(
      (vote) =>
        vote.type === 'prevote' && vote.height === height && vote.round === round && vote.blockHash === blockHash,
    )
    .slice(0, LOCK_PREVOTES_MAX)
    .map(({ kind, type, validator, signature }) => ({ kind, type, height, round, blockHash, validator, signature }));
  const checked = lockSchema.safeParse({ ...byHash, block: proof.block, prevotes });
  return checked.success ? checked.data : byHash;
}

/** Once the validator signs at a later height, the locked block is of no use: keep the lock by hash only (bounded storage). */
function lockAt(lock: PrivValidatorState['lock'], height: number): PrivValidatorState['lock'] {
  if (lock === null || lock.height >= height || lock.block === undefined) return lock;
  return { height: lock.height, round: lock.round, blockHash: lock.blockHash };
}

function compareSlots(
  a: Pick<SignedSlot, 'height' | 'round' | 'step'>,
  b: Pick<SignedSlot, 'height' | 'round' | 'step'>,
): number {
  if (a.height !== b.height) return a.height - b.height;
  if (a.round !== b.round) return a.round - b.round;
  return STEP_ORDER[a.step] - STEP_ORDER[b.step];
}
