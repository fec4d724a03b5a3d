// Deterministic simulation of the consensus (DESIGN §8): N validators in one process on
// virtual time, a seeded fault-injecting network, crashes and byzantine validators. Each seed
// checks after every event that honest nodes agree, never double-sign, and keep a certified
// hash chain, and that they commit again within a bounded number of rounds once the network
// heals. A failure names its seed and the command that replays it.
//   SIM_SEEDS=1000 SIM_FIRST_SEED=5000 npx vitest run test/sim   (a wider sweep)
import { afterAll, describe, expect, it } from 'vitest';
import type { ConsensusMessage } from '../../shared/chain/messages.js';
import { verifyVote } from '../../shared/chain/messages.js';
import { verify } from '../../shared/crypto/index.js';
import { blockHash } from '../../shared/ledger/block.js';
import { proposerOf } from '../../electron/node/consensus/index.js';
import { simValidatorKey } from './fixtures.js';
import { randomConfig, replayCommand, type SimConfig } from './scenario.js';
import { runSimulation, type SimResult } from './simulation.js';
import { summarize } from './summary.js';

const SEEDS = Number(process.env.SIM_SEEDS ?? 200);
const FIRST_SEED = Number(process.env.SIM_FIRST_SEED ?? 0);

/** A run without random faults: only what a scenario adds. */
function quiet(seed: number, changes: Partial<SimConfig>): SimConfig {
  const network = {
    dropRate: 0,
    precommitDropRate: 0,
    precommitDelayMaxMs: 0,
    duplicateRate: 0,
    delayMinMs: 10,
    delayMaxMs: 30,
  };
  return {
    seed,
    validators: 4,
    observers: 0,
    heights: 4,
    heightsAfterHeal: 2,
    heartbeatMs: 0,
    faultWindowMs: 1_000,
    network,
    healedNetwork: network,
    partitions: [],
    crashes: [],
    byzantine: [],
    transactions: [],
    ...changes,
  };
}

function scenarioReplay(name: string): string {
  return `npx vitest run test/sim/sim.test.ts -t "${name}"`;
}

/** Validator keys in set order (sorted), and the node running each. */
function validatorSet(count: number) {
  const keys = Array.from({ length: count }, (_, node) => simValidatorKey(node).publicKey);
  const sorted = [...keys].sort();
  return { sorted, nodeOf: (key: string) => keys.indexOf(key) };
}

describe(`consensus simulation: ${SEEDS} random seeds from ${FIRST_SEED} [REQ-CONS.1]`, () => {
  const results: SimResult[] = [];
  const started = performance.now();
  afterAll(() => {
    if (results.length > 0) console.log(summarize(results, SEEDS - results.length, performance.now() - started));
  });

  it.each(Array.from({ length: SEEDS }, (_, i) => FIRST_SEED + i))(
    'seed %i: safe after every step, live after the heal',
    async (seed) => {
      results.push(await runSimulation(randomConfig(seed), replayCommand(seed)));
    },
  );
});

