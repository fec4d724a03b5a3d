// The consensus state machine, step by step against Algorithm 1 of "The latest gossip on BFT
// consensus" (Buchman, Kwon, Milosevic 2018). Line numbers in test names are the paper's.
// Four validators (f = 1): "2f + 1" is 3 votes, "f + 1" is 2. Blocks are synthetic: the machine
// only hashes them, and the test answers validateBlock itself.
import { describe, expect, it } from 'vitest';
import { utf8 } from '../../shared/codec/index.js';
import { generateKeyPair, sha256, sha256Hex, verify, type KeyPair } from '../../shared/crypto/index.js';
import { signProposal, signVoteMessage, type Proposal, type Vote } from '../../shared/chain/messages.js';
import type { VoteType } from '../../shared/chain/commit.js';
import { blockHash, ZERO_HASH } from '../../shared/ledger/block.js';
import type { Block } from '../../shared/ledger/types.js';
import { verifyCommit } from '../../shared/chain/commit.js';
import {
  ConsensusHaltError,
  ConsensusStateMachine,
  FUTURE_ROUNDS_PER_VALIDATOR_MAX,
  type ConsensusInput,
  type ConsensusOutput,
} from '../../electron/node/consensus/index.js';

const CHAIN_ID = 'consensus-test';

/** Sorted by public key, as validator sets are. */
const validatorKeys: KeyPair[] = [0, 1, 2, 3]
  .map((i) => generateKeyPair(sha256(utf8(`consensus-test:${i}`))))
  .sort((a, b) => (a.publicKey < b.publicKey ? -1 : 1));
const validators = validatorKeys.map((key) => key.publicKey);
const outsider = generateKeyPair(sha256(utf8('consensus-test:outsider')));

function block(height: number, label: string): Block {
  return {
    header: {
      chainId: CHAIN_ID,
      height,
      prevHash: ZERO_HASH,
      timeMs: 1_000 + height,
      proposer: validators[height % validators.length]!,
      txRoot: sha256Hex(utf8(`tx:${label}`)),
      stateRoot: sha256Hex(utf8(`state:${label}`)),
      validatorsHash: ZERO_HASH,
      appHash: ZERO_HASH,
    },
    txs: [],
  };
}

function hashOf(b: Block): string {
  return blockHash(b.header);
}

function vote(index: number, type: VoteType, height: number, round: number, hash: string | null): Vote {
  return signVoteMessage(validatorKeys[index]!.secretKey, CHAIN_ID, type, height, round, hash);
}

function proposal(index: number, b: Block, round: number, polRound = -1): Proposal {
  return signProposal(validatorKeys[index]!.secretKey, CHAIN_ID, b, round, polRound, hashOf(b));
}

/** Index of proposer(h, r) = validators[(h + r) mod n]. */
function proposerIndex(height: number, round: number): number {
  return (height + round) % validators.length;
}

// ---- helpers ----------------------------------------------------------------------------

/** A machine for validator `index` (or an observer) with a log of everything it output. */
class Harness {
  readonly machine: ConsensusStateMachine;
  readonly log: ConsensusOutput[] = [];

  constructor(readonly index: number | null) {
    this.machine = new ConsensusStateMachine({
      chainId: CHAIN_ID,
      self: index === null ? null : validators[index]!,
      verify,
    });
  }

  handle(input: ConsensusInput): ConsensusOutput[] {
    const out = this.machine.handle(input);
    this.log.push(...out);
    return out;
  }

  start(height = 1, extra: Partial<Extract<ConsensusInput, { kind: 'startHeight' }>> = {}): ConsensusOutput[] {
    return this.handle({ kind: 'startHeight', height, validators, ...extra });
  }

  vote(v: Vote): ConsensusOutput[] {
    return this.handle({ kind: 'vote', vote: v });
  }

  propose(p: Proposal): ConsensusOutput[] {
    return this.handle({ kind: 'proposal', proposal: p });
  }

  valid(b: Block, valid = true): ConsensusOutput[] {
    return this.handle({
      kind: 'blockValidity',
      height: b.header.height,
      blockHash: hashOf(b),
      valid,
      ...(valid ? {} : { reason: 'test' }),
    });
  }

