// Building the next block: execute the candidates on the head state, keep the accepted ones,
// and fill the header from the execution. Shared by the node's chain and the simulator, so
// both propose exactly what validators will re-compute.
import type { LedgerOptions } from '../ledger/apply.js';
import type { Block, BlockHeader, Transaction } from '../ledger/types.js';
import { executeOn, type Execution, type StateSource } from './execute.js';

export interface ProposalHead {
  height: number;
  hash: string;
  header: BlockHeader;
}

export async function proposeBlock(
  source: StateSource,
  head: ProposalHead,
  txs: Transaction[],
  options: { chainId: string; timeMs: number; proposer: string } & LedgerOptions,
): Promise<{ block: Block; execution: Execution }> {
  // A block's time is after its parent's, whatever the proposer's clock says.
  const timeMs = Math.max(options.timeMs, head.header.timeMs + 1);
  const context = { chainId: options.chainId, height: head.height + 1, timeMs };
  const execution = await executeOn(source, head.header.stateRoot, txs, context, {
    verify: options.verify,
    digests: options.digests,
  });
  const header: BlockHeader = {
    chainId: options.chainId,
    height: context.height,
    prevHash: head.hash,
    timeMs,
    proposer: options.proposer,
    txRoot: execution.txRoot,
    stateRoot: execution.stateRoot,
    validatorsHash: execution.validatorsHash,
    appHash: execution.appHash,
  };
  return { block: { header, txs: txs.filter((_, i) => execution.outcomes[i]!.ok) }, execution };
}
