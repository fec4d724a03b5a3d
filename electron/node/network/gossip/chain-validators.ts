// The node's validators of the three topics, with the state checks the shape-only defaults
// (messages.ts) cannot make: a transaction must enter the mempool, a consensus message's
// signature must verify, an announced block must commit. Each throws a typed error that
// toGossipAction maps to Ignore or Reject.
import {
  decodeConsensusMessage,
  verifyProposalSignature,
  verifyVote,
  type ConsensusMessage,
} from '../../../../shared/chain/index.js';
import { blockHash, decodeTransaction } from '../../../../shared/ledger/index.js';
import type { Chain } from '../../chain/chain.js';
import type { Committer } from '../../chain/committer.js';
import { MempoolError, type Mempool } from '../../mempool/mempool.js';
import type { DamageWatch } from '../../store/damage-watch.js';
import type { ProtocolWatch } from '../../chain/protocol-watch.js';
import { GossipAction, GossipValidationError } from '../errors.js';
import type { GossipValidator, TopicKind } from '../interface.js';
import { decodeBlockAnnouncement } from './messages.js';

export interface ChainValidatorsComponents {
  chain: Pick<Chain, 'chainId' | 'verify' | 'head'>;
  mempool: Pick<Mempool, 'add' | 'wakeWaiters'>;
  committer: Pick<Committer, 'commit'>;
  /** Fetches a gap by sync, at most every few seconds. */
  sync: { catchUp(): void };
  damage: Pick<DamageWatch, 'view' | 'sentence' | 'check'>;
  /** A node stopped before an upgrade it cannot run admits nothing more. */
  protocol?: Pick<ProtocolWatch, 'stop'>;
}

export interface ChainValidators {
  /** One validator per topic, for NotaryNetwork.setValidators. */
  topics: Record<TopicKind, GossipValidator>;
  /** The consensus message the validator decoded from these very bytes (a proposal carries a whole block), else decoded now. */
  consensusDecoded(bytes: Uint8Array): ConsensusMessage;
}

export function chainValidators() {
  return (components: ChainValidatorsComponents): ChainValidators => {
    const { chain, mempool, committer, sync, damage, protocol } = components;
    const stopped = () => {
      const stop = protocol?.stop;
      return stop ? new GossipValidationError(GossipAction.ignore, 'PROTOCOL_UNSUPPORTED', stop.sentence) : undefined;
    };
    /** Consensus messages decoded by the validator, for the handler that runs next on the same bytes. */
    const validatedConsensus = new WeakMap<Uint8Array, ConsensusMessage>();
    const damaged = () => new GossipValidationError(GossipAction.ignore, 'NODE_DAMAGED', damage.sentence());

    const topics: Record<TopicKind, GossipValidator> = {
      async tx(bytes) {
        const tx = decodeTransaction(bytes);
        // IGNORE: a damaged node admits nothing (it could not check it against its state).
        if (damage.view) throw damaged();
        // IGNORE: a node stopped for an upgrade cannot check a transaction under the new rules.
        const unsupported = stopped();
        if (unsupported) throw unsupported;
        try {
          await mempool.add(tx);
          mempool.wakeWaiters();
        } catch (error) {
          // IGNORE: already pending, or the mempool is full (the sender did nothing wrong).
          if (error instanceof MempoolError)
            throw new GossipValidationError(GossipAction.ignore, error.code, error.message);
          if (damage.check(error)) throw damaged();
          throw error;
        }
      },

      async consensus(bytes) {
        const message = decodeConsensusMessage(bytes);
        validatedConsensus.set(bytes, message);
        if (message.kind === 'vote') {
          // REJECT: a vote whose signature does not verify is forged or corrupted, whatever our height.
          if (!verifyVote(message, chain.chainId, chain.verify))
            throw new GossipValidationError(GossipAction.reject, 'BAD_SIGNATURE', 'vote signature does not verify');
        } else if (!verifyProposalSignature(message, chain.chainId, blockHash(message.block.header), chain.verify)) {
          // REJECT: same for a proposal, whose signature covers the block hash.
          throw new GossipValidationError(GossipAction.reject, 'BAD_SIGNATURE', 'proposal signature does not verify');
        }
      },

      async block(bytes) {
        // REJECT (inside decode): not a {block, commit} announcement at all.
        const { block, commit } = decodeBlockAnnouncement(bytes);
        // IGNORE: already have it, or too far ahead to place (sync fetches the gap).
        if (block.header.height <= chain.head.height)
          throw new GossipValidationError(GossipAction.ignore, 'ALREADY_KNOWN', 'block already committed');
        if (block.header.height > chain.head.height + 1) {
          // a gap: fetch it by sync, rather than wait for consensus to notice
          sync.catchUp();
          throw new GossipValidationError(GossipAction.ignore, 'NOT_YET', 'block is ahead of our head');
        }
        // IGNORE: a block of a protocol this software does not run (the sender did nothing wrong).
        const unsupported = stopped();
        if (unsupported) throw unsupported;
        await committer.commit(block, commit);
      },
    };

    return {
      topics,
      consensusDecoded(bytes) {
        const message = validatedConsensus.get(bytes);
        if (!message) return decodeConsensusMessage(bytes);
        validatedConsensus.delete(bytes);
        return message;
      },
    };
  };
}