  /** Feeds the vote this machine asked to sign back to it, as the driver does. */
  signOwn(outputs: ConsensusOutput[]): ConsensusOutput[] {
    const request = outputs.find((o) => o.kind === 'signVote');
    if (!request || request.kind !== 'signVote' || this.index === null)
      throw new Error('no signVote among the outputs');
    return this.vote(vote(this.index, request.type, request.height, request.round, request.blockHash));
  }
}

function only<K extends ConsensusOutput['kind']>(
  outputs: ConsensusOutput[],
  kind: K,
): Extract<ConsensusOutput, { kind: K }>[] {
  return outputs.filter((o): o is Extract<ConsensusOutput, { kind: K }> => o.kind === kind);
}

/** Drives validator `index` to a lock on `b` at round 0 of height 1 (lines 22-43). */
function lockedOn(index: number, b: Block): Harness {
  const h = new Harness(index);
  h.start();
  h.propose(proposal(proposerIndex(1, 0), b, 0));
  h.signOwn(h.valid(b));
  const others = [0, 1, 2, 3].filter((i) => i !== index).slice(0, 2);
  let out: ConsensusOutput[] = [];
  for (const i of others) out = h.vote(vote(i, 'prevote', 1, 0, hashOf(b)));
  h.signOwn(out);
  return h;
}

/** Moves a machine at step precommit of `round` to round + 1 through lines 47-48 and 65-67. */
function timeOutRound(h: Harness, round: number, hash: string | null = null): void {
  for (const i of [0, 1, 2, 3].filter((i) => i !== h.index).slice(0, 2)) h.vote(vote(i, 'precommit', 1, round, hash));
  h.handle({ kind: 'timeout', height: 1, round, step: 'precommit' });
  expect(h.machine.round).toBe(round + 1);
}

describe('consensus state machine: a height decided in one round [REQ-CONS.1]', () => {
  it('goes proposal -> prevote -> precommit -> commit with 4 validators (lines 22-24, 36-40, 49-51)', () => {
    const h = new Harness(0);
    let out = h.start();
    expect(only(out, 'roundStarted')).toEqual([{ kind: 'roundStarted', height: 1, round: 0 }]);
    expect(only(out, 'scheduleTimeout')).toEqual([
      { kind: 'scheduleTimeout', height: 1, round: 0, step: 'propose', durationMs: 3000 },
    ]);
    expect(only(out, 'buildProposal')).toEqual([]); // validator 0 is not proposer(1, 0)

    const a = block(1, 'A');
    const hash = hashOf(a);
    out = h.propose(proposal(proposerIndex(1, 0), a, 0));
    expect(only(out, 'validateBlock')).toEqual([
      { kind: 'validateBlock', height: 1, round: 0, block: a, blockHash: hash },
    ]);
    expect(only(out, 'signVote')).toEqual([]); // valid(v) is not known yet

    out = h.valid(a);
    expect(only(out, 'signVote')).toEqual([
      { kind: 'signVote', type: 'prevote', height: 1, round: 0, blockHash: hash },
    ]);
    expect(h.machine.step).toBe('prevote');

    h.signOwn(out);
    h.vote(vote(1, 'prevote', 1, 0, hash));
    out = h.vote(vote(2, 'prevote', 1, 0, hash));
    expect(only(out, 'scheduleTimeout').map((t) => t.step)).toEqual(['prevote']); // line 35
    expect(only(out, 'signVote')).toEqual([
      {
        kind: 'signVote',
        type: 'precommit',
        height: 1,
        round: 0,
        blockHash: hash,
        lockProof: { block: a, prevotes: expect.any(Array) },
      },
    ]);
    expect([h.machine.lockedRound, h.machine.lockedHash, h.machine.validRound]).toEqual([0, hash, 0]);

    h.signOwn(out);
    h.vote(vote(1, 'precommit', 1, 0, hash));
    out = h.vote(vote(3, 'precommit', 1, 0, hash));
    const [decision] = only(out, 'commit');
    expect(decision?.block).toBe(a);
    expect(decision?.commit).toMatchObject({ height: 1, round: 0, blockHash: hash });
    expect(decision?.commit.signatures.map((s) => s.validator)).toEqual([validators[0], validators[1], validators[3]]);
    expect(() => verifyCommit(decision!.commit, hash, 1, validators, CHAIN_ID, verify)).not.toThrow();
    expect(h.machine.step).toBe('commit');
    expect(h.vote(vote(2, 'precommit', 1, 0, hash))).toEqual([]); // decided: nothing more to do
  });

  it('the proposer asks for a block, then signs it with polRound -1 (lines 14-19)', () => {
    const h = new Harness(proposerIndex(1, 0));
    expect(only(h.start(), 'buildProposal')).toEqual([{ kind: 'buildProposal', height: 1, round: 0 }]);
    const a = block(1, 'A');
    expect(h.handle({ kind: 'proposalBuilt', height: 1, round: 1, block: a })).toEqual([]); // stale answer
    const out = h.handle({ kind: 'proposalBuilt', height: 1, round: 0, block: a });
    expect(only(out, 'signProposal')).toEqual([
      { kind: 'signProposal', height: 1, round: 0, polRound: -1, block: a, blockHash: hashOf(a) },
    ]);
  });

  it('adds the heartbeat to the round-0 propose timeout and delta per round (line 21) [REQ-CONS.5]', () => {
    const h = new ConsensusStateMachine({
      chainId: CHAIN_ID,
      self: validators[0]!,
      verify,
      timeouts: { heartbeatMs: 700, deltaMs: 100 },
    });
    const [round0] = only(h.handle({ kind: 'startHeight', height: 1, validators }), 'scheduleTimeout');
    expect(round0?.durationMs).toBe(3700);
    const [round2] = only(h.handle({ kind: 'startHeight', height: 2, validators, round: 2 }), 'scheduleTimeout');
    expect(round2?.durationMs).toBe(3200);
  });
});

