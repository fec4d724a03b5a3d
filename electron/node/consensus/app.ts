// The application under consensus (interfaces.ts ConsensusApp) on the node's parts: blocks are
// built from the mempool and checked and committed by the LevelDB chain through the committer.
// Damage any call runs into stops consensus here, before the driver retries or halts.
import { CommitError, InvalidBlockError } from '../../../shared/chain/index.js';
import {
  LedgerError,
  StateKey,
  validatorsAt,
  type Block,
  type Commit,
  type ValidatorSchedule,
} from '../../../shared/ledger/index.js';
import type { ChainParams } from '../../../shared/ledger/module.js';
import { chainParams } from '../../../shared/modules/governance/keeper.js';
import { GovernanceKey } from '../../../shared/modules/governance/types.js';
import type { Chain } from '../chain/chain.js';
import type { Committer } from '../chain/committer.js';
import type { Mempool } from '../mempool/mempool.js';
import type { DamageWatch } from '../store/damage-watch.js';
import type { Clock, ConsensusApp } from './interfaces.js';

/** A proposed block may be at most this far ahead of our clock (clock drift between offices). */
export const BLOCK_TIME_DRIFT_MAX_MS = 10_000;
export const BLOCK_BYTES_MAX = 8 * 1024 * 1024;

export interface NodeConsensusAppInit {
  blockTxsMax: number;
  /** The node's heartbeat override (config consensus.heartbeatMs, test networks); else the chain's parameter. */
  heartbeatMs?: number | undefined;
}

export interface NodeConsensusAppComponents {
  chain: Pick<Chain, 'head' | 'getRecord' | 'propose' | 'validate' | 'getCommit'>;
  mempool: Pick<Mempool, 'take' | 'waitForTransactions' | 'dropRefused'>;
  committer: Pick<Committer, 'commit'>;
  sync: { sync(): Promise<unknown> };
  damage: Pick<DamageWatch, 'view' | 'sentence' | 'check'>;
  /** After committing a block this node proposed: announce it on the block topic. */
  announce(block: Block, commit: Commit): void;
  /** This node's validator key, if it has one. */
  selfKey: string | undefined;
  clock: Clock;
}

export function nodeConsensusApp(init: NodeConsensusAppInit) {
  return (components: NodeConsensusAppComponents): ConsensusApp => {
    const { chain, mempool, committer, sync, clock } = components;
    return watchingDamage(components.damage, {
      head: () => chain.head,
      validatorsFor: async (height) =>
        validatorsAt((await chain.getRecord(StateKey.validatorSchedule)) as ValidatorSchedule, height),
      buildBlock: async (_height, _round, context) => {
        const txs = mempool.take(init.blockTxsMax, BLOCK_BYTES_MAX);
        const { block, outcomes } = await chain.propose(txs, { timeMs: context.timeMs, proposer: context.proposer });
        // gossiped ones were only screened (decision #84): what the rules refuse is not taken again
        mempool.dropRefused(outcomes);
        return block;
      },
      validateBlock: async (block) => {
        try {
          await chain.validate(block);
        } catch (error) {
          // Only a block's own fault makes it invalid; our disk failing must halt consensus instead.
          if (error instanceof InvalidBlockError || error instanceof CommitError || error instanceof LedgerError)
            return { valid: false, reason: error.message };
          throw error;
        }
        // A block time ahead of our clock: prevote nil, but it stays valid (a slow clock must not make us halt).
        if (block.header.timeMs > clock.now() + BLOCK_TIME_DRIFT_MAX_MS)
          return { valid: true, timely: false, reason: 'the block time is ahead of this office clock' };
        return { valid: true };
      },
      commitOf: (height) => chain.getCommit(height),
      commitBlock: async (block, commit) => {
        await committer.commit(block, commit);
        if (components.selfKey !== undefined && block.header.proposer === components.selfKey)
          components.announce(block, commit);
      },
      requestSync: async () => {
        await sync.sync();
      },
      waitForTransactions: (signal) => mempool.waitForTransactions(signal),
      // The parameter in force after the head: an idle chain makes a block this often (DESIGN §10).
      heartbeatMsFor: async () => init.heartbeatMs ?? (await chainHeartbeatMs(chain)),
    });
  };
}

/** Every call but head(): refused once the store is damaged, and damage it runs into reported. */
function watchingDamage(damage: NodeConsensusAppComponents['damage'], app: ConsensusApp): ConsensusApp {
  const watched = { ...app } as Record<string, unknown>;
  for (const [name, call] of Object.entries(app) as Array<[string, unknown]>) {
    if (typeof call !== 'function' || name === 'head') continue;
    watched[name] = async (...args: unknown[]) => {
      if (damage.view && name !== 'waitForTransactions') throw new Error(`consensus stopped: ${damage.sentence()}`);
      try {
        return await (call as (...a: unknown[]) => Promise<unknown>).apply(app, args);
      } catch (error) {
        damage.check(error);
        throw error;
      }
    };
  }
  return watched as unknown as ConsensusApp;
}

/** The chain's parameters at the head (governance's `cfg/params`, or their defaults). */
export async function chainParamsAtHead(chain: Pick<Chain, 'getRecord'>): Promise<ChainParams> {
  const params = await chain.getRecord(GovernanceKey.params);
  return chainParams({ get: (key) => (key === GovernanceKey.params ? params : undefined) });
}

/** The chain's heartbeat parameter at the head. */
export async function chainHeartbeatMs(chain: Pick<Chain, 'getRecord'>): Promise<number> {
  return (await chainParamsAtHead(chain)).heartbeatMs;
}
