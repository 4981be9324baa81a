// Injectable faults for the API server: failing requests, slow responses, 410 Gone on the next
// watch, dropped watch connections, and etcd compaction.

export type PathMatch = string | RegExp;

export interface FailOptions {
  /** HTTP status to answer with. Default 500. */
  status?: number;
  /** Only requests whose path (with query string) contains this string or matches this RegExp. */
  path?: PathMatch;
  /** Only requests with this method (GET, POST, ...). */
  method?: string;
}

export interface DelayOptions {
  /** How many requests to delay. Default: every request until clear(). */
  count?: number;
  path?: PathMatch;
}

export interface GoneOptions {
  count?: number;
  path?: PathMatch;
  /**
   * event (default): HTTP 200 then an ERROR watch event carrying a 410 Status, as the API
   * server answers a watch from a compacted resourceVersion. status: an HTTP 410 response.
   */
  as?: "event" | "status";
}

export interface DropOptions {
  /** close (default): end the stream cleanly, as the API server does on its watch timeout.
   *  reset: destroy the socket, as a network failure or a proxy does. */
  mode?: "close" | "reset";
  path?: PathMatch;
}

interface Rule<T> {
  remaining: number;
  path: PathMatch | undefined;
  method: string | undefined;
  value: T;
}

function matches(rule: { path: PathMatch | undefined; method: string | undefined }, method: string, path: string): boolean {
  if (rule.method && rule.method.toUpperCase() !== method.toUpperCase()) return false;
  if (rule.path === undefined) return true;
  return typeof rule.path === "string" ? path.includes(rule.path) : rule.path.test(path);
}

function take<T>(rules: Rule<T>[], method: string, path: string): T | undefined {
  const rule = rules.find((r) => r.remaining > 0 && matches(r, method, path));
  if (!rule) return undefined;
  rule.remaining--;
  return rule.value;
}

export interface WatchDropper {
  dropWatches(options: DropOptions): number;
}

export interface Compactor {
  compact(): void;
}

export class Faults {
  /** Every request a delay was applied to, in order. */
  readonly delayed: { method: string; path: string; ms: number }[] = [];
  private failures: Rule<number>[] = [];
  private delays: Rule<number>[] = [];
  private gones: Rule<"event" | "status">[] = [];
  private dropper: WatchDropper | undefined;
  private compactor: Compactor | undefined;

  /** Wired by startSimulator. */
  connect(dropper: WatchDropper, compactor: Compactor): void {
    this.dropper = dropper;
    this.compactor = compactor;
  }

  /** Answers the next `count` matching requests with an error Status (500 by default). */
  failNext(count = 1, options: FailOptions = {}): void {
    this.failures.push({ remaining: count, path: options.path, method: options.method, value: options.status ?? 500 });
  }

  /** Delays matching responses by ms of real time. */
  delay(ms: number, options: DelayOptions = {}): void {
    this.delays.push({ remaining: options.count ?? Infinity, path: options.path, method: undefined, value: ms });
  }

  /** Answers the next watch request(s) with 410 Gone. */
  goneOnNextWatch(options: GoneOptions = {}): void {
    this.gones.push({ remaining: options.count ?? 1, path: options.path, method: undefined, value: options.as ?? "event" });
  }

  /** Ends every open watch connection; returns how many were dropped. */
  dropWatches(options: DropOptions = {}): number {
    return this.dropper?.dropWatches(options) ?? 0;
  }

  /** Forgets the watch history: every watch that resumes from an older resourceVersion gets 410. */
  compact(): void {
    this.compactor?.compact();
  }

  clear(): void {
    this.failures = [];
    this.delays = [];
    this.gones = [];
  }

  takeFailure(method: string, path: string): number | undefined {
    return take(this.failures, method, path);
  }

  takeDelay(method: string, path: string): number | undefined {
    const ms = take(this.delays, method, path);
    if (ms !== undefined) this.delayed.push({ method, path, ms });
    return ms;
  }

  takeGone(path: string): "event" | "status" | undefined {
    return take(this.gones, "GET", path);
  }
}
