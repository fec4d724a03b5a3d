// A node knows when its clock is off (issue 19, "Clocks"; decision #66): the estimator on
// samples made up here, and the watch on proposals as the consensus topic hands them over.
import { describe, expect, it } from 'vitest';
import type { Proposal, Vote } from '../../shared/chain/index.js';
import type { Block } from '../../shared/ledger/index.js';
import {
  CLOCK_SAMPLES_MAX,
  CLOCK_SAMPLES_PER_PROPOSER_MAX,
  ClockOffsetEstimator,
  clockState,
  type ClockState,
} from '../../electron/node/consensus/clock-offset.js';
import { clockOffSentence, clockWatch, durationInWords } from '../../electron/node/consensus/clock-watch.js';
import { proposerOf } from '../../electron/node/consensus/thresholds.js';
import { offsetClock, type Clock } from '../../electron/node/lifecycle/clock.js';
import { testClockOffsetMs } from '../../electron/node/lifecycle/test-clock-offset.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { seededRandom } from '../support/prng.js';

const PROPOSERS = ['a1', 'b2', 'c3'];

/** Samples as a node whose clock is `offsetMs` from three correct proposers' would take them: 20-300 ms in flight. */
function feed(
  estimator: ClockOffsetEstimator,
  offsetMs: number,
  rounds: number,
  random: () => number,
  proposers = PROPOSERS,
  skewed: Record<string, number> = {},
): void {
  for (let i = 0; i < rounds; i++)
    for (const proposer of proposers) {
      const latencyMs = 20 + random() * 280;
      estimator.add({ proposer, sampleMs: (skewed[proposer] ?? 0) - offsetMs - latencyMs });
    }
}

/** The state after each sample, as the watch keeps it. */
function stateOf(estimator: ClockOffsetEstimator, previous: ClockState = 'unknown'): ClockState {
  return clockState(estimator.estimate(), previous);
}

describe('the clock offset estimator', () => {
  it('calls a clock in step with the network ok, off by no more than the propagation delay', () => {
    const estimator = new ClockOffsetEstimator();
    feed(estimator, 0, 10, seededRandom(1));
    const estimate = estimator.estimate();
    expect(stateOf(estimator)).toBe('ok');
    expect(estimate.proposers).toBe(3);
    expect(estimate.offsetMs).toBeGreaterThanOrEqual(0);
    expect(estimate.offsetMs).toBeLessThan(400);
  });

  it('finds a clock 30 s ahead: off, +30 s within a second', () => {
    const estimator = new ClockOffsetEstimator();
    feed(estimator, 30_000, 5, seededRandom(2));
    expect(stateOf(estimator)).toBe('off');
    expect(Math.abs(estimator.estimate().offsetMs! - 30_000)).toBeLessThan(1_000);
  });

  it('finds a clock 5 minutes behind: off, -300 s within a second', () => {
    const estimator = new ClockOffsetEstimator();
    feed(estimator, -300_000, 5, seededRandom(3));
    expect(stateOf(estimator)).toBe('off');
    expect(Math.abs(estimator.estimate().offsetMs! + 300_000)).toBeLessThan(1_000);
  });

  it('is not moved by one skewed proposer among four validators', () => {
    for (const skewMs of [30_000, -300_000, 3_600_000]) {
      // a correct validator hears the other three, one of them skewed
      const estimator = new ClockOffsetEstimator();
      feed(estimator, 0, 10, seededRandom(4), PROPOSERS, { c3: skewMs });
      expect(stateOf(estimator), String(skewMs)).toBe('ok');
      expect(Math.abs(estimator.estimate().offsetMs!)).toBeLessThan(400);
      // and while it has heard only two of them, the skewed one and a correct one
      const early = new ClockOffsetEstimator();
      feed(early, 0, 1, seededRandom(5), ['a1', 'c3'], { c3: skewMs });
      expect(stateOf(early), String(skewMs)).toBe('ok');
    }
  });

  it('follows a jump of this clock forward, then back', () => {
    const estimator = new ClockOffsetEstimator();
    const random = seededRandom(6);
    let state: ClockState = 'unknown';
    const step = (offsetMs: number) => {
      feed(estimator, offsetMs, 1, random);
      state = stateOf(estimator, state);
    };
    for (let i = 0; i < 5; i++) step(0);
    expect(state).toBe('ok');
    step(60_000);
    step(60_000);
    expect(state).toBe('off');
    expect(Math.abs(estimator.estimate().offsetMs! - 60_000)).toBeLessThan(1_000);
    step(0);
    step(0);
    expect(state).toBe('ok');
    expect(Math.abs(estimator.estimate().offsetMs!)).toBeLessThan(400);
  });

  it('keeps at most 31 samples, and 3 of one proposer', () => {
    const estimator = new ClockOffsetEstimator();
    for (let i = 0; i < 1_000; i++) estimator.add({ proposer: 'a1', sampleMs: -i });
    expect(estimator.estimate()).toEqual({ offsetMs: 998, samples: CLOCK_SAMPLES_PER_PROPOSER_MAX, proposers: 1 });
    for (let i = 0; i < 10_000; i++) estimator.add({ proposer: `p${i % 100}`, sampleMs: -100 });
    expect(estimator.estimate().samples).toBe(CLOCK_SAMPLES_MAX);
    expect(estimator.estimate().proposers).toBeLessThanOrEqual(CLOCK_SAMPLES_MAX);
  });

  it('says unknown before two proposers are heard', () => {
    const estimator = new ClockOffsetEstimator();
    expect(estimator.estimate()).toEqual({ offsetMs: null, samples: 0, proposers: 0 });
    expect(stateOf(estimator)).toBe('unknown');
    estimator.add({ proposer: 'a1', sampleMs: -30_000 });
    expect(stateOf(estimator)).toBe('unknown');
  });

  it('returns to ok only below 4 s, so an offset near 5 s does not flap', () => {
    const at = (offsetMs: number, previous: ClockState) => clockState({ offsetMs, samples: 6, proposers: 3 }, previous);
    expect(at(5_000, 'ok')).toBe('off');
    expect(at(-4_500, 'ok')).toBe('ok');
    expect(at(-4_500, 'off')).toBe('off');
    expect(at(3_900, 'off')).toBe('ok');
  });
});

