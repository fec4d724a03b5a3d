// Real time for the running node. The only file of consensus/ that reads the system clock or
// sets real timers: the state machine never sees time, and the driver only through `Clock`,
// so the simulator can run the same driver on virtual time.
import type { Clock, TimerId } from './interfaces.js';

export function systemClock(): Clock {
  const timers = new Map<TimerId, NodeJS.Timeout>();
  let nextId = 1;
  return {
    now: () => Date.now(),
    monotonic: () => performance.now(),
    setTimer(delayMs, callback) {
      const id = nextId++;
      timers.set(
        id,
        setTimeout(() => {
          timers.delete(id);
          callback();
        }, delayMs),
      );
      return id;
    },
    clearTimer(id) {
      const timer = timers.get(id);
      if (timer === undefined) return;
      clearTimeout(timer);
      timers.delete(id);
    },
  };
}
