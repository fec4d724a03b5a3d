// The arithmetic of Algorithm 1 for n validators with one vote each: who proposes, how many
// votes make "2f + 1" and "f + 1", and how long each timeout lasts in a round.
import { commitQuorum } from '../../../shared/chain/commit.js';
import type { TimeoutConfig, TimeoutStep } from './types.js';

/** Round-robin proposer: validators[(height + round) mod n] over the sorted keys. */
export function proposerOf(validators: readonly string[], height: number, round: number): string {
  if (validators.length === 0) throw new Error('no validators');
  return validators[(height + round) % validators.length]!;
}

/** "2f + 1": strictly more than two thirds of n (the same rule as a commit certificate). */
export function quorumOf(validatorCount: number): number {
  return commitQuorum(validatorCount);
}

/** "f + 1": strictly more than one third of n, so at least one of them is correct. */
export function oneThirdPlusOf(validatorCount: number): number {
  return Math.floor(validatorCount / 3) + 1;
}

/** timeoutX(round) = base + round × delta; round 0 of propose also allows the heartbeat wait. */
export function timeoutDurationMs(config: TimeoutConfig, step: TimeoutStep, round: number): number {
  const base =
    step === 'propose'
      ? config.timeoutProposeMs
      : step === 'prevote'
        ? config.timeoutPrevoteMs
        : config.timeoutPrecommitMs;
  const heartbeat = step === 'propose' && round === 0 ? config.heartbeatMs : 0;
  return base + round * config.deltaMs + heartbeat;
}

export function checkTimeoutConfig(config: TimeoutConfig): void {
  for (const [name, value] of Object.entries(config)) {
    if (!Number.isSafeInteger(value) || value < 0)
      throw new Error(`consensus timeout ${name} must be a non-negative integer of milliseconds, got ${value}`);
  }
  if (config.timeoutProposeMs === 0 || config.timeoutPrevoteMs === 0 || config.timeoutPrecommitMs === 0) {
    throw new Error('consensus timeouts must be positive: a zero timeout skips every proposal');
  }
}
