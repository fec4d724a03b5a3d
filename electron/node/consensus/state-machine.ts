// Tendermint consensus for one validator (or observer): Algorithm 1 of Buchman, Kwon and
// Milosevic, "The latest gossip on BFT consensus" (2018). Comments cite its line numbers.
//
// Pure: no clock, no I/O, no randomness. `handle(input)` takes one input and returns what to
// do; the driver executes that and feeds the answers back. After every input the "upon" rules
// are re-evaluated until none fires, so the order in which messages and answers arrive never
// matters to which rule may fire.
//
// Deviations from the paper, each for liveness only (safety arguments are unchanged):
// - Every validator, the proposer included, schedules timeoutPropose (line 21), so a proposer
//   whose block never gets built or signed still leaves the round.
// - valid(v) is asked of the application asynchronously (validateBlock / blockValidity); a rule
//   that needs it waits for the answer. The answer may add `timely: false` (a local check such
//   as the block time against this node's clock): lines 22 and 28 then prevote nil, while lines
//   36 and 49, which act on what a quorum already did, use valid(v) alone.
// - After a restart lockedValue comes from the PrivValidator, which persists the lock with its
//   block and proof-of-lock before signing the precommit (a WAL in spirit): validValue becomes
//   that block and validRound the lock round, and the proof-of-lock is received again (gossip
//   re-sends it), so the restarted node re-proposes the block and others can accept it (line 28).
//   A lock persisted by hash only still works for lines 23 and 29, which only compare ids.
// - Line 49 accepts the block of id(v) from any proposal of the height, not only round r's.
import type { Verifier } from '../../../shared/crypto/index.js';
import type { ConsensusMessage, Vote } from '../../../shared/chain/messages.js';
import type { Block, Commit } from '../../../shared/ledger/types.js';
import type { VoteType } from '../../../shared/chain/commit.js';
import { gossipOnTick } from './vote-resend.js';
import { HeightIntake, hashOfBlock } from './intake.js';
import { checkTimeoutConfig, oneThirdPlusOf, proposerOf, quorumOf, timeoutDurationMs } from './thresholds.js';
import type { VoteSet } from './vote-set.js';
import {
  ConsensusHaltError,
  DEFAULT_TIMEOUTS,
  type ConsensusInput,
  type ConsensusOutput,
  type LockProof,
  type Step,
  type TimeoutConfig,
  type TimeoutStep,
} from './types.js';

/** valid(v), and whether this node would prevote it (see the header). */
interface Validity {
  valid: boolean;
  timely: boolean;
}

/** The precommits a commit certificate is made of, as the votes they were. */
function votesOfCommit(commit: Commit): Vote[] {
  const { height, round, blockHash } = commit;
  return commit.signatures.map(({ validator, signature }) => ({
    kind: 'vote',
    type: 'precommit',
    height,
    round,
    blockHash,
    validator,
    signature,
  }));
}

/** Rules that may fire for one input; each firing moves the state forward, so a loop is a bug. */
const RULE_FIRINGS_PER_INPUT_MAX = 64;

export interface StateMachineConfig {
  chainId: string;
  /** This validator's public key; null for an observer, which follows and commits but never signs. */
  self: string | null;
  verify: Verifier;
  timeouts?: Partial<TimeoutConfig>;
}

export class ConsensusStateMachine {
  readonly timeouts: TimeoutConfig;
  readonly #self: string | null;
  readonly #intake: HeightIntake;
  #out: ConsensusOutput[] = [];
  #started = false;

  // Algorithm 1, lines 2-9.
  #round = 0;
  #step: Step = 'commit';
  #decided = false;
  #lockedValue: Block | null = null;
  #lockedHash: string | null = null;
  #lockedRound = -1;
  #validValue: Block | null = null;
  #validRound = -1;