describe('consensus simulation: targeted scenarios', () => {
  it('replays a seed exactly: same events, same decisions, same faults', async () => {
    const config = randomConfig(7);
    const first = await runSimulation(config, replayCommand(7));
    const second = await runSimulation(randomConfig(7), replayCommand(7));
    expect(second).toEqual(first);
    expect(first.steps).toBeGreaterThan(100);
  });

  it('skips a silent proposer by changing round [REQ-CONS.1]', async () => {
    const { sorted, nodeOf } = validatorSet(4);
    const silent = sorted[1]!; // proposer(1, 0)
    const name = 'skips a silent proposer by changing round';
    const result = await runSimulation(
      quiet(1, { byzantine: [{ node: nodeOf(silent), behavior: 'silent' }], heights: 6 }),
      scenarioReplay(name),
    );
    expect(result.decided.length).toBeGreaterThanOrEqual(6);
    for (const { height, round } of result.decided) {
      if (proposerOf(sorted, height, 0) === silent) expect(round, `height ${height}`).toBeGreaterThan(0);
    }
    expect(result.decided[0]!.round).toBe(1);
  });

  it('keeps a locked value across rounds and decides it later [REQ-CONS.1]', async () => {
    // Validators S0..S3 in set order. Round 0 of height 1: S1 proposes v; S3 never gets the
    // proposal (prevotes nil); S2 misses S0's prevote. So S0 and S1 see 2f + 1 prevotes for v and
    // lock on it, S2 and S3 do not, and round 0 ends with two precommits for v. In rounds 1 and 2,
    // S2 and S3 propose new blocks; S0 and S1 must prevote nil (Algorithm 1 line 23). In round 3,
    // S0 re-proposes v with polRound 0, and v is decided.
    const { sorted, nodeOf } = validatorSet(4);
    const node = (index: number) => nodeOf(sorted[index]!);
    const proposals = new Map<number, string>();
    const prevotes = new Map<string, string | null>();
    const name = 'keeps a locked value across rounds and decides it later';
    const result = await runSimulation(
      quiet(2, {
        heights: 2,
        script: {
          // Until every validator has left round 0 (relays included: matched by signer, not sender).
          dropIf: (_from, to, message, elapsedMs) =>
            elapsedMs < 7_000 &&
            message.height === 1 &&
            message.round === 0 &&
            ((message.kind === 'proposal' && to === node(3)) ||
              (message.kind === 'vote' &&
                message.type === 'prevote' &&
                message.validator === sorted[0] &&
                to === node(2))),
          onWire: (_from, message: ConsensusMessage) => {
            if (message.height !== 1) return;
            if (message.kind === 'proposal' && !proposals.has(message.round))
              proposals.set(message.round, blockHash(message.block.header));
            if (message.kind === 'vote' && message.type === 'prevote')
              prevotes.set(`${message.validator}/${message.round}`, message.blockHash);
          },
        },
      }),
      scenarioReplay(name),
    );
    const locked = proposals.get(0)!;
    expect(proposals.get(1)).not.toBe(locked);
    expect(prevotes.get(`${sorted[0]}/1`)).toBeNull();
    expect(prevotes.get(`${sorted[1]}/1`)).toBeNull();
    expect(result.decided[0]).toMatchObject({ height: 1, blockHash: locked });
    expect(result.decided[0]!.round).toBeGreaterThanOrEqual(3);
  });

  it('reports an equivocating validator with verifiable evidence, and stays safe [REQ-CONS.4]', async () => {
    const byzantine = 2;
    const name = 'reports an equivocating validator with verifiable evidence, and stays safe';
    const result = await runSimulation(
      quiet(3, { byzantine: [{ node: byzantine, behavior: 'equivocate' }], heights: 5 }),
      scenarioReplay(name),
    );
    expect(result.evidence.length).toBeGreaterThan(0);
    for (const { voteA, voteB } of result.evidence) {
      expect(voteA.validator).toBe(simValidatorKey(byzantine).publicKey);
      expect([voteB.validator, voteB.height, voteB.round, voteB.type]).toEqual([
        voteA.validator,
        voteA.height,
        voteA.round,
        voteA.type,
      ]);
      expect(voteA.blockHash).not.toBe(voteB.blockHash);
      expect(verifyVote(voteA, 'notary-sim', verify) && verifyVote(voteB, 'notary-sim', verify)).toBe(true);
    }
  });

  it('a crashed validator restarts, syncs the blocks it missed and votes again', async () => {
    const name = 'a crashed validator restarts, syncs the blocks it missed and votes again';
    const crashed = simValidatorKey(1).publicKey;
    let lastVoteHeight = 0;
    const result = await runSimulation(
      quiet(4, {
        observers: 1,
        faultWindowMs: 11_000,
        crashes: [{ node: 1, atMs: 500, downMs: 10_000 }],
        script: {
          onWire: (_from, message) =>
            void (
              message.kind === 'vote' &&
              message.validator === crashed &&
              (lastVoteHeight = Math.max(lastVoteHeight, message.height))
            ),
        },
      }),
      scenarioReplay(name),
    );
    expect(result.faults.crashes).toBe(1);
    const heightAtRestart = result.faults.syncedBlocks;
    expect(heightAtRestart).toBeGreaterThan(5); // the others went on without it (3 of 4 are a quorum)
    expect(lastVoteHeight).toBeGreaterThan(heightAtRestart); // then it voted on new heights
    expect(result.heightsCommitted).toBeGreaterThanOrEqual(heightAtRestart + 2);
  });

  it('a locked validator crashes and restarts and the height still commits [REQ-CONS.3]', async () => {
    // Validators S0..S3 in set order; S2 is byzantine (its proposals do not execute, it votes
    // honestly). Round 0 of height 1: S1 proposes v; S3 never gets the proposal (prevotes nil);
    // S0 and S3 never get S1's prevote. So S1 and S2 see 2f + 1 prevotes for v and lock on it,
    // S0 and S3 do not, and S1 crashes right after its precommit. Once restarted, S1 must recover
    // the block v and its proof-of-lock (not only v's hash): with the two locks, no new block can
    // gather 2f + 1 prevotes, so only S1 re-proposing v with polRound 0 (round 4) and re-sending
    // the round-0 prevotes lets S0 and S3 prevote v (Algorithm 1 line 28) and the height commit.
    const { sorted, nodeOf } = validatorSet(4);
    const node = (index: number) => nodeOf(sorted[index]!);
    const proposals = new Map<number, { blockHash: string; polRound: number }>();
    const name = 'a locked validator crashes and restarts and the height still commits';
    const result = await runSimulation(
      quiet(6, {
        heights: 2,
        faultWindowMs: 8_000,
        crashes: [{ node: node(1), atMs: 1_500, downMs: 1_000 }],
        byzantine: [{ node: node(2), behavior: 'invalid-proposal' }],
        script: {
          // Until every validator has left round 0 (relays included: matched by signer, not sender).
          dropIf: (_from, to, message, elapsedMs) =>
            elapsedMs < 8_000 &&
            message.height === 1 &&
            message.round === 0 &&
            ((message.kind === 'proposal' && to === node(3)) ||
              (message.kind === 'vote' &&
                message.type === 'prevote' &&
                message.validator === sorted[1] &&
                (to === node(0) || to === node(3)))),
          onWire: (_from, message: ConsensusMessage) => {
            if (message.height === 1 && message.kind === 'proposal' && !proposals.has(message.round)) {
              proposals.set(message.round, { blockHash: blockHash(message.block.header), polRound: message.polRound });
            }
          },
        },
      }),
      scenarioReplay(name),
    );
    expect(result.faults.crashes).toBe(1);
    const locked = proposals.get(0)!.blockHash;
    const reproposal = [...proposals].find(([round]) => round > 0 && proposerOf(sorted, 1, round) === sorted[1]);
    expect(reproposal?.[1]).toEqual({ blockHash: locked, polRound: 0 });
    expect(result.decided[0]).toMatchObject({ height: 1, blockHash: locked, round: reproposal![0] });
  });

  it('refuses blocks that do not execute, proposed by a byzantine validator', async () => {
    const { sorted, nodeOf } = validatorSet(4);
    const name = 'refuses blocks that do not execute, proposed by a byzantine validator';
    const result = await runSimulation(
      quiet(5, { byzantine: [{ node: nodeOf(sorted[1]!), behavior: 'invalid-proposal' }], heights: 5 }),
      scenarioReplay(name),
    );
    expect(result.faults.byzantine.invalidProposals).toBeGreaterThan(0);
    expect(result.decided[0]!.round).toBeGreaterThan(0); // its round-0 block at height 1 was refused
  });
});