describe('consensus state machine: timeouts and nil votes [REQ-CONS.1]', () => {
  it('prevotes nil when the propose timeout fires (lines 57-60)', () => {
    const h = new Harness(0);
    h.start();
    expect(h.handle({ kind: 'timeout', height: 1, round: 1, step: 'propose' })).toEqual([]); // another round
    const out = h.handle({ kind: 'timeout', height: 1, round: 0, step: 'propose' });
    expect(only(out, 'signVote')).toEqual([
      { kind: 'signVote', type: 'prevote', height: 1, round: 0, blockHash: null },
    ]);
    expect(h.machine.step).toBe('prevote');
  });

  it('prevotes nil for an invalid block (line 26)', () => {
    const h = new Harness(0);
    h.start();
    const bad = block(1, 'bad');
    h.propose(proposal(proposerIndex(1, 0), bad, 0));
    expect(only(h.valid(bad, false), 'signVote')).toEqual([
      { kind: 'signVote', type: 'prevote', height: 1, round: 0, blockHash: null },
    ]);
  });

  it('prevotes nil for a valid but untimely block, yet commits it when a quorum precommits it', () => {
    const h = new Harness(0);
    h.start();
    const a = block(1, 'A');
    h.propose(proposal(proposerIndex(1, 0), a, 0));
    const out = h.handle({
      kind: 'blockValidity',
      height: 1,
      blockHash: hashOf(a),
      valid: true,
      timely: false,
      reason: 'ahead of the local clock',
    });
    expect(only(out, 'signVote')).toEqual([
      { kind: 'signVote', type: 'prevote', height: 1, round: 0, blockHash: null },
    ]);
    for (const i of [1, 2, 3]) h.vote(vote(i, 'precommit', 1, 0, hashOf(a)));
    expect(only(h.log, 'commit')[0]?.block).toBe(a);
  });

  it('precommits nil on 2f + 1 nil prevotes without changing its lock (lines 44-46)', () => {
    const h = new Harness(0);
    h.start();
    h.signOwn(h.handle({ kind: 'timeout', height: 1, round: 0, step: 'propose' }));
    h.vote(vote(1, 'prevote', 1, 0, null));
    const out = h.vote(vote(2, 'prevote', 1, 0, null));
    expect(only(out, 'signVote')).toEqual([
      { kind: 'signVote', type: 'precommit', height: 1, round: 0, blockHash: null },
    ]);
    expect(h.machine.lockedRound).toBe(-1);
  });

  it('precommits nil when the prevote timeout fires on mixed prevotes (lines 34-35, 61-64)', () => {
    const h = new Harness(0);
    h.start();
    const a = block(1, 'A');
    h.propose(proposal(proposerIndex(1, 0), a, 0));
    h.signOwn(h.valid(a));
    h.vote(vote(1, 'prevote', 1, 0, null));
    const out = h.vote(vote(2, 'prevote', 1, 0, hashOf(block(1, 'B'))));
    expect(only(out, 'scheduleTimeout')).toEqual([
      { kind: 'scheduleTimeout', height: 1, round: 0, step: 'prevote', durationMs: 1000 },
    ]);
    expect(only(h.handle({ kind: 'timeout', height: 1, round: 0, step: 'prevote' }), 'signVote')).toEqual([
      { kind: 'signVote', type: 'precommit', height: 1, round: 0, blockHash: null },
    ]);
  });

  it('starts the next round when the precommit timeout fires after 2f + 1 precommits (lines 47-48, 65-67)', () => {
    const h = new Harness(0);
    h.start();
    h.vote(vote(1, 'precommit', 1, 0, null));
    h.vote(vote(2, 'precommit', 1, 0, null));
    const out = h.vote(vote(3, 'precommit', 1, 0, hashOf(block(1, 'A'))));
    expect(only(out, 'scheduleTimeout')).toEqual([
      { kind: 'scheduleTimeout', height: 1, round: 0, step: 'precommit', durationMs: 1000 },
    ]);
    const next = h.handle({ kind: 'timeout', height: 1, round: 0, step: 'precommit' });
    expect(only(next, 'roundStarted')).toEqual([{ kind: 'roundStarted', height: 1, round: 1 }]);
    expect(only(next, 'scheduleTimeout')).toEqual([
      { kind: 'scheduleTimeout', height: 1, round: 1, step: 'propose', durationMs: 3500 },
    ]);
  });
});