  // "for the first time" of lines 34, 36 and 47, for the current round.
  #prevoteTimeoutScheduled = false;
  #validUpdated = false;
  #precommitTimeoutScheduled = false;
  /** Round whose block we asked the application to build, or -1. */
  #awaitingBuild = -1;
  /** Own signatures asked for at this height: asking twice for one (round, step) is a bug. */
  #signRequests = new Set<string>();
  /** A requestSync went out at this height (ticks repeat it while the network stays ahead). */
  #syncRequested = false;
  /** 2f + 1 precommits name a block this node does not have: it is decided elsewhere. */
  #decidedBlockMissing = false;
  /** The precommits of this node's last decision, re-sent to peers still on that height. */
  #lastCommit: { height: number; votes: Vote[] } | null = null;
  /** A validator of the previous height sent a message of it: it has not seen the commit. */
  #peerBehind = false;
  /** (height, round, step) at the last tick: unchanged at the next one means stalled. */
  #lastTickPosition = '';
  #validity = new Map<string, Validity | 'pending'>();

  constructor(config: StateMachineConfig) {
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...config.timeouts };
    checkTimeoutConfig(this.timeouts);
    this.#self = config.self;
    this.#intake = new HeightIntake(config.chainId, config.verify);
  }

  get height(): number {
    return this.#intake.height;
  }
  get round(): number {
    return this.#round;
  }
  get step(): Step {
    return this.#step;
  }
  get lockedRound(): number {
    return this.#lockedRound;
  }
  get lockedHash(): string | null {
    return this.#lockedHash;
  }
  get validRound(): number {
    return this.#validRound;
  }
  get validators(): readonly string[] {
    return this.#intake.validators;
  }
  /** True when this node signs at this height (it is one of its validators). */
  get isValidator(): boolean {
    return this.#intake.isMember(this.#self);
  }

  handle(input: ConsensusInput): ConsensusOutput[] {
    this.#out = [];
    if (input.kind === 'startHeight') {
      this.#startHeight(input);
    } else if (this.#started) {
      this.#dispatch(input);
      this.#evaluate();
    }
    return this.#out;
  }

  #dispatch(input: Exclude<ConsensusInput, { kind: 'startHeight' }>): void {
    switch (input.kind) {
      case 'proposal':
        return this.#receive(input.proposal);
      case 'vote':
        return this.#receive(input.vote);
      case 'timeout':
        return this.#onTimeout(input.height, input.round, input.step);
      case 'proposalBuilt':
        return this.#onProposalBuilt(input.height, input.round, input.block);
      case 'blockValidity':
        if (input.height === this.height && this.#validity.get(input.blockHash) === 'pending') {
          const timely = input.valid && input.timely !== false;
          this.#validity.set(input.blockHash, { valid: input.valid, timely });
          if (!timely)
            this.#out.push({
              kind: 'rejected',
              reason: `${input.valid ? 'untimely' : 'invalid'} block ${input.blockHash}: ${input.reason ?? 'no reason given'}`,
            });
        }
        return;
      case 'tick':
        return this.#onTick();
    }
  }

  #startHeight(input: Extract<ConsensusInput, { kind: 'startHeight' }>): void {
    const { height, validators } = input;
    if (!Number.isSafeInteger(height) || height < 1) throw new ConsensusHaltError(`cannot start height ${height}`);
    if (this.#started && height <= this.height)
      throw new ConsensusHaltError(`asked to start height ${height} while at height ${this.height}`);
    if (validators.length === 0) throw new ConsensusHaltError(`height ${height} has no validators`);
    for (let i = 1; i < validators.length; i++) {
      if (!(validators[i - 1]! < validators[i]!))
        throw new ConsensusHaltError(`the validators of height ${height} are not sorted and unique`);
    }
    const buffered = this.#intake.reset(height, validators, input.nextValidators ?? validators);
    this.#started = true;
    this.#decided = false;
    const lock = input.lock;
    const lockedBlock =
      lock?.block && lock.block.header.height === height && hashOfBlock(lock.block) === lock.blockHash
        ? lock.block
        : null;
    this.#lockedValue = lockedBlock;
    this.#lockedHash = lock?.blockHash ?? null;
    this.#lockedRound = lock?.round ?? -1;
    this.#validValue = lockedBlock;
    this.#validRound = lockedBlock && lock ? lock.round : -1;
    this.#signRequests = new Set();
    this.#syncRequested = false;
    this.#decidedBlockMissing = false;
    this.#peerBehind = false;
    if (input.lastCommit?.height === height - 1)
      this.#lastCommit = { height: height - 1, votes: votesOfCommit(input.lastCommit) };
    else if (this.#lastCommit?.height !== height - 1) this.#lastCommit = null;
    this.#validity = new Map();
    this.#startRound(input.round ?? 0, input.step); // line 10
    this.#evaluate();
    // The restored proof-of-lock, checked like any peer's votes (line 28 counts them).
    for (const message of [...(lockedBlock ? (lock?.prevotes ?? []) : []), ...buffered]) {
      this.#receive(message);
      this.#evaluate();
    }
  }

  /**
   * StartRound(round), lines 11-21. `restoredStep` resumes a round in which this validator
   * signed before a restart: at that step, asking for none of the signatures it already gave.
   */
  #startRound(round: number, restoredStep?: 'prevote' | 'precommit'): void {
    this.#round = round;
    this.#step = restoredStep ?? 'propose';
    this.#prevoteTimeoutScheduled = false;
    this.#validUpdated = false;
    this.#precommitTimeoutScheduled = false;
    this.#awaitingBuild = -1;
    this.#intake.messages.prune(round);
    this.#out.push({ kind: 'roundStarted', height: this.height, round });
    if (restoredStep) {
      for (const step of ['propose', 'prevote', 'precommit'] as const) {
        this.#signRequests.add(`${round}/${step}`);
        if (step === restoredStep) break;
      }
      return;
    }
    if (this.isValidator && proposerOf(this.validators, this.height, round) === this.#self) {
      if (this.#validValue !== null) {
        this.#requestProposal(this.#validValue, this.#validRound); // lines 15-16, 19
      } else {
        this.#awaitingBuild = round; // line 18: getValue()
        this.#out.push({ kind: 'buildProposal', height: this.height, round });
      }
    }
    this.#schedule('propose'); // line 21 (for the proposer too, see the header)
  }

  #receive(message: ConsensusMessage): void {
    const result = this.#intake.receive(message, this.#round);
    if (result.status === 'behind' && !this.#isLastCommitVote(message)) this.#peerBehind = true;
    else if (result.status === 'rejected')
      this.#out.push({ kind: 'rejected', reason: result.reason, validator: result.validator });
    else if (result.status === 'evidence') this.#out.push({ kind: 'evidence', evidence: result.evidence });
    else if (result.status === 'ahead' && this.#intake.networkAhead) this.#requestSyncOnce();
  }

  /**
   * A precommit of the previous height's decision says nothing of its sender: a node re-sending
   * the last commit sends exactly those, and counting them as "a peer is behind" would make every
   * node that receives them send them again on its next tick, for ever.
   */
  #isLastCommitVote(message: ConsensusMessage): boolean {
    const last = this.#lastCommit;
    return (
      last !== null &&
      message.kind === 'vote' &&
      message.type === 'precommit' &&
      message.height === last.height &&
      message.blockHash !== null &&
      message.blockHash === last.votes[0]?.blockHash
    );
  }

  #onProposalBuilt(height: number, round: number, block: Block): void {
    // Stale answers (the round moved on while the block was being built) are dropped.
    if (height !== this.height || round !== this.#round || this.#step !== 'propose' || this.#awaitingBuild !== round)
      return;
    this.#awaitingBuild = -1;
    if (block.header.height !== height)
      throw new ConsensusHaltError(
        `the application built a block of height ${block.header.height} for height ${height}`,
      );
    this.#requestProposal(block, -1); // line 19 with validRound = -1
  }

  /** OnTimeoutPropose / OnTimeoutPrevote / OnTimeoutPrecommit, lines 57-67. */
  #onTimeout(height: number, round: number, step: TimeoutStep): void {
    if (height !== this.height || round !== this.#round || this.#decided) return;
    if (step === 'propose' && this.#step === 'propose')
      this.#enterPrevote(null); // lines 58-60
    else if (step === 'prevote' && this.#step === 'prevote')
      this.#enterPrecommit(null); // lines 62-64
    else if (step === 'precommit') this.#startRound(round + 1); // lines 66-67
  }

  #requestSyncOnce(): void {
    if (this.#decided || this.#syncRequested) return;
    this.#syncRequested = true;
    this.#out.push({ kind: 'requestSync', height: this.height });
  }

  /** Re-sends what gossip may have lost (gossip.ts), and asks for sync again while behind. */
  #onTick(): void {
    const position = `${this.height}/${this.#round}/${this.#step}`;
    const stalled = position === this.#lastTickPosition && !this.#decided;
    this.#lastTickPosition = position;
    const messages = gossipOnTick({
      self: this.#self,
      isValidator: this.isValidator,
      round: this.#round,
      stalled,
      decided: this.#decided,
      messages: this.#intake.messages,
      validValue: this.#validValue,
      validRound: this.#validRound,
      lastCommitForPeerBehind:
        this.#peerBehind && this.#lastCommit?.height === this.height - 1 ? this.#lastCommit.votes : [],
    });
    this.#peerBehind = false;
    for (const message of messages) this.#out.push({ kind: 'broadcast', message });
    if (!this.#decided && (this.#intake.networkAhead || this.#decidedBlockMissing))
      this.#out.push({ kind: 'requestSync', height: this.height });
  }

  #evaluate(): void {
    for (let firings = 0; firings < RULE_FIRINGS_PER_INPUT_MAX; firings++) {
      if (!this.#fireOne()) return;
    }
    throw new ConsensusHaltError(
      `more than ${RULE_FIRINGS_PER_INPUT_MAX} rules fired for one input at height ${this.height} round ${this.#round}`,
    );
  }

  /** Fires the first "upon" rule whose condition holds; false when none does. */
  #fireOne(): boolean {
    if (this.#decided) return false;
    if (this.#tryDecide()) return true; // line 49
    if (this.#trySkipRound()) return true; // line 55
    const quorum = quorumOf(this.validators.length);
    const current = this.#intake.messages.get(this.#round);
    const proposal = current?.proposal;
    const hash = proposal ? hashOfBlock(proposal.block) : null;
    const validity = proposal && hash ? this.#validityOf(proposal.block, hash, this.#round) : undefined;
    const valid = validity?.valid;

    if (this.#step === 'propose' && proposal && hash && validity !== undefined) {
      if (proposal.polRound === -1) {
        // Lines 22-27: prevote v if valid and we are not locked on something else.
        const acceptable = validity.timely && (this.#lockedRound === -1 || this.#lockedHash === hash);
        this.#enterPrevote(acceptable ? hash : null);
        return true;
      }
      const pol = this.#intake.messages.get(proposal.polRound)?.prevotes;
      if ((pol?.countFor(hash) ?? 0) >= quorum) {
        // Lines 28-33: a proof-of-lock from round vr >= lockedRound frees us to prevote v.
        const acceptable = validity.timely && (this.#lockedRound <= proposal.polRound || this.#lockedHash === hash);
        this.#enterPrevote(acceptable ? hash : null);
        return true;
      }
    }
    if (!current) return false;
    if (this.#step === 'prevote' && !this.#prevoteTimeoutScheduled && current.prevotes.size >= quorum) {
      this.#prevoteTimeoutScheduled = true; // lines 34-35
      this.#schedule('prevote');
      return true;
    }
    if (
      (this.#step === 'prevote' || this.#step === 'precommit') &&
      !this.#validUpdated &&
      proposal &&
      hash &&
      valid === true &&
      current.prevotes.countFor(hash) >= quorum
    ) {
      this.#validUpdated = true; // lines 36-43
      if (this.#step === 'prevote') {
        this.#lockedValue = proposal.block;
        this.#lockedHash = hash;
        this.#lockedRound = this.#round;
        this.#enterPrecommit(hash, { block: proposal.block, prevotes: current.prevotes.votesFor(hash) });
      }
      this.#validValue = proposal.block;
      this.#validRound = this.#round;
      return true;
    }
    if (this.#step === 'prevote' && current.prevotes.countFor(null) >= quorum) {
      this.#enterPrecommit(null); // lines 44-46
      return true;
    }
    if (!this.#precommitTimeoutScheduled && current.precommits.size >= quorum) {
      this.#precommitTimeoutScheduled = true; // lines 47-48
      this.#schedule('precommit');
      return true;
    }
    return false;
  }

  /** Lines 49-54: 2f + 1 precommits for id(v) in some round, v known and valid: decide v. */
  #tryDecide(): boolean {
    const quorum = quorumOf(this.validators.length);
    for (const messages of this.#intake.messages.rounds()) {
      const hash = messages.precommits.majority(quorum);
      if (typeof hash !== 'string') continue;
      const block = this.#blockOf(hash);
      if (!block) {
        // Decided elsewhere, and the proposal never reached us: fetch the committed block.
        this.#decidedBlockMissing = true;
        this.#requestSyncOnce();
        continue;
      }
      const validity = this.#validityOf(block, hash, messages.round);
      if (validity === undefined) continue;
      if (!validity.valid) {
        throw new ConsensusHaltError(
          `more than 2/3 of the validators precommitted block ${hash} at height ${this.height}, which this node finds invalid: ` +
            'its execution differs from theirs, or more than 1/3 of them are faulty',
        );
      }
      this.#decide(block, hash, messages.round, messages.precommits);
      return true;
    }
    return false;
  }

  #decide(block: Block, hash: string, round: number, precommits: VoteSet): void {
    const votes = precommits.votesFor(hash);
    if (
      votes.length < quorumOf(this.validators.length) ||
      hashOfBlock(block) !== hash ||
      block.header.height !== this.height
    ) {
      throw new ConsensusHaltError(`inconsistent decision at height ${this.height}`);
    }
    this.#decided = true; // line 51; lines 52-54 happen at the next startHeight
    this.#step = 'commit';
    this.#lastCommit = { height: this.height, votes };
    const signatures = votes.map((vote) => ({ validator: vote.validator, signature: vote.signature }));
    this.#out.push({ kind: 'commit', block, commit: { height: this.height, round, blockHash: hash, signatures } });
  }

  /** Line 55: f + 1 validators sent messages of a higher round: go there. */
  #trySkipRound(): boolean {
    const threshold = oneThirdPlusOf(this.validators.length);
    let target = -1;
    for (const messages of this.#intake.messages.rounds()) {
      if (messages.round > this.#round && messages.round > target && messages.senders().size >= threshold)
        target = messages.round;
    }
    if (target < 0) return false;
    this.#startRound(target);
    return true;
  }

  #blockOf(hash: string): Block | undefined {
    if (this.#validValue && hashOfBlock(this.#validValue) === hash) return this.#validValue;
    if (this.#lockedValue && hashOfBlock(this.#lockedValue) === hash) return this.#lockedValue;
    for (const messages of this.#intake.messages.rounds()) {
      if (messages.proposal && hashOfBlock(messages.proposal.block) === hash) return messages.proposal.block;
    }
    return undefined;
  }

  /** valid(v): the application's answer, asked once per block; undefined while pending. */
  #validityOf(block: Block, hash: string, round: number): Validity | undefined {
    const known = this.#validity.get(hash);
    if (known !== undefined && known !== 'pending') return known;
    if (known === undefined) {
      this.#validity.set(hash, 'pending');
      this.#out.push({ kind: 'validateBlock', height: this.height, round, block, blockHash: hash });
    }
    return undefined;
  }

  #enterPrevote(blockHash: string | null): void {
    this.#step = 'prevote';
    this.#requestVote('prevote', blockHash);
  }

  /** `lockProof`: the precommit locks (lines 36-39); the signer persists the block and its POL. */
  #enterPrecommit(blockHash: string | null, lockProof?: LockProof): void {
    this.#step = 'precommit';
    this.#requestVote('precommit', blockHash, lockProof);
  }

  #requestVote(type: VoteType, blockHash: string | null, lockProof?: LockProof): void {
    if (!this.isValidator) return; // observers follow without signing
    this.#claimSignature(type);
    this.#out.push({
      kind: 'signVote',
      type,
      height: this.height,
      round: this.#round,
      blockHash,
      ...(lockProof ? { lockProof } : {}),
    });
  }

  #requestProposal(block: Block, polRound: number): void {
    this.#claimSignature('propose');
    const blockHash = hashOfBlock(block);
    this.#out.push({ kind: 'signProposal', height: this.height, round: this.#round, polRound, block, blockHash });
  }

  /** Halts rather than ask twice for a signature of one (height, round, step). */
  #claimSignature(step: 'propose' | VoteType): void {
    const slot = `${this.#round}/${step}`;
    if (this.#signRequests.has(slot))
      throw new ConsensusHaltError(`asked twice to sign the ${step} of height ${this.height} round ${this.#round}`);
    this.#signRequests.add(slot);
  }

  #schedule(step: TimeoutStep): void {
    const durationMs = timeoutDurationMs(this.timeouts, step, this.#round);
    this.#out.push({ kind: 'scheduleTimeout', height: this.height, round: this.#round, step, durationMs });
  }
}
