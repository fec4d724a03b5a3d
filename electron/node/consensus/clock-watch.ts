// A node knows when its clock is off (issue 19, "Clocks"; decision #66). Votes carry no time,
// but a block's header carries its proposer's clock at proposal time, so each fresh proposal
// from another validator, on receipt, is a sample of their clock against ours. The estimate
// (clock-offset.ts) goes to the status, /metrics and the UI, and a change of state to the log.
// Full nodes and observers receive proposals too, so every office measures its clock.
import type { ClockStatus } from '../../../shared/api/index.js';
import type { ConsensusMessage, Proposal } from '../../../shared/chain/index.js';
import { StateKey, validatorsAt, type ValidatorSchedule } from '../../../shared/ledger/index.js';
import type { Chain } from '../chain/chain.js';
import { ClockOffsetEstimator, clockState, type ClockState } from './clock-offset.js';
import type { Clock } from './interfaces.js';
import { proposerOf } from './thresholds.js';

/** Proposals remembered at one height (one per round and proposer). */
const RECEIVED_PER_HEIGHT_MAX = 64;
/** Messages further above our head than this are not remembered (we are syncing, or they are bogus). */
const HEIGHTS_AHEAD = 2;

export interface ClockWatchComponents {
  clock: Clock;
  chain: Pick<Chain, 'head' | 'getRecord'>;
  log: { info(fields: object, message: string): void; warn(fields: object, message: string): void };
}

export function clockWatch() {
  return (components: ClockWatchComponents) => new ClockWatch(components);
}

export class ClockWatch {
  readonly #estimator = new ClockOffsetEstimator();
  #state: ClockState = 'unknown';
  #sinceMs: number;
  /** Proposals (round/proposer) received, by height, for the heights just above our head. */
  readonly #received = new Map<number, Set<string>>();
  /** Heights near our head of which any consensus message was received. */
  readonly #heights = new Set<number>();
  #validators: { height: number; keys: readonly string[] } | undefined;

  constructor(private readonly components: ClockWatchComponents) {
    this.#sinceMs = components.clock.now();
  }

  view(): ClockStatus {
    return { ...this.#estimator.estimate(), sinceMs: this.#sinceMs, state: this.#state };
  }

  /**
   * The network's time as this node best knows it: its clock, less the offset measured while
   * that is 'off' (5 s or more). Admission judges time windows by it (a ballot's voting window,
   * an expiry), so an office whose clock runs minutes ahead does not refuse ballots before the
   * window has closed; blocks still carry and are checked against the clock as it is.
   */
  networkNow(): number {
    const now = this.components.clock.now();
    const { offsetMs } = this.#estimator.estimate();
    return this.#state === 'off' && offsetMs !== null ? now - offsetMs : now;
  }

  /**
   * A consensus message as it is received (the consensus topic's handler, after its signature
   * verified, before the driver gets it): a failure here is logged and never reaches consensus.
   */
  heard(message: ConsensusMessage): void {
    try {
      this.#hear(message);
    } catch (error) {
      this.components.log.warn({ err: error }, 'the clock watch could not read a proposal');
    }
  }

  #hear(message: ConsensusMessage): void {
    const receivedAtMs = this.components.clock.now();
    const head = this.components.chain.head;
    this.#forget(head.height);
    if (message.height > head.height + HEIGHTS_AHEAD) return;
    this.#heights.add(message.height);
    if (message.kind !== 'proposal' || !this.#firstReceipt(message) || !this.#fresh(message)) return;
    this.#fromTheProposer(message)
      .then((counts) => {
        if (counts) this.#sample(message.proposer, message.block.header.timeMs - receivedAtMs);
      })
      .catch((error: unknown) =>
        this.components.log.warn({ err: error }, 'the clock watch could not read the validators'),
      );
  }

  /** Drops what is below our head: the memory is a few heights, whatever the network sends. */
  #forget(headHeight: number): void {
    for (const height of this.#heights) if (height < headHeight) this.#heights.delete(height);
    for (const height of this.#received.keys()) if (height <= headHeight) this.#received.delete(height);
  }

  /**
   * The driver re-sends its proposal until the round ends, and a node that starts, restarts or
   * lags receives a re-send first: only the first receipt of a proposal, whatever our height
   * then, can be a sample.
   */
  #firstReceipt(proposal: Proposal): boolean {
    const keys = this.#received.get(proposal.height) ?? new Set<string>();
    this.#received.set(proposal.height, keys);
    const key = `${proposal.round}/${proposal.proposer}`;
    if (keys.has(key) || keys.size >= RECEIVED_PER_HEIGHT_MAX) return false;
    keys.add(key);
    return true;
  }

  /** Whether this proposal's block time is its proposer's clock, now: else it says nothing of it. */
  #fresh(proposal: Proposal): boolean {
    const head = this.components.chain.head;
    const { header } = proposal.block;
    // a proposal of another height, or on another parent: old, or ahead of us (we sync)
    if (proposal.height !== head.height + 1 || header.height !== proposal.height || header.prevHash !== head.hash)
      return false;
    // we heard nothing while our head was decided: we were not there (starting, syncing), and the
    // first receipt may be a re-send of a proposal made long ago
    if (!this.#heights.has(head.height)) return false;
    // a block re-proposed from an earlier round (polRound): its time is when it was first made
    if (proposal.polRound !== -1 || header.proposer !== proposal.proposer) return false;
    // its parent's time + 1: the proposer's clock was behind the parent's time, not read (propose.ts)
    return header.timeMs !== head.header.timeMs + 1;
  }

  /** Only the round's proposer counts: a key that is no validator could otherwise add proposers at will. */
  async #fromTheProposer(proposal: Proposal): Promise<boolean> {
    if (this.#validators?.height !== proposal.height) {
      const schedule = (await this.components.chain.getRecord(StateKey.validatorSchedule)) as ValidatorSchedule;
      this.#validators = { height: proposal.height, keys: validatorsAt(schedule, proposal.height) };
    }
    const validators = this.#validators.keys;
    return validators.length > 0 && proposerOf(validators, proposal.height, proposal.round) === proposal.proposer;
  }

  #sample(proposer: string, sampleMs: number): void {
    this.#estimator.add({ proposer, sampleMs });
    const estimate = this.#estimator.estimate();
    const state = clockState(estimate, this.#state);
    if (state === this.#state) return;
    this.#state = state;
    this.#sinceMs = this.components.clock.now();
    const fields = { offsetMs: estimate.offsetMs, proposers: estimate.proposers, samples: estimate.samples };
    if (state === 'off') this.components.log.warn(fields, clockOffSentence(estimate.offsetMs!));
    else if (state === 'ok') this.components.log.info(fields, clockOkSentence(estimate.offsetMs!));
  }
}

/** The log's sentence for a clock `offsetMs` from the network's (positive: ahead). */
export function clockOffSentence(offsetMs: number): string {
  const direction = offsetMs > 0 ? 'ahead of' : 'behind';
  return (
    `This computer's clock is ${durationInWords(offsetMs)} ${direction} the network's: set it right ` +
    '(automatic time); blocks it proposes or checks may be refused.'
  );
}

export function clockOkSentence(offsetMs: number): string {
  return `This computer's clock agrees with the network's (within ${durationInWords(offsetMs)}).`;
}

/** "31 s", "5 min", "3 h": rounded to the unit a person would say. */
export function durationInWords(ms: number): string {
  const seconds = Math.abs(ms) / 1000;
  if (seconds < 10) return `${Math.round(seconds * 10) / 10} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
