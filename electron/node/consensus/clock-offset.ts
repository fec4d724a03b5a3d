// How far this node's clock is from the network's, estimated from the proposals it receives
// (decision #66). Pure: a sample is a number the caller measured, so a test gives it any clock.
// A sample is `header.timeMs - receivedAtMs`: the block's time by its proposer's clock against
// ours at receipt (propagation makes it a little negative). We are off by minus their middle.
import type { ClockState } from '../../../shared/api/index.js';

export type { ClockState } from '../../../shared/api/index.js';

/** Samples kept in all: the oldest is dropped first. */
export const CLOCK_SAMPLES_MAX = 31;
/**
 * Samples kept per proposer: one proposer's newest only, so a skewed or lying proposer counts
 * once in the median of proposers however often it proposes. Three, so one sample delayed by a
 * busy machine does not move its proposer's median, and a jump shows after two proposals.
 */
export const CLOCK_SAMPLES_PER_PROPOSER_MAX = 3;
/** Fewer proposers heard than this: the state is 'unknown' (one other clock cannot say whose is wrong). */
export const CLOCK_PROPOSERS_MIN = 2;
/**
 * Off from this far: below the 10 s a block may be ahead of a validator's clock
 * (BLOCK_TIME_DRIFT_MAX_MS), so the office is told before its own blocks are refused (clock
 * ahead) or it refuses the others' (clock behind); and well above what propagation and a busy
 * desktop's queues add to a sample (a second or two), so no office is told wrongly.
 */
export const CLOCK_OFF_THRESHOLD_MS = 5_000;
/** Back to ok only below this: an offset near the threshold does not flap the warning and the log. */
export const CLOCK_OK_THRESHOLD_MS = 4_000;

export interface ClockSample {
  proposer: string;
  /** The block's time minus our clock at receipt. */
  sampleMs: number;
}

export interface ClockEstimate {
  /** This node's clock minus the network's (positive: ahead); null before any sample. */
  offsetMs: number | null;
  samples: number;
  proposers: number;
}

export class ClockOffsetEstimator {
  /** Oldest first; at most CLOCK_SAMPLES_MAX, at most CLOCK_SAMPLES_PER_PROPOSER_MAX of one proposer. */
  readonly #samples: ClockSample[] = [];

  constructor(
    private readonly limits: { samplesMax: number; perProposerMax: number } = {
      samplesMax: CLOCK_SAMPLES_MAX,
      perProposerMax: CLOCK_SAMPLES_PER_PROPOSER_MAX,
    },
  ) {
    if (!(limits.samplesMax >= 1 && limits.perProposerMax >= 1))
      throw new Error('clock sample limits must be positive');
  }

  add(sample: ClockSample): void {
    if (!Number.isFinite(sample.sampleMs))
      throw new Error(`a clock sample must be a finite number, got ${sample.sampleMs}`);
    const own = this.#samples.filter((kept) => kept.proposer === sample.proposer).length;
    if (own >= this.limits.perProposerMax)
      this.#samples.splice(
        this.#samples.findIndex((kept) => kept.proposer === sample.proposer),
        1,
      );
    this.#samples.push(sample);
    if (this.#samples.length > this.limits.samplesMax) this.#samples.shift();
    if (this.#samples.length > this.limits.samplesMax) throw new Error('clock samples over their bound');
  }

  estimate(): ClockEstimate {
    const byProposer = new Map<string, number[]>();
    for (const { proposer, sampleMs } of this.#samples) {
      const list = byProposer.get(proposer) ?? [];
      list.push(sampleMs);
      byProposer.set(proposer, list);
    }
    const medians = [...byProposer.values()].map(median);
    const samples = this.#samples.length;
    if (medians.length === 0) return { offsetMs: null, samples, proposers: 0 };
    // Of two middle proposers, the one nearer our clock: the node is called off only when at
    // least half of the proposers it heard say so (with two, both must).
    const sorted = medians.sort((a, b) => a - b);
    const upper = sorted[sorted.length >> 1]!;
    const lower = sorted[(sorted.length - 1) >> 1]!;
    const middle = Math.abs(lower) <= Math.abs(upper) ? lower : upper;
    return { offsetMs: Math.round(-middle) || 0, samples, proposers: medians.length };
  }
}

/** The state an estimate puts the node in, given the state it was in (for the hysteresis). */
export function clockState(estimate: ClockEstimate, previous: ClockState): ClockState {
  if (estimate.offsetMs === null || estimate.proposers < CLOCK_PROPOSERS_MIN) return 'unknown';
  const distanceMs = Math.abs(estimate.offsetMs);
  if (distanceMs >= CLOCK_OFF_THRESHOLD_MS) return 'off';
  return previous === 'off' && distanceMs >= CLOCK_OK_THRESHOLD_MS ? 'off' : 'ok';
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const half = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[half]! : (sorted[half - 1]! + sorted[half]!) / 2;
}
