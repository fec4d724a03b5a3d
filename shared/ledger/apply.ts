// The pure state transition: (state, transactions, block context) -> new state, or a
// rejection with a code and a sentence. No clock, no I/O, no randomness: the node, the
// simulator and an offline auditor all get the same answer from the same input.
// The kernel checks the envelope (chain, expiry, replay); each module's check of every
// transaction runs (a rotated key signs nothing); the transaction type's module checks and
// applies the rest; then each module's end-of-block step runs, in module order.
import type { Verifier } from '../crypto/index.js';
import { MODULES, type AnyTxType } from '../modules/index.js';
import { TxDigests } from './digests.js';
import { KernelCode, LedgerError, reject } from './errors.js';
import type { RuleContext, TxRules } from './module.js';
import { KernelKey, StateOverlay, type StateReader } from './overlay.js';
import { LIMITS } from './primitives.js';
import type { BlockContext, Transaction, TransactionType, TxOf } from './types.js';

export interface LedgerOptions {
  /** Signature verifier: shared `verify` (noble) or the node's faster node:crypto one. */
  verify: Verifier;
  /** The block's transaction digests, when the caller computed some already (see TxDigests). */
  digests?: TxDigests;
}

export type TxOutcome =
  { txHash: string; ok: true } | { txHash: string; ok: false; code: LedgerError['code']; sentence: string };

/** One entry per transaction type of the union: the mapped type keeps the lookup exhaustive. */
type TxRuleTable = { [T in TransactionType]: TxRules<TxOf<T>> & { module: string } };

const TX_RULES = Object.fromEntries(
  MODULES.flatMap((module) => module.txs.map((tx: AnyTxType) => [tx.type, { ...tx, module: module.name }])),
) as unknown as TxRuleTable;

/** The rules of a transaction type (any type of the union has them). */
export function txRules<T extends TransactionType>(type: T): TxRuleTable[T] {
  return TX_RULES[type];
}

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
    reject(KernelCode.wrongChain, `signed for chain ${tx.chainId}, not ${block.chainId}`);
  // REJECT: expired at the block's time.
  if (tx.expiresAtMs <= block.timeMs) {
    reject(KernelCode.expired, `expired at ${new Date(tx.expiresAtMs).toISOString()}, before block ${block.height}`);
  }
  // REJECT: replay records are kept only for the longest lifetime, so longer ones could replay later.
  if (tx.expiresAtMs > block.timeMs + LIMITS.txLifetimeMaxMs) {
    reject(KernelCode.expiryTooFar, `expires more than ${LIMITS.txLifetimeMaxMs / 86_400_000} days ahead`);
  }
  const id = digests.id(tx);
  const seen = state.replay(id);
  // REJECT: the same transaction, however re-signed, is applied once.
  if (seen) reject(KernelCode.replay, `this transaction was already committed at height ${seen.height}`);
  const context: RuleContext = { state, block, verify, txIdBytes: digests.idBytes(tx), digests };
  for (const module of MODULES) if ('beforeTx' in module && module.beforeTx) module.beforeTx(tx, context);
  (txRules(tx.type).apply as (tx: Transaction, context: RuleContext) => void)(tx, context);
  state.set(KernelKey.replay(id), { height: block.height, expiresAtMs: tx.expiresAtMs });
}

export interface BlockExecution {
  state: StateOverlay;
  outcomes: TxOutcome[];
}

/**
 * Applies a block's transactions in order. Rejected ones change nothing and are reported;
 * a proposer drops them, a validator refuses a block that contains any. Then each module's
 * end-of-block step (authority: the validator schedule, effective at height + 2).
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
  for (const module of MODULES) if ('endBlock' in module && module.endBlock) module.endBlock(state, block);
  return { state, outcomes };
}
