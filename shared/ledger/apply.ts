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
import type { ChainParams, LedgerModule, RuleContext, TxRules } from './module.js';
import { KernelKey, StateOverlay, type StateReader } from './overlay.js';
import { LEGACY_PROTOCOL } from './protocol.js';
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

/** The module that governs the chain (protocol version, parameters): exactly one. */
const GOVERNOR = (() => {
  const governing = (MODULES as readonly LedgerModule[]).filter((module) => module.governs);
  if (governing.length !== 1) throw new Error(`exactly one module must govern the chain, not ${governing.length}`);
  return governing[0]!.governs!;
})();

/** Keys the protocol version and the parameters are read from: prefetched for every block and transaction. */
export const GOVERNING_KEYS: readonly string[] = GOVERNOR.keys;

/** The protocol version in force at `height`, from the state before that height's block. */
export function protocolAt(state: StateReader, height: number): number {
  const version = GOVERNOR.protocolAt(state, height);
  if (!Number.isSafeInteger(version) || version < LEGACY_PROTOCOL)
    throw new Error(`protocol version ${version} is not one`);
  return version;
}

/** The chain parameters as the state holds them (defaults when it holds none). */
export function chainParamsOf(state: StateReader): ChainParams {
  return GOVERNOR.params(state);
}

/** One entry per transaction type of the union: the mapped type keeps the lookup exhaustive. */
type TxRuleTable = { [T in TransactionType]: TxRules<TxOf<T>> & { module: string; describe: string } };

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
  rejectIfOtherChain(tx, block);
  const protocol = protocolAt(state, block.height);
  const rules = txRules(tx.type);
  // REJECT: a type the chain's protocol does not have yet (it comes with a scheduled upgrade).
  if (rules.sinceProtocol !== undefined && protocol < rules.sinceProtocol) {
    reject(
      KernelCode.notYetEnabled,
      `${tx.type} comes with protocol version ${rules.sinceProtocol}; this chain runs version ${protocol} at height ${block.height}`,
    );
  }
  rejectIfExpired(tx, block);
  const id = digests.id(tx);
  rejectIfReplayed(state.replay(id));
  const context: RuleContext = {
    ...{ state, block, protocol, params: chainParamsOf(state) },
    ...{ verify, txIdBytes: digests.idBytes(tx), digests },
  };
  // Each module's check of every transaction (authority: a rotated key signs nothing).
  for (const module of MODULES) if ('beforeTx' in module && module.beforeTx) module.beforeTx(tx, context);
  (rules.apply as (tx: Transaction, context: RuleContext) => void)(tx, context);
  state.set(KernelKey.replay(id), { height: block.height, expiresAtMs: tx.expiresAtMs });
}

// The kernel's envelope checks, each needing no state but the replay record: the rules run
// them in this order, and admission's screen (decision #84) runs them alone.

/** REJECT WRONG_CHAIN: a transaction signed for another chain (test net, another registry) is never valid here. */
export function rejectIfOtherChain(tx: Transaction, block: BlockContext): void {
  if (tx.chainId !== block.chainId)
    reject(KernelCode.wrongChain, `signed for chain ${tx.chainId}, not ${block.chainId}`);
}

/** REJECT EXPIRED / EXPIRY_TOO_FAR: expired at the block's time, or living longer than replay records are kept. */
export function rejectIfExpired(tx: Transaction, block: BlockContext): void {
  if (tx.expiresAtMs <= block.timeMs) {
    reject(KernelCode.expired, `expired at ${new Date(tx.expiresAtMs).toISOString()}, before block ${block.height}`);
  }
  // replay records are kept only for the longest lifetime, so longer ones could replay later
  if (tx.expiresAtMs > block.timeMs + LIMITS.txLifetimeMaxMs) {
    reject(KernelCode.expiryTooFar, `expires more than ${LIMITS.txLifetimeMaxMs / 86_400_000} days ahead`);
  }
}

/** REJECT REPLAY: the same transaction, however re-signed, is applied once (`seen`: its replay record). */
export function rejectIfReplayed(seen: { height: number } | undefined): void {
  if (seen) reject(KernelCode.replay, `this transaction was already committed at height ${seen.height}`);
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
