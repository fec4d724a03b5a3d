// Admission of incoming proposals and votes for the state machine: every check a message
// passes before Algorithm 1 may count it, cheapest first, the signature last. Messages of the
// running height enter its log; those of height + 1 wait in a bounded buffer; later ones only
// tell us the network is ahead. Equivocation is detected here and reported once.
import {
  verifyProposalSignature,
  verifyVote,
  type ConsensusMessage,
  type DuplicateVoteEvidence,
  type Proposal,
  type Vote,
} from '../../../shared/chain/messages.js';
import type { Verifier } from '../../../shared/crypto/index.js';
import { blockHash } from '../../../shared/ledger/block.js';
import type { Block } from '../../../shared/ledger/types.js';
import { NextHeightBuffer } from './next-height-buffer.js';
import { HeightMessages } from './round-messages.js';
import { oneThirdPlusOf, proposerOf } from './thresholds.js';

export type IntakeResult =
  | { status: 'added'; message: ConsensusMessage }
  | { status: 'ignored' }
  /** A message of the previous height: its sender has not seen the commit yet. */
  | { status: 'behind' }
  | { status: 'rejected'; reason: string; validator: string }
  /** An equivocation, reported once; `counted` when the second vote also entered the tally. */
  | { status: 'evidence'; evidence: DuplicateVoteEvidence; counted: boolean }
  /** Held for the next height, or a sign of a later one: the machine may ask for sync. */
  | { status: 'ahead' };

const blockHashes = new WeakMap<Block, string>();

/** blockHash(block.header), computed once per block object. */
export function hashOfBlock(block: Block): string {
  let hash = blockHashes.get(block);
  if (hash === undefined) {
    hash = blockHash(block.header);
    blockHashes.set(block, hash);
  }
  return hash;
}

function senderOf(message: ConsensusMessage): string {
  return message.kind === 'vote' ? message.validator : message.proposer;
}

export class HeightIntake {
  height = 0;
  validators: readonly string[] = [];
  messages = new HeightMessages();
  readonly #next = new NextHeightBuffer();
  #members = new Set<string>();
  #previousMembers = new Set<string>();
  #nextValidators: readonly string[] = [];
  #nextMembers = new Set<string>();
  /** Validators of this height seen signing for a later one. */
  #ahead = new Set<string>();
  #evidenceReported = new Set<string>();

  constructor(
    readonly chainId: string,
    readonly verify: Verifier,
  ) {}

  /** Starts `height`; returns the buffered messages of it, to be received again. */
  reset(height: number, validators: readonly string[], nextValidators: readonly string[]): ConsensusMessage[] {
    const buffered = this.#next.take(height);
    this.#previousMembers = this.#members;
    this.height = height;
    this.validators = validators;
    this.#members = new Set(validators);
    this.#nextValidators = nextValidators;
    this.#nextMembers = new Set(nextValidators);
    this.messages = new HeightMessages();
    this.#ahead = new Set();
    this.#evidenceReported = new Set();
    return buffered;
  }

