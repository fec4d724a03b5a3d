// The chain's reads: blocks with their commits, receipts, the peers and the validator set.
import {
  BLOCKS_PAGE_MAX,
  type BlockSummary,
  type BlocksPage,
  type ApiHandlerPart,
} from '../../../../shared/api/index.js';
import { blockHash, txHash } from '../../../../shared/ledger/index.js';
import type { Chain } from '../../chain/chain.js';
import type { registryQueries } from '../queries.js';
import { ApiError } from '../errors.js';
import { found } from './found.js';

export interface ChainHandlersComponents {
  chain: Pick<Chain, 'head' | 'getBlock' | 'getCommit'> & { readonly snapshotBase?: number | undefined };
  queries: Pick<ReturnType<typeof registryQueries>, 'receipt' | 'peers' | 'validators'>;
}

export function chainHandlers({ chain, queries }: ChainHandlersComponents) {
  /** A block this node never held: it joined from a snapshot above it. */
  const beforeSnapshot = (height: number) => {
    const base = chain.snapshotBase;
    if (base !== undefined && height > 0 && height < base)
      throw new ApiError(
        404,
        'BEFORE_SNAPSHOT',
        `This node joined from a snapshot at height ${base} and holds no blocks from 1 to ${base - 1}; ask a node that holds the whole chain.`,
      );
  };
  const blockSummary = async (height: number): Promise<BlockSummary | undefined> => {
    const block = await chain.getBlock(height);
    if (!block) return undefined;
    return {
      hash: blockHash(block.header),
      header: block.header,
      txCount: block.txs.length,
      txHashes: block.txs.map((tx) => txHash(tx)),
    };
  };

  return {
    block: async ({ params: { height } }) => {
      beforeSnapshot(height);
      const summary = found(await blockSummary(height), `no block at height ${height} yet`);
      return { ...summary, commit: (await chain.getCommit(height)) ?? null };
    },

    /** Newest first, ending below `before` (default: above the head). */
    blocks: async ({ query: { before, limit } }): Promise<BlocksPage> => {
      const head = chain.head.height;
      const top = Math.min(before === undefined ? head : before - 1, head);
      const count = Math.min(limit, BLOCKS_PAGE_MAX);
      const blocks: BlockSummary[] = [];
      for (let height = top; height >= 1 && blocks.length < count; height--) {
        const summary = await blockSummary(height);
        if (summary) blocks.push(summary);
      }
      return { head, blocks };
    },

    receipt: async ({ params: { txHash: hash } }) => {
      const receipt = await queries.receipt(hash);
      const base = chain.snapshotBase;
      // A node that joined from a snapshot cannot tell an old transaction from an unknown one: it says so.
      if (receipt === undefined && base !== undefined)
        throw new ApiError(
          404,
          'BEFORE_SNAPSHOT',
          `This node joined from a snapshot at height ${base} and holds receipts of blocks from ${base + 1} on only; transaction ${hash} is not in them. If it was committed before height ${base + 1}, ask a node that holds the whole chain.`,
        );
      return found(
        receipt,
        `transaction ${hash} is not committed on this node (see GET /api/v1/txs/${hash} for its state)`,
      );
    },

    peers: () => queries.peers(),
    validators: () => queries.validators(),
  } satisfies ApiHandlerPart;
}