describe('consensus state machine: locks [REQ-CONS.1]', () => {
  it('a locked validator prevotes nil for another block without a proof-of-lock (line 23)', () => {
    const a = block(1, 'A');
    const h = lockedOn(0, a);
    timeOutRound(h, 0);
    const b = block(1, 'B');
    h.propose(proposal(proposerIndex(1, 1), b, 1));
    expect(only(h.valid(b), 'signVote')).toEqual([
      { kind: 'signVote', type: 'prevote', height: 1, round: 1, blockHash: null },
    ]);
    expect([h.machine.lockedRound, h.machine.lockedHash]).toEqual([0, hashOf(a)]);
  });

  it('keeps its lock across rounds and prevotes its locked block again (line 23: lockedValue = v)', () => {
    const a = block(1, 'A');
    const h = lockedOn(0, a);
    timeOutRound(h, 0);
    h.signOwn(h.handle({ kind: 'timeout', height: 1, round: 1, step: 'propose' }));
    timeOutRound(h, 1);
    const out = h.propose(proposal(proposerIndex(1, 2), a, 2));
    expect(only(out, 'signVote')).toEqual([
      { kind: 'signVote', type: 'prevote', height: 1, round: 2, blockHash: hashOf(a) },
    ]);
  });

  it('unlocks for a block with a proof-of-lock from a round at or after its lock (lines 28-30)', () => {
    const a = block(1, 'A');
    const b = block(1, 'B');
    const h = lockedOn(0, a);
    timeOutRound(h, 0);
    // Round 1: B's proposal never reaches us, but the others prevote B: a proof-of-lock for B at round 1.
    h.signOwn(h.handle({ kind: 'timeout', height: 1, round: 1, step: 'propose' }));
    for (const i of [1, 2, 3]) h.vote(vote(i, 'prevote', 1, 1, hashOf(b)));
    h.signOwn(h.handle({ kind: 'timeout', height: 1, round: 1, step: 'prevote' }));
    timeOutRound(h, 1);
    // Round 2: B is re-proposed with polRound 1 >= lockedRound 0.
    h.propose(proposal(proposerIndex(1, 2), b, 2, 1));
    expect(only(h.valid(b), 'signVote')).toEqual([
      { kind: 'signVote', type: 'prevote', height: 1, round: 2, blockHash: hashOf(b) },
    ]);
  });

  it('waits for the proof-of-lock a re-proposal names, then prevotes nil on timeout (line 28)', () => {
    const h = new Harness(0);
    h.start();
    h.signOwn(h.handle({ kind: 'timeout', height: 1, round: 0, step: 'propose' }));
    h.vote(vote(1, 'prevote', 1, 0, null));
    h.signOwn(h.vote(vote(2, 'prevote', 1, 0, null))); // precommit nil (line 44)
    timeOutRound(h, 0);
    const b = block(1, 'B');
    expect(only(h.propose(proposal(proposerIndex(1, 1), b, 1, 0)), 'signVote')).toEqual([]);
    expect(only(h.valid(b), 'signVote')).toEqual([]); // no 2f + 1 prevotes for B at round 0
    expect(only(h.handle({ kind: 'timeout', height: 1, round: 1, step: 'propose' }), 'signVote')).toEqual([
      { kind: 'signVote', type: 'prevote', height: 1, round: 1, blockHash: null },
    ]);
  });

  it('re-proposes its valid value with validRound as polRound when it proposes again (lines 15-16, 19)', () => {
    const a = block(1, 'A');
    const h = lockedOn(0, a);
    expect(proposerIndex(1, 3)).toBe(0);
    h.vote(vote(1, 'prevote', 1, 3, null));
    const out = h.vote(vote(2, 'prevote', 1, 3, null)); // f + 1 of round 3: line 55
    expect(only(out, 'roundStarted')).toEqual([{ kind: 'roundStarted', height: 1, round: 3 }]);
    expect(only(out, 'buildProposal')).toEqual([]);
    expect(only(out, 'signProposal')).toEqual([
      { kind: 'signProposal', height: 1, round: 3, polRound: 0, block: a, blockHash: hashOf(a) },
    ]);
  });

  it('restores a persisted lock at restart and refuses other blocks (lines 23, 38-39) [REQ-CONS.3]', () => {
    const a = block(1, 'A');
    const b = block(1, 'B');
    const h = new Harness(0);
    expect(only(h.start(1, { round: 1, lock: { round: 0, blockHash: hashOf(a) } }), 'roundStarted')).toEqual([
      { kind: 'roundStarted', height: 1, round: 1 },
    ]);
    h.propose(proposal(proposerIndex(1, 1), b, 1));
    expect(only(h.valid(b), 'signVote')).toEqual([
      { kind: 'signVote', type: 'prevote', height: 1, round: 1, blockHash: null },
    ]);
  });

  it('hands the signer the locked block and its proof-of-lock with the locking precommit (lines 36-39) [REQ-CONS.2]', () => {
    const a = block(1, 'A');
    const h = new Harness(0);
    h.start();
    h.propose(proposal(proposerIndex(1, 0), a, 0));
    h.signOwn(h.valid(a));
    h.vote(vote(1, 'prevote', 1, 0, hashOf(a)));
    const [precommit] = only(h.vote(vote(2, 'prevote', 1, 0, hashOf(a))), 'signVote');
    expect(precommit).toMatchObject({ type: 'precommit', round: 0, blockHash: hashOf(a), lockProof: { block: a } });
    expect(precommit!.lockProof!.prevotes.map((v) => [v.validator, v.round, v.blockHash]).sort()).toEqual(
      [0, 1, 2].map((i) => [validators[i], 0, hashOf(a)]).sort(),
    );
  });

  it('restores the locked block and its proof-of-lock at restart: re-proposes it with polRound and re-sends the proof (lines 15-16, 28) [REQ-CONS.3]', () => {
    const a = block(1, 'A');
    const prevotes = [0, 1, 2].map((i) => vote(i, 'prevote', 1, 0, hashOf(a)));
    const h = new Harness(0);
    h.start(1, { round: 0, step: 'precommit', lock: { round: 0, blockHash: hashOf(a), block: a, prevotes } });
    expect([h.machine.lockedRound, h.machine.lockedHash, h.machine.validRound]).toEqual([0, hashOf(a), 0]);
    const gossip = only(h.handle({ kind: 'tick' }), 'broadcast').map((o) => o.message);
    for (const v of prevotes) expect(gossip).toContainEqual(v);
    h.vote(vote(1, 'prevote', 1, 3, null));
    const out = h.vote(vote(2, 'prevote', 1, 3, null)); // f + 1 of round 3, which validator 0 proposes
    expect(only(out, 'buildProposal')).toEqual([]);
    expect(only(out, 'signProposal')).toEqual([
      { kind: 'signProposal', height: 1, round: 3, polRound: 0, block: a, blockHash: hashOf(a) },
    ]);
    // A validator that never saw round 0 accepts the re-proposal once it holds the re-sent proof.
    const other = new Harness(3);
    other.start(1, { round: 3 });
    for (const v of prevotes) other.vote(v);
    other.propose(proposal(proposerIndex(1, 3), a, 3, 0));
    expect(only(other.valid(a), 'signVote')).toEqual([
      { kind: 'signVote', type: 'prevote', height: 1, round: 3, blockHash: hashOf(a) },
    ]);
  });

  it('ignores a restored block that is not the locked one, keeping the lock by hash', () => {
    const a = block(1, 'A');
    const b = block(1, 'B');
    const h = new Harness(0);
    h.start(1, { round: 1, lock: { round: 0, blockHash: hashOf(a), block: b, prevotes: [] } });
    expect([h.machine.lockedHash, h.machine.validRound]).toEqual([hashOf(a), -1]);
  });
});

