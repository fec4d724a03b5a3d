// A bounded job queue: at most `concurrency` jobs run, at most `lengthMax` wait.
// Drop policy: a job offered to a full queue is refused (the caller ignores the message,
// without penalty); jobs already waiting keep their place, so a flood cannot starve them.

export class BoundedQueue {
  readonly #waiting: Array<() => Promise<void>> = [];
  #running = 0;
  #closed = false;

  constructor(
    readonly lengthMax: number,
    readonly concurrency: number,
  ) {
    if (!Number.isInteger(lengthMax) || lengthMax < 0)
      throw new RangeError('queue length must be a non-negative integer');
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new RangeError('queue concurrency must be a positive integer');
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  get running(): number {
    return this.#running;
  }

  /** Runs or queues `job`; false if the queue is full or closed. The job must handle its own errors. */
  offer(job: () => Promise<void>): boolean {
    if (this.#closed) return false;
    if (this.#running < this.concurrency) {
      this.#run(job);
      return true;
    }
    if (this.#waiting.length >= this.lengthMax) return false;
    this.#waiting.push(job);
    return true;
  }

  /** Drops waiting jobs and refuses new ones; running jobs finish. */
  close(): void {
    this.#closed = true;
    this.#waiting.length = 0;
  }

  #run(job: () => Promise<void>): void {
    this.#running++;
    void Promise.resolve()
      .then(job)
      .catch(() => undefined)
      .finally(() => {
        this.#running--;
        const next = this.#closed ? undefined : this.#waiting.shift();
        if (next) this.#run(next);
      });
  }
}
