// The listeners of one event of a part (the committer's `committed`, the damage watch's
// `damaged`): called in the order they were added, which is the order node.ts wires the parts.
export type Listener<T> = (value: T) => Promise<void> | void;

export class Listeners<T> {
  readonly #listeners: Listener<T>[] = [];

  /** Adds a listener; returns the function that removes it. */
  add(listener: Listener<T>): () => void {
    this.#listeners.push(listener);
    return () => {
      const index = this.#listeners.indexOf(listener);
      if (index >= 0) this.#listeners.splice(index, 1);
    };
  }

  /** Each listener in turn, an async one awaited before the next; the first that throws ends the turn with its error. */
  async emitInTurn(value: T): Promise<void> {
    for (const listener of [...this.#listeners]) await listener(value);
  }

  /** Each listener now, none awaited; what one throws or rejects with goes to `onError`, and the others still run. */
  emit(value: T, onError: (error: unknown) => void): void {
    for (const listener of [...this.#listeners]) {
      try {
        const result = listener(value);
        if (result) result.catch(onError);
      } catch (error) {
        onError(error);
      }
    }
  }
}