describe('consensus state machine: rounds ahead, heights ahead', () => {
  it('skips to a higher round on f + 1 messages of it, not on f (line 55) [REQ-CONS.1]', () => {
    const h = new Harness(0);
    h.start();
    expect(only(h.vote(vote(1, 'prevote', 1, 2, null)), 'roundStarted')).toEqual([]);
    expect(only(h.vote(vote(2, 'precommit', 1, 2, null)), 'roundStarted')).toEqual([
      { kind: 'roundStarted', height: 1, round: 2 },
    ]);
    expect(h.machine.step).toBe('propose');
  });

  it(`keeps at most ${FUTURE_ROUNDS_PER_VALIDATOR_MAX} future rounds per validator, the highest`, () => {
    const h = new Harness(0);
    h.start();
    for (const round of [5, 6, 7]) h.vote(vote(1, 'prevote', 1, round, null));
    expect(only(h.vote(vote(2, 'prevote', 1, 5, null)), 'roundStarted')).toEqual([]); // validator 1's round 5 was evicted
    expect(only(h.vote(vote(2, 'prevote', 1, 7, null)), 'roundStarted')).toEqual([
      { kind: 'roundStarted', height: 1, round: 7 },
    ]);
  });

  it('holds next-height messages and replays them when that height starts', () => {
    const h = new Harness(0);
    h.start(1);
    const next = block(2, 'next');
    expect(h.propose(proposal(proposerIndex(2, 0), next, 0))).toEqual([]);
    const out = h.start(2);
    expect(only(out, 'validateBlock')).toEqual([
      { kind: 'validateBlock', height: 2, round: 0, block: next, blockHash: hashOf(next) },
    ]);
  });

  it('asks for sync when validators with more than 1/3 of the votes are past its height', () => {
    const h = new Harness(0);
    h.start(1);
    expect(only(h.vote(vote(1, 'prevote', 3, 0, null)), 'requestSync')).toEqual([]);
    expect(only(h.vote(vote(2, 'prevote', 2, 0, null)), 'requestSync')).toEqual([{ kind: 'requestSync', height: 1 }]);
    expect(only(h.handle({ kind: 'tick' }), 'requestSync')).toEqual([{ kind: 'requestSync', height: 1 }]);
  });
});

