// What the state machine re-sends on each tick. Algorithm 1 assumes that a message one correct
// validator received eventually reaches every correct validator; a real network tries once and
// may lose it, and a byzantine validator may show a vote to one node only. So each tick re-sends:
// - own messages of the current round, and own precommit of the previous one (gossip lost them);
// - when the machine made no progress since the last tick: every vote it holds of this round and
//   the previous one (the sender of a missing vote may have crashed since, and validators still
//   in the previous round need its votes). Proposals are not relayed: blocks can be megabytes,
//   and a round whose proposal was lost simply fails over to the next proposer;
// - the proof-of-lock behind validValue: a proposer re-proposes it with polRound = validRound,
//   and the others prevote it only once they hold these prevotes (line 28);
// - the last commit's precommits when a validator still sends messages of that height: once
//   this node moved on, nothing else would re-send them (CometBFT gossips its LastCommit too).
// Everything re-sent is deduplicated by the receivers before any signature check. Only validators
// re-send: a full node (observer) publishes nothing (decision #53).
import type { ConsensusMessage, Vote } from '../../../shared/chain/messages.js';
import type { Block } from '../../../shared/ledger/types.js';
import { hashOfBlock } from './intake.js';
import type { HeightMessages } from './round-messages.js';

export interface GossipView {
  self: string | null;
  isValidator: boolean;
  round: number;
  stalled: boolean;
  decided: boolean;
  messages: HeightMessages;
  validValue: Block | null;
  validRound: number;
  /** Precommits of the previous height's decision, when a validator still sends messages of it. */
  lastCommitForPeerBehind: readonly Vote[];
}

export function gossipOnTick(view: GossipView): ConsensusMessage[] {
  // A full node publishes nothing: validators re-send what validators need, and every message a
  // full node relays is a new gossip message that floods the whole network again (decision #53).
  if (!view.isValidator) return [];
  const out: ConsensusMessage[] = [...view.lastCommitForPeerBehind];
  if (view.stalled) {
    for (const round of [view.round - 1, view.round]) {
      const messages = view.messages.get(round);
      for (const set of messages ? [messages.prevotes, messages.precommits] : []) {
        for (const validator of set.voters()) out.push(...set.votesOf(validator));
      }
    }
  } else if (view.self !== null && view.isValidator) {
    out.push(...ownMessages(view, view.self));
  }
  if (view.validValue !== null && !view.decided) {
    out.push(...(view.messages.get(view.validRound)?.prevotes.votesFor(hashOfBlock(view.validValue)) ?? []));
  }
  return out;
}

function ownMessages(view: GossipView, self: string): ConsensusMessage[] {
  const out: ConsensusMessage[] = [];
  const current = view.messages.get(view.round);
  if (current?.proposal?.proposer === self) out.push(current.proposal);
  const prevote = current?.prevotes.get(self);
  if (prevote) out.push(prevote);
  for (const round of [view.round - 1, view.round]) {
    const precommit = view.messages.get(round)?.precommits.get(self);
    if (precommit) out.push(precommit);
  }
  return out;
}
