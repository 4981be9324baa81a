// The simulated clock. Every controller reads time from here, and every timestamp the
// simulator writes is simulated time.
//
// fast: time stands still until a test moves it (advance, step, runUntil); the clock then jumps
//       from one wake-up to the next, letting the controllers settle at each, so a 600 s
//       progress deadline passes in milliseconds and runs are deterministic.
// real: time follows the wall clock; a ticker settles the controllers every tickMs. The ticker
//       and writes settle in the background, an object at a time, yielding to the event loop
//       every sliceMs so that the API answers while a large cluster settles.
import { setImmediate as yieldToLoop, setTimeout as sleep } from "node:timers/promises";

export type ClockMode = "fast" | "real";

/**
 * A controller's work at the current time, an object at a time: it yields before each object,
 * and returns the next time it wants to run (> now), if any. What `yield` gives back is true
 * when the event loop ran in between (real mode's background settling), so that the objects it
 * listed may have changed and must be read again; a synchronous settle always gives false.
 */
export type Controller = () => Iterator<undefined, number | undefined, boolean>;

/** A controller that does its work at once (no object-by-object yields). */
export function atOnce(work: () => number | undefined): Iterator<undefined, number | undefined, boolean> {
  return { next: () => ({ done: true, value: work() }) };
}

function runToEnd(work: Iterator<undefined, number | undefined, boolean>): number | undefined {
  for (;;) {
    const step = work.next(false);
    if (step.done) return step.value;
  }
}

/** Passes at one instant before the controllers are deemed not to settle (a bug in one of them). */
const MAX_PASSES = 50;

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
  /**
   * Real mode: how long the background settling runs before it yields to the event loop, in ms
   * (it can yield after each object a controller syncs). Default 10.
   */
  sliceMs?: number;
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

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined ? b : b === undefined ? a : Math.min(a, b);
}

export class SimClock {
  readonly mode: ClockMode;
  private current: number;
  private readonly realStart: number;
  private readonly simStart: number;
  private readonly tickMs: number;
  private readonly lazyTicks: boolean;
  private readonly sliceMs: number;
  private controllers: readonly Controller[] = [];
  /** The store's resourceVersion: a pass that leaves it as it was is the last one. */
  private version: () => string = () => "";
  private driverWake: number | undefined;
  /** Where and when the controllers last settled: settling again there changes nothing. */
  private settledAt: { at: number; version: string } | undefined;
  private timers: Timer[] = [];
  private nextTimerId = 1;
  private ticker: NodeJS.Timeout | undefined;
  private settling = false;
  private settleAgain = false;
  /** Real mode: the background settling's next slice, when one is scheduled. */
  private slice: NodeJS.Immediate | undefined;
  /** Real mode: the controllers have not settled at the current time yet (passes so far). */
  private unsettled: number | undefined;
  /**
   * Real mode: the pass under way: the next controller, the version before, the wake-up so far,
   * the controller at work and whether the event loop ran since it last yielded.
   */
  private pass:
    | {
        next: number;
        before: string;
        wake: number | undefined;
        working: Iterator<undefined, number | undefined, boolean> | undefined;
        resumed: boolean;
        /** A controller wrote something (not only API clients between steps). */
        wrote: boolean;
      }
    | undefined;
  /** Real mode: the wall-clock time the background settling is moving to (fixed for a round, as the ticker's target was). */
  private roundTarget: number | undefined;
  /** Real mode: the background settling moved to a wake-up, so it settles at the round's target too. */
  private wokeOnTheWay = false;

