// The prevotes or precommits of one round of one height, with a running tally per block hash,
// so every "2f + 1 ⟨PREVOTE, h, r, id(v)⟩" condition of Algorithm 1 is a map lookup.
//
// Algorithm 1 counts messages: a validator that signs two different votes (equivocation) is a
// sender of both, and counts toward each value. Counting only its first vote would let it show
// one honest node a proof-of-lock that the others can never see, and stall them forever. Each
// validator therefore holds one vote per value, at most VOTES_PER_VALIDATOR_MAX of them; "2f + 1
// of any" counts distinct validators. Two values can never both reach 2f + 1: that would need
// f + 1 validators to equivocate.
import type { Vote } from '../../../shared/chain/messages.js';
import type { VoteType } from '../../../shared/chain/commit.js';

export const VOTES_PER_VALIDATOR_MAX = 4;

/** Tally key of a nil vote; a block hash is 64 hex characters, so it cannot collide. */
const NIL = 'nil';

export function tallyKey(blockHash: string | null): string {
  return blockHash ?? NIL;
}

export class VoteSet {
  /** validator -> its votes, one per value, first received first. */
  readonly #votes = new Map<string, Vote[]>();
  readonly #tally = new Map<string, number>();

  constructor(
    readonly type: VoteType,
    readonly round: number,
  ) {}

  /** Distinct validators with a vote here. */
  get size(): number {
    return this.#votes.size;
  }

  /** The validator's first vote. */
  get(validator: string): Vote | undefined {
    return this.#votes.get(validator)?.[0];
  }

  votesOf(validator: string): readonly Vote[] {
    return this.#votes.get(validator) ?? [];
  }

  /** Adds a vote for a value its validator has not voted for here; false if it has, or is at its limit. */
  add(vote: Vote): boolean {
    if (vote.type !== this.type || vote.round !== this.round) {
      throw new Error(`vote set ${this.type}/${this.round} was given a ${vote.type}/${vote.round} vote`);
    }
    const held = this.#votes.get(vote.validator) ?? [];
    if (held.length >= VOTES_PER_VALIDATOR_MAX || held.some((other) => other.blockHash === vote.blockHash))
      return false;
    this.#votes.set(vote.validator, [...held, vote]);
    const key = tallyKey(vote.blockHash);
    this.#tally.set(key, (this.#tally.get(key) ?? 0) + 1);
    return true;
  }

  remove(validator: string): void {
    for (const vote of this.#votes.get(validator) ?? []) {
      const key = tallyKey(vote.blockHash);
      const count = (this.#tally.get(key) ?? 0) - 1;
      if (count < 0) throw new Error('vote set tally went negative');
      if (count === 0) this.#tally.delete(key);
      else this.#tally.set(key, count);
    }
    this.#votes.delete(validator);
  }

  countFor(blockHash: string | null): number {
    return this.#tally.get(tallyKey(blockHash)) ?? 0;
  }

  /** The block hash (or null for nil) holding at least `threshold` votes, or undefined. */
  majority(threshold: number): string | null | undefined {
    for (const [key, count] of this.#tally) if (count >= threshold) return key === NIL ? null : key;
    return undefined;
  }

  /** One vote per validator for `blockHash`, sorted by validator key: a commit certificate has one form. */
  votesFor(blockHash: string | null): Vote[] {
    const found: Vote[] = [];
    for (const votes of this.#votes.values()) {
      const vote = votes.find((v) => v.blockHash === blockHash);
      if (vote) found.push(vote);
    }
    return found.sort((a, b) => (a.validator < b.validator ? -1 : 1));
  }

  voters(): IterableIterator<string> {
    return this.#votes.keys();
  }
}
