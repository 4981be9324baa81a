// The simulated clock. Every controller reads time from here, and every timestamp the
// simulator writes is simulated time.
//
// fast: time stands still until a test moves it (advance, step, runUntil); the clock then jumps
//       from one wake-up to the next, letting the controllers settle at each, so a 600 s
//       progress deadline passes in milliseconds and runs are deterministic.
// real: time follows the wall clock; a ticker settles the controllers every tickMs.
import { setImmediate as yieldToLoop, setTimeout as sleep } from "node:timers/promises";

export type ClockMode = "fast" | "real";

/** Does all work due at `now` and returns the next time it wants to run (> now), if any. */
export type Driver = (now: number) => number | undefined;

export interface RunUntilOptions {
  /** Give up (throw) after this much simulated time. Default 1 hour. */
  maxSimulatedMs?: number;
  /** Never jump further than this in one step, e.g. 1000 to observe every simulated second. */
  maxStepMs?: number;
  /** Called after every step with the simulated time, e.g. to record what a user would see. */
  onStep?: (now: number) => void;
  /**
   * Awaited before each jump forward, e.g. to let an informer catch up with the store
   * (`() => eventually(() => informer.latestResourceVersion() === sim.store.resourceVersion())`)
   * so that code under test sees every intermediate state at the simulated time it happened.
   */
  beforeStep?: () => void | Promise<void>;
  /**
   * When nothing is scheduled but the predicate is still false, keep polling for this much
   * real time before giving up (lets HTTP clients such as informers catch up; stops early when
   * they schedule something). Default 10 s: only a predicate that never holds waits that long,
   * and a busy machine can make clients slow.
   */
  settleRealMs?: number;
}

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

export interface ClockOptions {
  mode: ClockMode;
  /** Simulated start time. Default 2025-01-01T00:00:00Z in fast mode, now in real mode. */
  start?: Date | string | number;
  /** Real mode: how often the ticker settles the controllers, in ms. Default 10. */
  tickMs?: number;
  /**
   * Real mode: the ticker runs the controllers only when a timer or a controller's wake-up is
   * due (what the fast clock does), not on every tick. Writes still settle at once. For large
   * clusters, where one pass over every object costs more than a tick. Default false.
   */
  lazyTicks?: boolean;
}

const DEFAULT_FAST_START = Date.parse("2025-01-01T00:00:00Z");

/** rfc3339's recent answers: controllers format the same few seconds thousands of times a pass. */
const formatted = new Map<number, string>();

/** RFC 3339 with second precision, as metav1.Time is serialised. */
export function rfc3339(ms: number): string {
  const second = Math.floor(ms / 1000);
  let text = formatted.get(second);
  if (text === undefined) {
    if (formatted.size >= 4096) formatted.clear();
    text = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
    formatted.set(second, text);
  }
  return text;
}

