// The message log of one height (Algorithm 1 keeps it implicitly; line 53 empties it): per
// round, the proposal of that round's proposer and the prevote and precommit sets.
//
// Limits (TigerBeetle: put a limit on everything):
// - Rounds above the current one: each validator may occupy at most FUTURE_ROUNDS_PER_VALIDATOR_MAX
//   of them. A message for a further round evicts that validator's lowest future round if the
//   new round is higher, and is dropped otherwise. Honest validators move forward, so keeping
//   the highest rounds keeps what line 55 needs; a byzantine one only fills its own slots.
// - Rounds below the current one: the last ROUNDS_KEPT_MAX are kept (a proof-of-lock or a commit
//   from an older round is only a liveness aid); older ones are dropped when a round starts.
import type { Proposal, Vote } from '../../../shared/chain/messages.js';
import type { VoteType } from '../../../shared/chain/commit.js';
import { VoteSet } from './vote-set.js';

export const FUTURE_ROUNDS_PER_VALIDATOR_MAX = 2;
export const ROUNDS_KEPT_MAX = 64;

export class RoundMessages {
  proposal: Proposal | undefined;
  readonly prevotes: VoteSet;
  readonly precommits: VoteSet;

  constructor(readonly round: number) {
    this.prevotes = new VoteSet('prevote', round);
    this.precommits = new VoteSet('precommit', round);
  }

  votes(type: VoteType): VoteSet {
    return type === 'prevote' ? this.prevotes : this.precommits;
  }

  /** Distinct validators with any message in this round (Algorithm 1 line 55). */
  senders(): Set<string> {
    const senders = new Set<string>([...this.prevotes.voters(), ...this.precommits.voters()]);
    if (this.proposal) senders.add(this.proposal.proposer);
    return senders;
  }

  hasMessageFrom(validator: string): boolean {
    return (
      this.prevotes.get(validator) !== undefined ||
      this.precommits.get(validator) !== undefined ||
      this.proposal?.proposer === validator
    );
  }

  removeFrom(validator: string): void {
    this.prevotes.remove(validator);
    this.precommits.remove(validator);
    if (this.proposal?.proposer === validator) this.proposal = undefined;
  }
}

export type Admission = { status: 'admit'; evictRound?: number } | { status: 'too-old' } | { status: 'future-limit' };

export class HeightMessages {
  readonly #rounds = new Map<number, RoundMessages>();

  get(round: number): RoundMessages | undefined {
    return this.#rounds.get(round);
  }

  at(round: number): RoundMessages {
    let messages = this.#rounds.get(round);
    if (!messages) {
      messages = new RoundMessages(round);
      this.#rounds.set(round, messages);
    }
    return messages;
  }

  rounds(): IterableIterator<RoundMessages> {
    return this.#rounds.values();
  }

  /**
   * Whether a message of `validator` at `round` may enter the log while the machine is at
   * `currentRound`, and which of that validator's future rounds it must evict first. Changes
   * nothing, so a message whose signature then fails cannot evict anything.
   */
  check(validator: string, round: number, currentRound: number): Admission {
    if (round < currentRound - ROUNDS_KEPT_MAX) return { status: 'too-old' };
    if (round <= currentRound) return { status: 'admit' };
    const occupied: number[] = [];
    for (const messages of this.#rounds.values()) {
      if (messages.round > currentRound && messages.hasMessageFrom(validator)) occupied.push(messages.round);
    }
    if (occupied.includes(round) || occupied.length < FUTURE_ROUNDS_PER_VALIDATOR_MAX) return { status: 'admit' };
    const lowest = Math.min(...occupied);
    if (round < lowest) return { status: 'future-limit' };
    return { status: 'admit', evictRound: lowest };
  }

  evict(validator: string, round: number): void {
    this.#rounds.get(round)?.removeFrom(validator);
  }

  /** Drops rounds too old to matter once `currentRound` started. */
  prune(currentRound: number): void {
    for (const round of [...this.#rounds.keys()])
      if (round < currentRound - ROUNDS_KEPT_MAX) this.#rounds.delete(round);
  }

  addVote(vote: Vote): boolean {
    return this.at(vote.round).votes(vote.type).add(vote);
  }
}
