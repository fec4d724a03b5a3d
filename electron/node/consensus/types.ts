// Inputs and outputs of the consensus state machine (Tendermint, Buchman-Kwon-Milosevic 2018,
// Algorithm 1). The machine is pure: everything it learns arrives as an input, everything it
// wants done leaves as an output, one input at a time. The driver (driver.ts) owns the clock,
// the network, the signer and the application.
import type { DuplicateVoteEvidence, Proposal, Vote, ConsensusMessage } from '../../../shared/chain/messages.js';
import type { VoteType } from '../../../shared/chain/commit.js';
import type { Block, Commit } from '../../../shared/ledger/types.js';

/** The steps of a round (Algorithm 1 line 4), plus `commit` once the height is decided. */
export type Step = 'propose' | 'prevote' | 'precommit' | 'commit';
export type TimeoutStep = 'propose' | 'prevote' | 'precommit';

export interface TimeoutConfig {
  /** timeoutPropose(round) = timeoutProposeMs + round × deltaMs (Algorithm 1 line 21). */
  timeoutProposeMs: number;
  /** timeoutPrevote(round) = timeoutPrevoteMs + round × deltaMs (line 35). */
  timeoutPrevoteMs: number;
  /** timeoutPrecommit(round) = timeoutPrecommitMs + round × deltaMs (line 48). */
  timeoutPrecommitMs: number;
  /** Growth per round, so that after GST the timeouts outgrow the message delay. */
  deltaMs: number;
  /**
   * How long a proposer may wait for transactions at round 0 before it proposes a block anyway
   * (DESIGN §5: blocks are made when transactions wait, and at a heartbeat interval otherwise).
   * Every validator adds it to the round-0 propose timeout so a waiting proposer is not skipped.
   */
  heartbeatMs: number;
}

export const DEFAULT_TIMEOUTS: TimeoutConfig = {
  timeoutProposeMs: 3000,
  timeoutPrevoteMs: 1000,
  timeoutPrecommitMs: 1000,
  deltaMs: 500,
  heartbeatMs: 0,
};

/** What a validator persisted as its lock before a restart (Algorithm 1 lines 38-39). */
export interface RestoredLock {
  round: number;
  blockHash: string;
  /** The locked block, when persisted: it becomes lockedValue and validValue again. */
  block?: Block;
  /** The prevotes of `round` for it (its proof-of-lock), received again and re-gossiped. */
  prevotes?: readonly Vote[];
}

/** What a non-nil precommit locks on: the signer persists it with the lock (see RestoredLock). */
export interface LockProof {
  block: Block;
  prevotes: readonly Vote[];
}

export type ConsensusInput =
  /**
   * Start `height` (after the previous one is committed, at boot, or after sync). `validators`
   * are the sorted keys voting on it; `nextValidators` those of height + 1, used to admit
   * early messages of the next height. `round`, `step` and `lock` restore what the validator's
   * PrivValidator persisted at this height before a restart.
   */
  | {
      kind: 'startHeight';
      height: number;
      validators: readonly string[];
      nextValidators?: readonly string[];
      round?: number;
      /** The last step signed in `round` (nothing in it is signed again). */
      step?: 'prevote' | 'precommit';
      lock?: RestoredLock;
      /** The commit certificate of height - 1, re-sent to validators still working on it. */
      lastCommit?: Commit;
    }
  | { kind: 'proposal'; proposal: Proposal }
  | { kind: 'vote'; vote: Vote }
  | { kind: 'timeout'; height: number; round: number; step: TimeoutStep }
  /** The answer to a buildProposal output. */
  | { kind: 'proposalBuilt'; height: number; round: number; block: Block }
  /**
   * The answer to a validateBlock output. `timely: false` marks a valid block this node will
   * not prevote (a local check failed, e.g. its time is ahead of the local clock).
   */
  | { kind: 'blockValidity'; height: number; blockHash: string; valid: boolean; timely?: boolean; reason?: string }
  /**
   * Periodic: re-send own messages of the current round, the last commit's precommits if a peer
   * still works on that height, and re-ask for sync while behind.
   */
  | { kind: 'tick' };

export type ConsensusOutput =
  | { kind: 'buildProposal'; height: number; round: number }
  | { kind: 'validateBlock'; height: number; round: number; block: Block; blockHash: string }
  | { kind: 'signProposal'; height: number; round: number; polRound: number; block: Block; blockHash: string }
  /** `lockProof` comes with a precommit that locks (lines 36-39): persist it before signing. */
  | { kind: 'signVote'; type: VoteType; height: number; round: number; blockHash: string | null; lockProof?: LockProof }
  /** Re-send a message already signed (own messages, on tick). */
  | { kind: 'broadcast'; message: ConsensusMessage }
  | { kind: 'scheduleTimeout'; height: number; round: number; step: TimeoutStep; durationMs: number }
  /** The height is decided: `commit` holds more than 2/3 of its validators' precommits for `block`. */
  | { kind: 'commit'; block: Block; commit: Commit }
  | { kind: 'evidence'; evidence: DuplicateVoteEvidence }
  /**
   * Height `height` is decided elsewhere (validators with more than 1/3 of the votes are past it,
   * or 2f + 1 precommits name a block this node lacks): fetch committed blocks from it.
   */
  | { kind: 'requestSync'; height: number }
  /** Observability: a round started (Algorithm 1 line 11). */
  | { kind: 'roundStarted'; height: number; round: number }
  /** Observability: an input was refused; `reason` says which check failed. */
  | { kind: 'rejected'; reason: string; validator?: string };

/** Thrown when the machine reaches a state the algorithm forbids: the driver halts. */
export class ConsensusHaltError extends Error {
  readonly code = 'CONSENSUS_HALT' as const;
  constructor(message: string) {
    super(`consensus halted: ${message}`);
    this.name = 'ConsensusHaltError';
  }
}