  /**
   * A validator of the previous height or of this one. After a restart the previous set is not
   * known; sets rarely change, and a false "behind" only costs one re-send of the last commit.
   */
  #isRecentMember(key: string): boolean {
    return this.#previousMembers.has(key) || this.#members.has(key);
  }

  isMember(key: string | null): boolean {
    return key !== null && this.#members.has(key);
  }

  /** True when validators with more than 1/3 of the votes signed for a later height. */
  get networkAhead(): boolean {
    return this.#ahead.size >= oneThirdPlusOf(this.validators.length);
  }

  receive(message: ConsensusMessage, currentRound: number): IntakeResult {
    if (message.height < this.height)
      return message.height === this.height - 1 && this.#isRecentMember(senderOf(message))
        ? { status: 'behind' }
        : { status: 'ignored' };
    if (message.height > this.height) return this.#receiveLater(message);
    return message.kind === 'vote'
      ? this.#receiveVote(message, currentRound)
      : this.#receiveProposal(message, currentRound);
  }

  #receiveVote(vote: Vote, currentRound: number): IntakeResult {
    const reject = (reason: string): IntakeResult => ({ status: 'rejected', reason, validator: vote.validator });
    // REJECT: only this height's validators vote on it.
    if (!this.#members.has(vote.validator)) return reject('vote from a key that is not a validator of this height');
    const held = this.messages.get(vote.round)?.votes(vote.type).votesOf(vote.validator) ?? [];
    // IGNORE: already counted (re-broadcasts and gossip duplicates are normal).
    if (held.some((other) => other.blockHash === vote.blockHash)) return { status: 'ignored' };
    if (held.length > 0) return this.#conflictingVote(held[0]!, vote);
    const admission = this.messages.check(vote.validator, vote.round, currentRound);
    // IGNORE: outside the rounds kept (bounded log, see round-messages.ts).
    if (admission.status !== 'admit') return { status: 'ignored' };
    // REJECT: the signature is not the validator's over this exact vote.
    if (!verifyVote(vote, this.chainId, this.verify)) return reject('vote signature does not verify');
    if (admission.evictRound !== undefined) this.messages.evict(vote.validator, admission.evictRound);
    this.messages.addVote(vote);
    return { status: 'added', message: vote };
  }

  /**
   * A second vote of a validator for the same round and type. It is evidence (reported once),
   * and it is counted when its value can matter: nil, or a block proposed at this height. A
   * vote for an unknown block is not kept; whoever relies on it re-sends it (proof-of-lock relay).
   */
  #conflictingVote(existing: Vote, vote: Vote): IntakeResult {
    const slot = `${vote.validator}/${vote.round}/${vote.type}`;
    const reported = this.#evidenceReported.has(slot);
    const relevant = vote.blockHash === null || this.#isProposedBlock(vote.blockHash);
    if (reported && !relevant) return { status: 'ignored' };
    // REJECT: a forged second vote is no evidence against anyone.
    if (!verifyVote(vote, this.chainId, this.verify))
      return { status: 'rejected', reason: 'vote signature does not verify', validator: vote.validator };
    const counted = relevant && this.messages.at(vote.round).votes(vote.type).add(vote);
    if (reported) return counted ? { status: 'added', message: vote } : { status: 'ignored' };
    this.#evidenceReported.add(slot);
    // One canonical order, so every node reports the same evidence whatever arrived first.
    const [voteA, voteB] = (existing.blockHash ?? '') < (vote.blockHash ?? '') ? [existing, vote] : [vote, existing];
    return { status: 'evidence', evidence: { kind: 'duplicate-vote', voteA, voteB }, counted };
  }

  #isProposedBlock(hash: string): boolean {
    for (const messages of this.messages.rounds()) {
      if (messages.proposal && hashOfBlock(messages.proposal.block) === hash) return true;
    }
    return false;
  }

  #receiveProposal(proposal: Proposal, currentRound: number): IntakeResult {
    const reject = (reason: string): IntakeResult => ({ status: 'rejected', reason, validator: proposal.proposer });
    // REJECT: the block must be of the height the proposal names.
    if (proposal.block.header.height !== proposal.height)
      return reject('proposal height differs from its block height');
    // REJECT: a proof-of-lock round is earlier than the round it supports (Algorithm 1 line 28).
    if (proposal.polRound >= proposal.round) return reject('proposal polRound is not below its round');
    // REJECT: only proposer(h, r) proposes in round r (line 22).
    if (proposal.proposer !== proposerOf(this.validators, this.height, proposal.round))
      return reject('proposal from a key that is not the proposer of its round');
    const hash = hashOfBlock(proposal.block);
    const existing = this.messages.get(proposal.round)?.proposal;
    if (existing) {
      // IGNORE: the proposer's first proposal of a round is the one we keep.
      if (hashOfBlock(existing.block) === hash && existing.polRound === proposal.polRound) return { status: 'ignored' };
      return reject('a second, different proposal for the same round');
    }
    const admission = this.messages.check(proposal.proposer, proposal.round, currentRound);
    if (admission.status !== 'admit') return { status: 'ignored' };
    // REJECT: the signature is not the proposer's over (height, round, polRound, blockHash).
    if (!verifyProposalSignature(proposal, this.chainId, hash, this.verify))
      return reject('proposal signature does not verify');
    if (admission.evictRound !== undefined) this.messages.evict(proposal.proposer, admission.evictRound);
    this.messages.at(proposal.round).proposal = proposal;
    return { status: 'added', message: proposal };
  }

  #receiveLater(message: ConsensusMessage): IntakeResult {
    const sender = senderOf(message);
    if (message.height === this.height + 1 && this.#nextMembers.has(sender)) {
      // IGNORE: the sender's share of the buffer is full.
      if (!this.#next.canAdd(message)) return { status: 'ignored' };
      if (
        message.kind === 'proposal' &&
        message.proposer !== proposerOf(this.#nextValidators, message.height, message.round)
      ) {
        return {
          status: 'rejected',
          reason: 'proposal from a key that is not the proposer of its round',
          validator: sender,
        };
      }
      if (!this.#verifies(message))
        return { status: 'rejected', reason: 'signature does not verify', validator: sender };
      this.#next.add(message);
    } else {
      // Later heights are not kept; one verified message per validator shows it is ahead.
      if (!this.#members.has(sender) || this.#ahead.has(sender)) return { status: 'ignored' };
      if (!this.#verifies(message))
        return { status: 'rejected', reason: 'signature does not verify', validator: sender };
    }
    if (this.#members.has(sender)) this.#ahead.add(sender);
    return { status: 'ahead' };
  }

  #verifies(message: ConsensusMessage): boolean {
    if (message.kind === 'vote') return verifyVote(message, this.chainId, this.verify);
    if (message.block.header.height !== message.height) return false;
    return verifyProposalSignature(message, this.chainId, hashOfBlock(message.block), this.verify);
  }
}