describe('consensus state machine: admission of messages', () => {
  it('rejects votes of non-validators and forged signatures, and ignores duplicates', () => {
    const h = new Harness(0);
    h.start();
    const stranger = signVoteMessage(outsider.secretKey, CHAIN_ID, 'prevote', 1, 0, null);
    expect(only(h.vote(stranger), 'rejected')).toHaveLength(1);
    const forged = { ...vote(1, 'prevote', 1, 0, null), signature: vote(2, 'prevote', 1, 0, null).signature };
    expect(only(h.vote(forged), 'rejected')[0]?.reason).toMatch(/signature/);
    const real = vote(1, 'prevote', 1, 0, null);
    h.vote(real);
    expect(h.vote(real)).toEqual([]);
  });

  it('rejects a proposal from a key that is not the round proposer, or with polRound >= round [REQ-CONS.1]', () => {
    const h = new Harness(0);
    h.start();
    const a = block(1, 'A');
    expect(only(h.propose(proposal(2, a, 0)), 'rejected')[0]?.reason).toMatch(/not the proposer/);
    expect(only(h.propose(proposal(proposerIndex(1, 0), a, 0, 0)), 'rejected')[0]?.reason).toMatch(/polRound/);
  });

  it('reports an equivocating validator once [REQ-CONS.4]', () => {
    const h = new Harness(0);
    h.start();
    const first = vote(2, 'prevote', 1, 0, hashOf(block(1, 'A')));
    const second = vote(2, 'prevote', 1, 0, null);
    h.vote(first);
    const [evidence] = only(h.vote(second), 'evidence');
    expect(evidence?.evidence.kind).toBe('duplicate-vote');
    expect(new Set([evidence?.evidence.voteA, evidence?.evidence.voteB])).toEqual(new Set([first, second]));
    expect(only(h.vote(vote(2, 'prevote', 1, 0, hashOf(block(1, 'C')))), 'evidence')).toEqual([]);
  });

  it('counts an equivocator toward each value it voted for, as Algorithm 1 counts messages (line 36)', () => {
    const h = new Harness(0);
    h.start();
    const a = block(1, 'A');
    h.propose(proposal(proposerIndex(1, 0), a, 0));
    h.signOwn(h.valid(a));
    h.vote(vote(2, 'prevote', 1, 0, null)); // validator 2 shows us nil first...
    h.vote(vote(2, 'prevote', 1, 0, hashOf(a))); // ...and A to someone who relays it
    const out = h.vote(vote(1, 'prevote', 1, 0, hashOf(a)));
    expect(only(out, 'signVote')).toEqual([
      {
        kind: 'signVote',
        type: 'precommit',
        height: 1,
        round: 0,
        blockHash: hashOf(a),
        lockProof: { block: a, prevotes: expect.any(Array) },
      },
    ]);
  });

  it('does not count a second vote for a block nobody proposed', () => {
    const h = new Harness(0);
    h.start();
    h.vote(vote(2, 'prevote', 1, 0, null));
    h.vote(vote(2, 'prevote', 1, 0, hashOf(block(1, 'ghost'))));
    h.vote(vote(1, 'prevote', 1, 0, hashOf(block(1, 'ghost'))));
    h.vote(vote(3, 'prevote', 1, 0, hashOf(block(1, 'ghost'))));
    h.propose(proposal(proposerIndex(1, 0), block(1, 'ghost'), 0));
    h.handle({ kind: 'timeout', height: 1, round: 0, step: 'propose' }); // prevote nil
    expect(only(h.valid(block(1, 'ghost')), 'signVote')).toEqual([]); // 2 of 3 prevotes for it: no lock
    expect(h.machine.lockedRound).toBe(-1);
  });

  it('lets an observer follow to the commit without ever signing', () => {
    const h = new Harness(null);
    h.start();
    const a = block(1, 'A');
    h.propose(proposal(proposerIndex(1, 0), a, 0));
    h.valid(a);
    for (const i of [1, 2, 3]) h.vote(vote(i, 'prevote', 1, 0, hashOf(a)));
    for (const i of [1, 2, 3]) h.vote(vote(i, 'precommit', 1, 0, hashOf(a)));
    expect(only(h.log, 'commit')).toHaveLength(1);
    expect(only(h.log, 'signVote')).toEqual([]);
    expect(only(h.log, 'signProposal')).toEqual([]);
  });

  it('halts loudly when 2f + 1 validators precommit a block it finds invalid', () => {
    const h = new Harness(0);
    h.start();
    const a = block(1, 'A');
    h.propose(proposal(proposerIndex(1, 0), a, 0));
    for (const i of [1, 2, 3]) h.vote(vote(i, 'precommit', 1, 0, hashOf(a)));
    expect(() => h.valid(a, false)).toThrow(ConsensusHaltError);
  });

  it('refuses to start a height that is not ahead of the current one', () => {
    const h = new Harness(0);
    h.start(3);
    expect(() => h.start(3)).toThrow(ConsensusHaltError);
  });
});