/** RFC 3339 with microseconds, as metav1.MicroTime is serialised (Lease times, events.k8s.io). */
export function rfc3339Micro(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export class SimClock {
  readonly mode: ClockMode;
  private current: number;
  private readonly realStart: number;
  private readonly simStart: number;
  private readonly tickMs: number;
  private readonly lazyTicks: boolean;
  private driver: Driver | undefined;
  private driverWake: number | undefined;
  private timers: Timer[] = [];
  private nextTimerId = 1;
  private ticker: NodeJS.Timeout | undefined;
  private settling = false;
  private settleAgain = false;

  constructor(options: ClockOptions) {
    this.mode = options.mode;
    const start = options.start ?? (options.mode === "fast" ? DEFAULT_FAST_START : Date.now());
    this.simStart = typeof start === "number" ? start : new Date(start).getTime();
    this.current = this.simStart;
    this.realStart = performance.now();
    this.tickMs = options.tickMs ?? 10;
    this.lazyTicks = options.lazyTicks ?? false;
  }

  /** Simulated epoch milliseconds. */
  now(): number {
    return this.current;
  }

  date(): Date {
    return new Date(this.current);
  }

  /** Simulated now as metav1.Time (second precision). */
  iso(): string {
    return rfc3339(this.current);
  }

  /** Simulated milliseconds since the clock started. */
  elapsed(): number {
    return this.current - this.simStart;
  }

  /** Connects the controllers. Called once by startSimulator. */
  attach(driver: Driver): void {
    this.driver = driver;
  }

  /** Runs fn when simulated time reaches `at`. Returns a cancel function. */
  schedule(at: number, fn: () => void): () => void {
    const timer: Timer = { id: this.nextTimerId++, at, fn };
    this.timers.push(timer);
    this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
    return () => {
      this.timers = this.timers.filter((t) => t.id !== timer.id);
    };
  }

  /** Runs due timers and lets the controllers settle at the current simulated time. */
  settle(): void {
    if (this.settling) {
      this.settleAgain = true;
      return;
    }
    this.settling = true;
    try {
      do {
        this.settleAgain = false;
        for (;;) {
          const due = this.timers[0];
          if (!due || due.at > this.current) break;
          this.timers.shift();
          due.fn();
        }
        this.driverWake = this.driver?.(this.current);
      } while (this.settleAgain);
    } finally {
      this.settling = false;
    }
  }

  /** The next simulated time at which something is scheduled to happen, if anything is. */
  nextWakeAt(): number | undefined {
    const timer = this.timers[0]?.at;
    const wakes = [timer, this.driverWake].filter((w): w is number => w !== undefined && w > this.current);
    return wakes.length === 0 ? undefined : Math.min(...wakes);
  }

  /** Fast mode: moves simulated time forward by ms, stopping at every wake-up on the way. */
  advance(ms: number): void {
    this.advanceTo(this.current + ms);
  }

  advanceTo(target: number): void {
    this.assertFast("advance");
    this.moveTo(target);
  }

  /** Fast mode: jumps to the next wake-up and settles there. False when nothing is scheduled. */
  step(): boolean {
    this.assertFast("step");
    this.settle();
    const next = this.nextWakeAt();
    if (next === undefined) return false;
    this.current = next;
    this.settle();
    return true;
  }

  /**
   * Steps until the predicate holds and returns the simulated ms it took. Throws when it does
   * not hold within maxSimulatedMs. In real mode it polls every tickMs of wall time instead.
   */
  async runUntil(predicate: () => boolean | Promise<boolean>, options: RunUntilOptions = {}): Promise<number> {
    const max = options.maxSimulatedMs ?? 3_600_000;
    const begin = this.current;
    if (this.mode === "real") {
      for (;;) {
        this.settle();
        if (await predicate()) return this.current - begin;
        options.onStep?.(this.current);
        if (this.current - begin > max) throw this.timeout(max);
        await sleep(this.tickMs);
      }
    }
    const settleRealMs = options.settleRealMs ?? 10_000;
    for (;;) {
      this.settle();
      if (await predicate()) return this.current - begin;
      options.onStep?.(this.current);
      let next = this.nextWakeAt();
      if (options.maxStepMs !== undefined) next = Math.min(next ?? Infinity, this.current + options.maxStepMs);
      if (next === undefined || next === Infinity || next - begin > max) {
        // Nothing more will happen in simulated time: give HTTP clients time to catch up, until
        // the predicate holds, or (after the first 500 ms) they have scheduled something: then
        // step on.
        const since = performance.now();
        const scheduled = () => {
          const again = this.nextWakeAt();
          return again !== undefined && again - begin <= max;
        };
        while (performance.now() - since < settleRealMs && !(performance.now() - since >= 500 && scheduled())) {
          await sleep(2);
          this.settle();
          if (await predicate()) return this.current - begin;
        }
        if (scheduled()) continue;
        throw this.timeout(max);
      }
      if (options.beforeStep) {
        await options.beforeStep();
        this.settle();
        if (await predicate()) return this.current - begin;
        next = Math.min(next, this.nextWakeAt() ?? Infinity);
      }
      this.current = next;
      await yieldToLoop();
    }
  }

  /** Real mode: starts the wall-clock ticker. */
  start(): void {
    if (this.mode !== "real" || this.ticker) return;
    this.ticker = setInterval(() => {
      const target = this.simStart + (performance.now() - this.realStart);
      if (this.lazyTicks && !this.settling) {
        const due = Math.min(this.timers[0]?.at ?? Infinity, this.driverWake ?? Infinity);
        if (due > target) {
          this.current = Math.max(this.current, target); // nothing due: time passes, no controller runs
          return;
        }
      }
      this.moveTo(target);
    }, this.tickMs);
    this.ticker.unref();
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
  }

  private moveTo(target: number): void {
    for (;;) {
      this.settle();
      const next = this.nextWakeAt();
      if (next === undefined || next > target) break;
      this.current = next;
    }
    if (target > this.current) this.current = target;
    this.settle();
  }

  private assertFast(what: string): void {
    if (this.mode !== "fast") throw new Error(`clock.${what}() needs the fast clock; the real clock follows the wall clock`);
  }

  private timeout(max: number): Error {
    return new Error(`condition not met within ${max / 1000} simulated seconds (now ${this.iso()})`);
  }
}
