/**
 * GitHub gives a webhook 10 seconds; rendering and planning can take longer. Handlers enqueue
 * their work and return at once. Work for the same key (one pull request) runs one at a time,
 * in arrival order, so two pushes never race each other's commit. A delivery id seen before
 * (GitHub redelivers) is dropped.
 */
export class WorkQueue {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #seen = new Set<string>();
  readonly #seenLimit: number;
  readonly #onError: (error: unknown, key: string) => void;
  #pending = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(options: { onError: (error: unknown, key: string) => void; seenLimit?: number }) {
    this.#onError = options.onError;
    this.#seenLimit = options.seenLimit ?? 10_000;
  }

  /** false when the delivery was already taken. */
  enqueue(key: string, deliveryId: string | undefined, work: () => Promise<void>): boolean {
    if (deliveryId !== undefined) {
      if (this.#seen.has(deliveryId)) return false;
      this.#seen.add(deliveryId);
      if (this.#seen.size > this.#seenLimit) this.#seen.delete(this.#seen.values().next().value!);
    }
    this.#pending++;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous
      .then(work)
      .catch((error: unknown) => this.#onError(error, key))
      .finally(() => {
        if (this.#tails.get(key) === next) this.#tails.delete(key);
        if (--this.#pending === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve();
      });
    this.#tails.set(key, next);
    return true;
  }

  /** Jobs queued or running. */
  get size(): number {
    return this.#pending;
  }

  /** Resolves when no work is queued or running (tests, graceful shutdown). */
  idle(): Promise<void> {
    return this.#pending === 0 ? Promise.resolve() : new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
