/**
 * At most `limit()` tasks at once; the others wait in arrival order, except that a task asked to
 * go `first` waits ahead of the others (behind earlier `first` ones). The limit is read on every release.
 */
export class Semaphore {
  #running = 0;
  readonly #waiting: { first: boolean; start: () => void }[] = [];
  readonly #limit: () => number;

  constructor(limit: number | (() => number)) {
    this.#limit = typeof limit === "number" ? () => limit : limit;
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  async run<T>(task: () => Promise<T>, options: { first?: boolean } = {}): Promise<T> {
    if (this.#running >= Math.max(1, this.#limit())) {
      const first = options.first ?? false;
      await new Promise<void>((start) => {
        const at = first ? this.#waiting.findIndex((w) => !w.first) : -1;
        if (at === -1) this.#waiting.push({ first, start });
        else this.#waiting.splice(at, 0, { first, start });
      });
    } else this.#running++;
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next waiter, so the count never dips and overshoots.
    if (next) next.start();
    else this.#running--;
    while (this.#waiting.length > 0 && this.#running < Math.max(1, this.#limit())) {
      this.#running++;
      this.#waiting.shift()!.start();
    }
  }
}
