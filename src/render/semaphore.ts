/** At most `limit()` tasks at once; the others wait in arrival order. The limit is read on every release. */
export class Semaphore {
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #limit: () => number;

  constructor(limit: number | (() => number)) {
    this.#limit = typeof limit === "number" ? () => limit : limit;
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running >= Math.max(1, this.#limit())) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next waiter, so the count never dips and overshoots.
    if (next) next();
    else this.#running--;
    while (this.#waiting.length > 0 && this.#running < Math.max(1, this.#limit())) {
      this.#running++;
      this.#waiting.shift()!();
    }
  }
}
