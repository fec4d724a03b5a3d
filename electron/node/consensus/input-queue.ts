// The driver's one queue of state-machine inputs, processed strictly in order, one at a time.
//
// Bound and drop policy: at most `networkMax` messages from peers wait at once; a further one
// is dropped (the newest: every validator re-sends its current messages each gossip interval,
// so a dropped message comes again). Inputs the driver makes itself (timeouts, answers from the
// application and the signer, own signed messages, ticks) are never dropped: there are at most
// a few per outstanding timer or call, so they are bounded by construction.
import type { ConsensusInput } from './types.js';

export const NETWORK_INPUTS_MAX_DEFAULT = 1024;

interface Entry {
  input: ConsensusInput;
  fromNetwork: boolean;
}

export class InputQueue {
  #entries: Entry[] = [];
  #head = 0;
  #network = 0;

  constructor(readonly networkMax: number = NETWORK_INPUTS_MAX_DEFAULT) {
    if (!Number.isSafeInteger(networkMax) || networkMax < 1)
      throw new Error(`networkMax must be a positive integer, got ${networkMax}`);
  }

  get length(): number {
    return this.#entries.length - this.#head;
  }

  /** Queues a message from a peer; false when it was dropped because the queue is full. */
  pushNetwork(input: ConsensusInput): boolean {
    if (this.#network >= this.networkMax) return false;
    this.#network += 1;
    this.#entries.push({ input, fromNetwork: true });
    return true;
  }

  pushInternal(input: ConsensusInput): void {
    this.#entries.push({ input, fromNetwork: false });
  }

  shift(): ConsensusInput | undefined {
    const entry = this.#entries[this.#head];
    if (!entry) return undefined;
    this.#entries[this.#head] = undefined as unknown as Entry;
    this.#head += 1;
    if (entry.fromNetwork) this.#network -= 1;
    if (this.#head > 1024 && this.#head * 2 > this.#entries.length) {
      this.#entries = this.#entries.slice(this.#head);
      this.#head = 0;
    }
    return entry.input;
  }

  clear(): void {
    this.#entries = [];
    this.#head = 0;
    this.#network = 0;
  }
}
