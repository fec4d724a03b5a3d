// The checks a block passes before it is applied, whoever proposed or served it.
// Header links first (cheap), then re-execution must reproduce every root exactly.
import { BLOCK_TXS_MAX, blockHash, txRootOf } from '../ledger/block.js';
import type { TxDigests } from '../ledger/tx.js';
import type { Block, BlockHeader } from '../ledger/types.js';
import type { Execution } from './execute.js';

export class InvalidBlockError extends Error {
  readonly code = 'INVALID_BLOCK' as const;
  constructor(
    readonly height: number,
    message: string,
  ) {
    super(`block ${height}: ${message}`);
    this.name = 'InvalidBlockError';
  }
}

/**
 * Checks that `block` extends `previous` (chain id, height, hash link, time) and that its
 * transactions are the ones its header commits to. After this, the header hash stands for
 * the whole block, so an execution cached under it can be trusted.
 */
export function checkLinks(block: Block, previous: BlockHeader, digests?: TxDigests): void {
  const { header } = block;
  const fail = (message: string): never => {
    throw new InvalidBlockError(header.height, message);
  };
  if (header.chainId !== previous.chainId) fail(`belongs to chain ${header.chainId}`);
  if (header.height !== previous.height + 1) fail(`does not follow height ${previous.height}`);
  if (header.prevHash !== blockHash(previous)) fail(`does not link to the block at height ${previous.height}`);
  if (header.timeMs <= previous.timeMs) fail('its time is not after the previous block');
  if (block.txs.length > BLOCK_TXS_MAX)
    fail(`carries ${block.txs.length} transactions, over the limit of ${BLOCK_TXS_MAX}`);
  if (txRootOf(block.txs, digests) !== header.txRoot) fail('txRoot does not match its transactions');
}

/** Checks the header's roots against a re-execution of its transactions. */
export function checkExecution(block: Block, execution: Execution): void {
  const { header } = block;
  const fail = (message: string): never => {
    throw new InvalidBlockError(header.height, message);
  };
  const rejected = execution.outcomes.findIndex((outcome) => !outcome.ok);
  if (rejected >= 0) {
    const outcome = execution.outcomes[rejected] as { code: string; sentence: string };
    fail(`transaction ${rejected} is invalid: ${outcome.code}: ${outcome.sentence}`);
  }
  if (!execution.validators.includes(header.proposer)) fail('its proposer is not a validator at this height');
  if (header.txRoot !== execution.txRoot) fail('txRoot does not match its transactions');
  if (header.stateRoot !== execution.stateRoot) fail('stateRoot does not match the state its transactions produce');
  if (header.validatorsHash !== execution.validatorsHash)
    fail('validatorsHash does not match the scheduled validator set');
  if (header.appHash !== execution.appHash) fail('appHash does not match');
}