  constructor(options: ClockOptions) {
    this.mode = options.mode;
    const start = options.start ?? (options.mode === "fast" ? DEFAULT_FAST_START : Date.now());
    this.simStart = typeof start === "number" ? start : new Date(start).getTime();
    this.current = this.simStart;
    this.realStart = performance.now();
    this.tickMs = options.tickMs ?? 10;
    this.lazyTicks = options.lazyTicks ?? false;
    this.sliceMs = options.sliceMs ?? 10;
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

  /**
   * Connects the controllers, run in this order in every pass; passes repeat until `version`
   * (the store's resourceVersion) no longer changes. Called once by startSimulator.
   */
  attach(controllers: readonly Controller[], version: () => string): void {
    this.controllers = controllers;
    this.version = version;
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
        if (this.alreadySettled()) break;
        this.runDueTimers();
        this.driverWake = this.runPasses();
      } while (this.settleAgain);
      this.unsettled = undefined;
      this.pass = undefined;
      this.settledAt = { at: this.current, version: this.version() };
    } finally {
      this.settling = false;
    }
  }

  /** Settled at this time, nothing written since and no timer due: another pass would change nothing. */
  private alreadySettled(): boolean {
    const due = this.timers[0];
    return (
      this.settledAt !== undefined &&
      this.settledAt.at === this.current &&
      this.settledAt.version === this.version() &&
      !(due && due.at <= this.current)
    );
  }

  /**
   * Lets the controllers settle soon (after a write, as informers would): fast mode on the next
   * turn of the event loop, all at once; real mode in the background, a pass at a time.
   */
  settleSoon(): void {
    if (this.mode === "real") {
      this.unsettled ??= 0;
      this.runInBackground();
    } else {
      this.slice ??= setImmediate(() => {
        this.slice = undefined;
        this.settle();
      });
    }
  }

  private runDueTimers(): void {
    for (;;) {
      const due = this.timers[0];
      if (!due || due.at > this.current) break;
      this.timers.shift();
      due.fn();
    }
  }

  /** Passes until nothing changes; the controllers' next wake-up. */
  private runPasses(): number | undefined {
    for (let passes = 0; passes < MAX_PASSES; passes++) {
      const before = this.version();
      let wake: number | undefined;
      for (const controller of this.controllers) wake = earliest(wake, runToEnd(controller()));
      if (this.version() === before) return wake;
    }
    throw this.notSettling();
  }

  private notSettling(): Error {
    return new Error(`controllers did not settle after ${MAX_PASSES} passes at ${this.iso()}`);
  }

  /** Real mode: schedules the background settling unless it is scheduled already. */
  private runInBackground(): void {
    this.slice ??= setImmediate(() => this.runSlice());
  }

  /** Real mode: background work for up to sliceMs (at least one step), then yields to the event loop. */
  private runSlice(): void {
    this.slice = undefined;
    if (this.pass) this.pass.resumed = true;
    const until = performance.now() + this.sliceMs;
    do {
      if (!this.backgroundStep()) return;
    } while (performance.now() < until);
    this.runInBackground();
  }

  /**
   * One step of the background settling: while the controllers are unsettled at the current
   * time, one object of a controller (a pass starts with the due timers), else a move to the next wake-up
   * or to the wall-clock time (what the synchronous ticker did: settle, move to each wake-up due
   * by now and settle there, then to now). False when it has caught up with the wall clock and
   * settled.
   */
  private backgroundStep(): boolean {
    if (this.unsettled !== undefined) {
      this.settling = true;
      try {
        if (!this.pass) {
          if (this.alreadySettled()) {
            this.unsettled = undefined;
            return true;
          }
          this.settleAgain = false;
          this.runDueTimers();
          this.pass = { next: 0, before: this.version(), wake: undefined, working: undefined, resumed: false, wrote: false };
        }
        const pass = this.pass;
        pass.working ??= this.controllers[pass.next++]?.();
        if (pass.working) {
          const before = this.version();
          const step = pass.working.next(pass.resumed);
          pass.resumed = false;
          if (this.version() !== before) pass.wrote = true;
          if (!step.done) return true;
          pass.wake = earliest(pass.wake, step.value);
          pass.working = undefined;
        }
        if (pass.next < this.controllers.length) return true;
        this.pass = undefined;
        this.driverWake = pass.wake;
        if (this.version() !== pass.before || this.settleAgain) {
          // Only passes in which the controllers wrote count: API clients may write all along.
          if (pass.wrote && ++this.unsettled >= MAX_PASSES) throw this.notSettling();
        } else {
          this.unsettled = undefined;
          this.settledAt = { at: this.current, version: pass.before };
        }
      } finally {
        this.settling = false;
      }
      return true;
    }
    const target = (this.roundTarget ??= this.wallTarget());
    const next = this.nextWakeAt();
    if (next !== undefined && next <= target) {
      this.current = next;
      this.unsettled = 0;
      this.wokeOnTheWay = true;
      return true;
    }
    if (target > this.current) {
      this.current = target;
      if (!this.lazyTicks || this.wokeOnTheWay) this.unsettled = 0;
    }
    this.wokeOnTheWay = false;
    if (this.unsettled !== undefined) return true;
    this.roundTarget = undefined;
    return false;
  }

  private wallTarget(): number {
    return this.simStart + (performance.now() - this.realStart);
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
      if (this.slice) return; // the background settling is at work; it catches up with the wall clock
      const target = this.wallTarget();
      if (this.lazyTicks) {
        const due = Math.min(this.timers[0]?.at ?? Infinity, this.driverWake ?? Infinity);
        if (due > target) {
          this.current = Math.max(this.current, target); // nothing due: time passes, no controller runs
          return;
        }
      } else {
        this.unsettled ??= 0; // every tick runs the controllers
      }
      this.runInBackground();
    }, this.tickMs);
    this.ticker.unref();
  }

  stop(): void {
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.slice) clearImmediate(this.slice);
    this.slice = undefined;
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
