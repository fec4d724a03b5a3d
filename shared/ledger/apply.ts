// The pure state transition: (state, transactions, block context) -> new state, or a
// rejection with a code and a sentence. No clock, no I/O, no randomness: the node, the
// simulator and an offline auditor all get the same answer from the same input.
import type { Verifier } from '../crypto/index.js';
import { LedgerError, reject, RejectCode } from './errors.js';
import { applyAuthorityAdd, applyAuthorityRevoke, applyAuthorityUpdate } from './rules/authority.js';
import type { RuleContext } from './rules/common.js';
import { applyEncumbranceAdd, applyEncumbranceRelease } from './rules/encumbrance.js';
import { applyRegister, applyTransfer } from './rules/property.js';
import { LIMITS } from './schema.js';
import { StateKey, StateOverlay, type StateReader } from './state.js';
import { TxDigests } from './tx.js';
import type { BlockContext, Transaction } from './types.js';
import { nextValidatorSchedule, validatorsHash } from './validators.js';

export interface LedgerOptions {
  /** Signature verifier: shared `verify` (noble) or the node's faster node:crypto one. */
  verify: Verifier;
  /** The block's transaction digests, when the caller computed some already (see TxDigests). */
  digests?: TxDigests;
}

export type TxOutcome =
  { txHash: string; ok: true } | { txHash: string; ok: false; code: LedgerError['code']; sentence: string };

/** Applies one transaction to `state`, or throws a LedgerError and changes nothing. */
export function applyTransaction(
  state: StateOverlay,
  tx: Transaction,
  block: BlockContext,
  options: LedgerOptions,
): void {
  state.begin();
  try {
    applyChecked(state, tx, block, options.verify, options.digests ?? new TxDigests());
    state.commit();
  } catch (error) {
    state.rollback();
    throw error;
  }
}

function applyChecked(
  state: StateOverlay,
  tx: Transaction,
  block: BlockContext,
  verify: Verifier,
  digests: TxDigests,
): void {
  // REJECT: a transaction signed for another chain (test net, another registry) is never valid here.
  if (tx.chainId !== block.chainId)
    reject(RejectCode.wrongChain, `signed for chain ${tx.chainId}, not ${block.chainId}`);
  // REJECT: expired at the block's time.
  if (tx.expiresAtMs <= block.timeMs) {
    reject(RejectCode.expired, `expired at ${new Date(tx.expiresAtMs).toISOString()}, before block ${block.height}`);
  }
  // REJECT: replay records are kept only for the longest lifetime, so longer ones could replay later.
  if (tx.expiresAtMs > block.timeMs + LIMITS.txLifetimeMaxMs) {
    reject(RejectCode.expiryTooFar, `expires more than ${LIMITS.txLifetimeMaxMs / 86_400_000} days ahead`);
  }
  const id = digests.id(tx);
  const seen = state.replay(id);
  // REJECT: the same transaction, however re-signed, is applied once.
  if (seen) reject(RejectCode.replay, `this transaction was already committed at height ${seen.height}`);
  const context: RuleContext = { state, block, verify, txIdBytes: digests.idBytes(tx), digests };
  switch (tx.type) {
    case 'property.register':
      applyRegister(tx, context);
      break;
    case 'transfer':
      applyTransfer(tx, context);
      break;
    case 'encumbrance.add':
      applyEncumbranceAdd(tx, context);
      break;
    case 'encumbrance.release':
      applyEncumbranceRelease(tx, context);
      break;
    case 'authority.add':
      applyAuthorityAdd(tx, context);
      break;
    case 'authority.update':
      applyAuthorityUpdate(tx, context);
      break;
    case 'authority.revoke':
      applyAuthorityRevoke(tx, context);
      break;
  }
  state.set(StateKey.replay(id), { height: block.height, expiresAtMs: tx.expiresAtMs });
}

export interface BlockExecution {
  state: StateOverlay;
  outcomes: TxOutcome[];
}

/**
 * Applies a block's transactions in order. Rejected ones change nothing and are reported;
 * a proposer drops them, a validator refuses a block that contains any. Then the validator
 * schedule takes in authority changes, effective at height + 2.
 */
export function executeBlock(
  base: StateReader,
  txs: Transaction[],
  block: BlockContext,
  options: LedgerOptions,
): BlockExecution {
  const state = new StateOverlay(base);
  const outcomes: TxOutcome[] = [];
  const transactionOptions = { verify: options.verify, digests: options.digests ?? new TxDigests() };
  for (const tx of txs) {
    const hash = transactionOptions.digests.hash(tx);
    try {
      applyTransaction(state, tx, block, transactionOptions);
      outcomes.push({ txHash: hash, ok: true });
    } catch (error) {
      if (!(error instanceof LedgerError)) throw error;
      outcomes.push({ txHash: hash, ok: false, code: error.code, sentence: error.sentence });
    }
  }
  const schedule = nextValidatorSchedule(state.validatorSchedule(), state.authorityIndex(), block.height);
  if (schedule) {
    state.set(StateKey.validatorSchedule, schedule);
    const scheduled = schedule[schedule.length - 1]!.validators;
    state.set(StateKey.validatorSet(validatorsHash(scheduled)), scheduled);
  }
  return { state, outcomes };
}
