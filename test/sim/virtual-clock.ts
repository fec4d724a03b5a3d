// Virtual time for the simulator: a Clock whose timers are events in one queue, run in (time,
// insertion) order. Nothing waits for real time, so a minute of consensus takes milliseconds,
// and two runs with the same seed see the same events in the same order.
import type { Clock, TimerId } from '../../electron/node/consensus/index.js';

interface Event {
  atMs: number;
  sequence: number;
  id: TimerId;
  run: () => void;
}

export class VirtualClock implements Clock {
  #nowMs: number;
  #sequence = 0;
  #heap: Event[] = [];
  #live = new Set<TimerId>();
  #cancelled = new Set<TimerId>();

  constructor(startMs: number) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  get pending(): number {
    return this.#live.size;
  }

  setTimer(delayMs: number, callback: () => void): TimerId {
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new Error(`bad timer delay ${delayMs}`);
    const id = ++this.#sequence;
    this.#live.add(id);
    this.#push({ atMs: this.#nowMs + Math.max(1, Math.round(delayMs)), sequence: id, id, run: callback });
    return id;
  }

  clearTimer(id: TimerId): void {
    if (this.#live.delete(id)) this.#cancelled.add(id);
  }

  /** The time of the next live event, or null when none is left. */
  nextAtMs(): number | null {
    for (;;) {
      const top = this.#heap[0];
      if (!top) return null;
      if (!this.#cancelled.has(top.id)) return top.atMs;
      this.#cancelled.delete(top.id);
      this.#pop();
    }
  }

  /** Runs the next event, advancing time to it; false when no event is left. */
  runNext(): boolean {
    for (;;) {
      const event = this.#pop();
      if (!event) return false;
      if (this.#cancelled.delete(event.id)) continue;
      this.#live.delete(event.id);
      this.#nowMs = event.atMs;
      event.run();
      return true;
    }
  }

  #push(event: Event): void {
    const heap = this.#heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #pop(): Event | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === i) return top;
      [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
      i = smallest;
    }
  }
}

function before(a: Event, b: Event): boolean {
  return a.atMs !== b.atMs ? a.atMs < b.atMs : a.sequence < b.sequence;
}
