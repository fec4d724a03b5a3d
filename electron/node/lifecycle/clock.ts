// The clock is a component (TIGER_STYLE): the node's parts read the time and set timers through
// it only, never Date.now or setTimeout, so a test runs them on virtual time
// (test/sim/virtual-clock.ts) and the node runs them on systemClock().
import type { Clock, TimerId } from '../consensus/interfaces.js';

export type { Clock, TimerId } from '../consensus/interfaces.js';
export { systemClock } from '../consensus/system-clock.js';

/** Calls `run` every `intervalMs`, the first time one interval from now, until the returned function is called. */
export function every(clock: Clock, intervalMs: number, run: () => void): () => void {
  let timer: TimerId | undefined;
  let stopped = false;
  const arm = () => {
    timer = clock.setTimer(intervalMs, () => {
      if (stopped) return;
      arm();
      run();
    });
  };
  arm();
  return () => {
    stopped = true;
    if (timer !== undefined) clock.clearTimer(timer);
  };
}

/** Resolves after `delayMs` on the clock. */
export function sleep(clock: Clock, delayMs: number): Promise<void> {
  return new Promise((resolve) => clock.setTimer(delayMs, resolve));
}

/** The clock's monotonic time, or its now() where it has none (a virtual clock never steps back). */
export function monotonicOf(clock: Clock): () => number {
  return clock.monotonic ? () => clock.monotonic!() : () => clock.now();
}

/** `clock` moved by `offsetMs` (its timers unchanged): a node whose computer's clock is wrong, for tests. */
export function offsetClock(clock: Clock, offsetMs: number): Clock {
  if (offsetMs === 0) return clock;
  return {
    now: () => clock.now() + offsetMs,
    monotonic: monotonicOf(clock),
    setTimer: (delayMs, callback) => clock.setTimer(delayMs, callback),
    clearTimer: (id) => clock.clearTimer(id),
  };
}
