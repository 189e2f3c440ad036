/**
 * One at a time, in the order asked: each task starts only when the one before it has settled,
 * whether it resolved or threw. Where a counter guards a secret, two checks must never overlap,
 * or a burst of guesses is checked against the same "failures so far" and counted once.
 */
export class SingleFlight {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  /** True from the moment a task is queued until the last queued task has settled. */
  get busy(): boolean {
    return this.#pending > 0;
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    this.#pending++;
    const result = this.#tail.then(task);
    this.#tail = result.then(
      () => this.#pending--,
      () => this.#pending--,
    );
    return result;
  }
}