const VALIDATORS = ['k1', 'k2', 'k3', 'k4'];
const PARENT = { height: 10, hash: 'ab'.repeat(32), header: { timeMs: 1_000_000 } };

/** A vote of our head's height: the node was there while it was decided. */
function vote(height = PARENT.height): Vote {
  return {
    kind: 'vote',
    type: 'precommit',
    height,
    round: 0,
    blockHash: PARENT.hash,
    validator: 'k1',
    signature: '00',
  };
}

function proposal(round: number, timeMs: number, overrides: Partial<Proposal> = {}): Proposal {
  const height = PARENT.height + 1;
  const proposer = overrides.proposer ?? proposerOf(VALIDATORS, height, round);
  const block = { header: { height, prevHash: PARENT.hash, timeMs, proposer }, txs: [] } as unknown as Block;
  return { kind: 'proposal', height, round, polRound: -1, block, proposer, signature: '00', ...overrides };
}

/** A watch on a clock `offset.ms` from the virtual one (the test moves it, as an operator setting the clock right). */
function watched(offset = { ms: 0 }) {
  const virtual = new VirtualClock(1_002_000);
  const clock: Clock = {
    now: () => virtual.now() + offset.ms,
    setTimer: (delayMs, callback) => virtual.setTimer(delayMs, callback),
    clearTimer: (id) => virtual.clearTimer(id),
  };
  const lines: Array<{ level: string; message: string }> = [];
  const log = {
    info: (_: object, message: string) => lines.push({ level: 'info', message }),
    warn: (_: object, message: string) => lines.push({ level: 'warn', message }),
  };
  const chain = { head: PARENT, getRecord: () => Promise.resolve([{ fromHeight: 1, validators: VALIDATORS }]) };
  const watch = clockWatch()({ clock, chain: chain as never, log });
  return { watch, network: virtual, lines, chain };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the clock watch', () => {
  it('takes one sample per fresh proposal of the round’s proposer, at its first receipt', async () => {
    const { watch, network } = watched();
    watch.heard(vote());
    const first = proposal(0, network.now() - 100);
    watch.heard(first);
    watch.heard(first); // re-sent by its proposer until the round ends
    watch.heard(proposal(1, network.now() - 100, { proposer: 'k9' })); // REJECT: not round 1's proposer
    watch.heard(proposal(2, network.now() - 100, { polRound: 0 })); // a block re-proposed from round 0
    watch.heard(proposal(3, PARENT.header.timeMs + 1)); // the time clamped to the parent's + 1
    watch.heard(proposal(4, network.now() - 100, { height: PARENT.height + 2 })); // another height
    await settle();
    expect(watch.view()).toMatchObject({ samples: 1, proposers: 1, offsetMs: 100, state: 'unknown' });
  });

  it('says once, in the log and the view, that this clock is 31 s ahead, then that it agrees again', async () => {
    const offset = { ms: 31_000 };
    const { watch, network, lines } = watched(offset);
    watch.heard(vote());
    let round = 0;
    for (; round < 4; round++) watch.heard(proposal(round, network.now() - 50));
    await settle();
    expect(watch.view()).toMatchObject({ state: 'off', proposers: 4, samples: 4 });
    expect(Math.round(watch.view().offsetMs! / 1000)).toBe(31);
    expect(lines).toEqual([{ level: 'warn', message: clockOffSentence(watch.view().offsetMs!) }]);
    expect(lines[0]!.message).toContain('31 s ahead of the network');
    expect(watch.view().sinceMs).toBe(network.now() + 31_000);
    // admission judges time windows by the network's time, not this clock's
    expect(Math.abs(watch.networkNow() - network.now())).toBeLessThan(100);
    offset.ms = 0;
    for (; round < 12; round++) watch.heard(proposal(round, network.now() - 50));
    await settle();
    expect(watch.view()).toMatchObject({ state: 'ok', offsetMs: 50 });
    // within 5 s: the clock as it is
    expect(watch.networkNow()).toBe(network.now());
    expect(lines.map((line) => line.level)).toEqual(['warn', 'info']);
    expect(lines[1]!.message).toBe("This computer's clock agrees with the network's (within 0.1 s).");
  });

  it('takes no sample of a node that heard nothing of its head’s height: it was starting or syncing', async () => {
    const { watch, network } = watched();
    // a re-send of a proposal made long before this node started
    watch.heard(proposal(0, network.now() - 20_000));
    watch.heard(vote());
    // received first while this node was behind, received again once it caught up
    const early = proposal(1, network.now() - 20_000);
    const head = { ...PARENT, height: PARENT.height - 1 };
    const behind = watched();
    behind.watch.heard(vote(head.height));
    (behind.chain as { head: typeof PARENT }).head = head;
    behind.watch.heard(early);
    (behind.chain as { head: typeof PARENT }).head = PARENT;
    behind.watch.heard(vote());
    behind.watch.heard(early);
    await settle();
    expect(watch.view()).toMatchObject({ samples: 0, offsetMs: null });
    expect(behind.watch.view()).toMatchObject({ samples: 0, offsetMs: null });
  });

  it('says a clock 5 minutes behind in minutes', () => {
    expect(clockOffSentence(-300_400)).toMatch(/^This computer's clock is 5 min behind the network's/);
    expect(durationInWords(4_260)).toBe('4.3 s');
    expect(durationInWords(-7_300_000)).toBe('2 h');
  });
});

describe('the test clock offset', () => {
  it('moves the clock on a development chain only, and refuses it elsewhere', () => {
    const env = { NOTARY_TEST_CLOCK_OFFSET_MS: '30000' };
    expect(testClockOffsetMs('by-registry-devnet', env)).toBe(30_000);
    expect(testClockOffsetMs('by-registry-dev', { NOTARY_TEST_CLOCK_OFFSET_MS: '-300000' })).toBe(-300_000);
    expect(testClockOffsetMs('by-registry', {})).toBe(0);
    expect(() => testClockOffsetMs('by-registry', env)).toThrow(/development networks only/);
    expect(() => testClockOffsetMs('by-registry-devnet', { NOTARY_TEST_CLOCK_OFFSET_MS: '5 min' })).toThrow(
      /whole number/,
    );
    const clock = new VirtualClock(1_000);
    expect(offsetClock(clock, 30_000).now()).toBe(31_000);
    expect(offsetClock(clock, 0)).toBe(clock);
  });
});
