// Messages of height + 1 that arrive while this height is still running (a faster validator
// already committed and started the next one). They are replayed when that height starts.
//
// Limit: MESSAGES_PER_VALIDATOR_MAX per validator of the next height (at most one proposal
// among them); further messages of that validator are dropped (newest dropped: the sender
// re-sends its current messages on every tick). Messages of any other height are dropped.
import type { ConsensusMessage } from '../../../shared/chain/messages.js';

export const MESSAGES_PER_VALIDATOR_MAX = 6;

function senderOf(message: ConsensusMessage): string {
  return message.kind === 'vote' ? message.validator : message.proposer;
}

export class NextHeightBuffer {
  #height = 0;
  readonly #bySender = new Map<string, ConsensusMessage[]>();

  /** Empties the buffer and accepts messages of `height` from now on. */
  reset(height: number): void {
    this.#height = height;
    this.#bySender.clear();
  }

  get height(): number {
    return this.#height;
  }

  /** False when the message is of another height or its sender's share is full. */
  canAdd(message: ConsensusMessage): boolean {
    if (message.height !== this.#height) return false;
    const held = this.#bySender.get(senderOf(message)) ?? [];
    if (held.length >= MESSAGES_PER_VALIDATOR_MAX) return false;
    return !(message.kind === 'proposal' && held.some((other) => other.kind === 'proposal'));
  }

  /** Adds a message already checked (sender in the next set, valid signature). */
  add(message: ConsensusMessage): void {
    if (!this.canAdd(message)) throw new Error('next-height buffer: add without room');
    const sender = senderOf(message);
    this.#bySender.set(sender, [...(this.#bySender.get(sender) ?? []), message]);
  }

  senders(): number {
    return this.#bySender.size;
  }

  /** The held messages in arrival order per sender, emptying the buffer. */
  take(height: number): ConsensusMessage[] {
    const messages = height === this.#height ? [...this.#bySender.values()].flat() : [];
    this.reset(height + 1);
    return messages;
  }
}