describe('consensus state machine: gossip on tick and restarts', () => {
  it('re-sends its own messages of the round on each tick while it makes progress', () => {
    const h = new Harness(0);
    h.start();
    const own = vote(0, 'prevote', 1, 0, null);
    h.signOwn(h.handle({ kind: 'timeout', height: 1, round: 0, step: 'propose' }));
    expect(only(h.handle({ kind: 'tick' }), 'broadcast').map((b) => b.message)).toEqual([own]);
  });

  it('relays every vote of the round when it made no progress since the last tick', () => {
    const h = new Harness(0);
    h.start();
    const a = block(1, 'A');
    h.propose(proposal(proposerIndex(1, 0), a, 0));
    h.signOwn(h.valid(a));
    h.vote(vote(1, 'prevote', 1, 0, hashOf(a)));
    h.handle({ kind: 'tick' });
    const relayed = only(h.handle({ kind: 'tick' }), 'broadcast').map((b) => b.message);
    expect(relayed).toEqual([vote(0, 'prevote', 1, 0, hashOf(a)), vote(1, 'prevote', 1, 0, hashOf(a))]);
  });

  it('re-sends its last commit when a validator still sends messages of that height', () => {
    const h = new Harness(0);
    h.start();
    const a = block(1, 'A');
    h.propose(proposal(proposerIndex(1, 0), a, 0));
    h.valid(a);
    const precommits = [1, 2, 3].map((i) => vote(i, 'precommit', 1, 0, hashOf(a)));
    for (const v of precommits) h.vote(v);
    expect(only(h.log, 'commit')).toHaveLength(1);
    h.start(2);
    expect(only(h.handle({ kind: 'tick' }), 'broadcast')).toEqual([]);
    h.vote(vote(3, 'prevote', 1, 1, null)); // validator 3 is still at height 1
    expect(only(h.handle({ kind: 'tick' }), 'broadcast').map((b) => b.message)).toEqual(precommits);
  });

  it('takes no precommit of its last decision for a peer behind: a re-sent commit would echo for ever (decision #53)', () => {
    const h = new Harness(0);
    h.start();
    const a = block(1, 'A');
    h.propose(proposal(proposerIndex(1, 0), a, 0));
    h.valid(a);
    const precommits = [1, 2, 3].map((i) => vote(i, 'precommit', 1, 0, hashOf(a)));
    for (const v of precommits) h.vote(v);
    h.start(2);
    // Another node re-sends the certificate of height 1: its precommits say nothing of who is behind.
    h.vote(vote(2, 'precommit', 1, 0, hashOf(a)));
    expect(only(h.handle({ kind: 'tick' }), 'broadcast')).toEqual([]);
    h.vote(vote(3, 'prevote', 1, 1, null)); // validator 3 really is still at height 1
    expect(only(h.handle({ kind: 'tick' }), 'broadcast').map((b) => b.message)).toEqual(precommits);
  });

  it('an observer re-sends nothing, stalled or not: a full node publishes no consensus message (decision #53)', () => {
    const h = new Harness(null);
    h.start();
    const a = block(1, 'A');
    h.propose(proposal(proposerIndex(1, 0), a, 0));
    h.valid(a);
    h.vote(vote(1, 'prevote', 1, 0, hashOf(a)));
    expect(only(h.handle({ kind: 'tick' }), 'broadcast')).toEqual([]);
    expect(only(h.handle({ kind: 'tick' }), 'broadcast')).toEqual([]);
    const precommits = [1, 2, 3].map((i) => vote(i, 'precommit', 1, 0, hashOf(a)));
    for (const v of precommits) h.vote(v);
    h.start(2);
    h.vote(vote(3, 'prevote', 1, 1, null));
    expect(only(h.handle({ kind: 'tick' }), 'broadcast')).toEqual([]);
  });

  it('after a restart, re-sends the stored commit certificate of the previous height to a validator still on it', () => {
    const a = block(1, 'A');
    const precommits = [0, 1, 3].map((i) => vote(i, 'precommit', 1, 0, hashOf(a)));
    const lastCommit = {
      height: 1,
      round: 0,
      blockHash: hashOf(a),
      signatures: precommits.map((v) => ({ validator: v.validator, signature: v.signature })),
    };
    const h = new Harness(0);
    h.start(2, { lastCommit });
    h.vote(vote(2, 'precommit', 1, 0, null)); // validator 2 still works on height 1
    expect(only(h.handle({ kind: 'tick' }), 'broadcast').map((b) => b.message)).toEqual(precommits);
  });

  it('resumes a round at the step it had signed before a restart, asking for no signature twice [REQ-CONS.2] [REQ-CONS.3]', () => {
    const h = new Harness(proposerIndex(1, 2));
    const out = h.start(1, { round: 2, step: 'precommit' });
    expect(only(out, 'buildProposal')).toEqual([]);
    expect(h.machine.step).toBe('precommit');
    expect(h.handle({ kind: 'timeout', height: 1, round: 2, step: 'propose' })).toEqual([]);
    expect(h.handle({ kind: 'timeout', height: 1, round: 2, step: 'prevote' })).toEqual([]);
    expect(only(h.handle({ kind: 'timeout', height: 1, round: 2, step: 'precommit' }), 'roundStarted')).toEqual([
      { kind: 'roundStarted', height: 1, round: 3 },
    ]);
  });
});
