// A byzantine validator: it runs the honest driver (so it follows the chain), but its messages
// pass through this transport, which lies with its key: conflicting votes and proposals to
// different peers (equivocation), blocks that do not execute (invalid proposals), or silence.
import { utf8 } from '../../shared/codec/index.js';
import { sha256Hex } from '../../shared/crypto/index.js';
import {
  signProposal,
  signVoteMessage,
  type ConsensusMessage,
  type Proposal,
  type Vote,
} from '../../shared/chain/messages.js';
import { blockHash } from '../../shared/ledger/block.js';
import type { Block } from '../../shared/ledger/types.js';
import type { ConsensusTransport } from '../../electron/node/consensus/index.js';
import type { SimWire } from './network.js';
import type { Prng } from './prng.js';

export const BYZANTINE_BEHAVIORS = ['silent', 'equivocate', 'invalid-proposal', 'mixed'] as const;
export type ByzantineBehavior = (typeof BYZANTINE_BEHAVIORS)[number];

export interface ByzantineStats {
  silenced: number;
  equivocations: number;
  invalidProposals: number;
}

export class ByzantineTransport implements ConsensusTransport {
  constructor(
    readonly node: number,
    readonly behavior: ByzantineBehavior,
    readonly secretKey: string,
    readonly chainId: string,
    readonly network: SimWire,
    readonly rng: Prng,
    readonly stats: ByzantineStats,
  ) {}

  onMessage(handler: (message: ConsensusMessage) => void): () => void {
    return this.network.transport(this.node).onMessage(handler);
  }

  broadcast(message: ConsensusMessage): void {
    const act =
      this.behavior === 'mixed'
        ? this.rng.pick(['silent', 'equivocate', 'invalid-proposal', 'honest'] as const)
        : this.behavior;
    if (act === 'silent') {
      this.stats.silenced += 1;
    } else if (act === 'equivocate') {
      this.#equivocate(message);
    } else if (act === 'invalid-proposal' && message.kind === 'proposal') {
      this.stats.invalidProposals += 1;
      this.network.broadcast(this.node, this.#invalidProposal(message));
    } else {
      this.network.broadcast(this.node, message);
    }
  }

  /** Each peer gets the message, a conflicting one, or both in either order. */
  #equivocate(message: ConsensusMessage): void {
    this.stats.equivocations += 1;
    const other = message.kind === 'vote' ? this.#conflictingVote(message) : this.#conflictingProposal(message);
    for (const peer of this.network.peersOf(this.node)) {
      if (peer === this.node) continue;
      const choice = this.rng.int(0, 3);
      const sends =
        choice === 0 ? [message] : choice === 1 ? [other] : choice === 2 ? [message, other] : [other, message];
      for (const send of sends) this.network.broadcast(this.node, send, [peer]);
    }
  }

  #conflictingVote(vote: Vote): Vote {
    const blockHashOther = vote.blockHash === null ? sha256Hex(utf8(`byzantine:${vote.height}:${vote.round}`)) : null;
    return signVoteMessage(this.secretKey, this.chainId, vote.type, vote.height, vote.round, blockHashOther);
  }

  /** The same block one millisecond later: valid too, with another hash. */
  #conflictingProposal(proposal: Proposal): Proposal {
    return this.#resign(proposal, {
      ...proposal.block,
      header: { ...proposal.block.header, timeMs: proposal.block.header.timeMs + 1 },
    });
  }

  #invalidProposal(proposal: Proposal): Proposal {
    return this.#resign(proposal, {
      ...proposal.block,
      header: { ...proposal.block.header, stateRoot: sha256Hex(utf8('forged state')) },
    });
  }

  #resign(proposal: Proposal, block: Block): Proposal {
    return signProposal(
      this.secretKey,
      this.chainId,
      block,
      proposal.round,
      proposal.polRound,
      blockHash(block.header),
    );
  }
}
