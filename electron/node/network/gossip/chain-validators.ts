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
import { blockHash, decodeTransaction, type Transaction } from '../../../../shared/ledger/index.js';
import type { Chain } from '../../chain/chain.js';
import type { Committer } from '../../chain/committer.js';
import { MempoolError, type Mempool } from '../../mempool/mempool.js';
import type { DamageWatch } from '../../store/damage-watch.js';
import type { ProtocolWatch } from '../../chain/protocol-watch.js';
import type { HeadWatch } from '../sync/head-watch.js';
import { GossipAction, GossipValidationError } from '../errors.js';
import type { GossipValidator, TopicKind } from '../interface.js';
import { decodeBlockAnnouncement } from './messages.js';
import { decodeTxBatch } from './tx-batch.js';
import { toGossipAction } from './validation.js';

export interface ChainValidatorsComponents {
  chain: Pick<Chain, 'chainId' | 'verify' | 'head'>;
  mempool: Pick<Mempool, 'add' | 'addMany' | 'wakeWaiters'>;
  committer: Pick<Committer, 'commit'>;
  /** Fetches a gap by sync, at most every few seconds. */
  sync: { catchUp(): void };
  damage: Pick<DamageWatch, 'view' | 'sentence' | 'check'>;
  /** A node stopped before an upgrade it cannot run admits nothing more. */
  protocol?: Pick<ProtocolWatch, 'stop'>;
  /** Told of each verified consensus message and each block announced above the head (decision #69). */
  heads?: Pick<HeadWatch, 'heardConsensus' | 'heardBlock'>;
}

export interface ChainValidators {
  /** One validator per topic, for NotaryNetwork.setValidators. */
  topics: Record<TopicKind, GossipValidator>;
  /** The consensus message the validator decoded from these very bytes (a proposal carries a whole block), else decoded now. */
  consensusDecoded(bytes: Uint8Array): ConsensusMessage;
}

export function chainValidators() {
  return (components: ChainValidatorsComponents): ChainValidators => {
    const { chain, mempool, committer, sync, damage, protocol, heads } = components;
    const stopped = () => {
      const stop = protocol?.stop;
      return stop ? new GossipValidationError(GossipAction.ignore, 'PROTOCOL_UNSUPPORTED', stop.sentence) : undefined;
    };
    /** Consensus messages decoded by the validator, for the handler that runs next on the same bytes. */
    const validatedConsensus = new WeakMap<Uint8Array, ConsensusMessage>();
    const damaged = () => new GossipValidationError(GossipAction.ignore, 'NODE_DAMAGED', damage.sentence());

    /** Throws when this node can admit nothing: damaged, or stopped before an upgrade. */
    const refuseIfUnable = () => {
      // IGNORE: a damaged node admits nothing (it could not check it against its state).
      if (damage.view) throw damaged();
      // IGNORE: a node stopped for an upgrade cannot check a transaction under the new rules.
      const unsupported = stopped();
      if (unsupported) throw unsupported;
    };

    /** Admits one decoded transaction to the mempool, or throws what the tx topic reports. */
    const admit = async (tx: Transaction): Promise<void> => {
      refuseIfUnable();
      try {
        await mempool.add(tx);
      } catch (error) {
        // IGNORE: already pending, or the mempool is full (the sender did nothing wrong).
        if (error instanceof MempoolError)
          throw new GossipValidationError(GossipAction.ignore, error.code, error.message);
        if (damage.check(error)) throw damaged();
        throw error;
      }
    };

    const topics: Record<TopicKind, GossipValidator> = {
      async tx(bytes) {
        await admit(decodeTransaction(bytes));
        mempool.wakeWaiters();
      },

      /**
       * A batch (tx-batch.ts): REJECT if it is malformed or any transaction in it could never
       * be valid (a bad signature, another chain), since its publisher admitted each one;
       * ACCEPT (and forward) when at least one was new to us; else IGNORE (all known already,
       * stale or expired: our lag or theirs, no fault). Each is screened, not run through the
       * rules (decision #84): those run when a block is built.
       */
      async txs(bytes) {
        const batch = decodeTxBatch(bytes);
        refuseIfUnable();
        let answers;
        try {
          // its publisher checked each against its state: here the screen (decision #84), one read
          answers = await mempool.addMany(
            batch.map((entry) => entry.tx),
            batch.map((entry) => entry.bytes),
            { screen: true },
          );
        } catch (error) {
          if (damage.check(error)) throw damaged();
          throw error;
        }
        let admitted = 0;
        let refusal: GossipValidationError | undefined;
        let last: unknown;
        for (const answer of answers) {
          if (answer.ok) {
            admitted++;
            continue;
          }
          const error =
            answer.error instanceof MempoolError
              ? new GossipValidationError(GossipAction.ignore, answer.error.code, answer.error.message)
              : answer.error;
          const verdict = toGossipAction(error);
          if (verdict.action === GossipAction.reject)
            refusal ??= new GossipValidationError(GossipAction.reject, verdict.code, error.message);
          if (verdict.unexpected) throw error;
          last = error;
        }
        if (admitted > 0) mempool.wakeWaiters();
        if (refusal) throw refusal;
        if (admitted === 0) throw last;
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
        heads?.heardConsensus(message);
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
          await heads?.heardBlock(block, commit);
          throw new GossipValidationError(GossipAction.ignore, 'NOT_YET', 'block is ahead of our head');
        }
        // IGNORE: a block of a protocol this software does not run (the sender did nothing wrong).
        const unsupported = stopped();
        if (unsupported) throw unsupported;
        try {
          await committer.commit(block, commit);
        } catch (error) {
          // not committed here (a full disk, a store that refuses writes): the network is still ahead
          await heads?.heardBlock(block, commit);
          throw error;
        }
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
