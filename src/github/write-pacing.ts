// How the app's Octokit paces writes (issue 13: the verdict-to-revert path is not queued behind
// other writes).
//
// @octokit/plugin-throttling, which ProbotOctokit always loads, starts every write AND every
// GraphQL request (reads included: it cannot tell a query from a mutation) through one queue per
// process, one at a time, at least 1 s apart (lib: dist-src/index.js, group "octokit-write",
// minTime 1000). A revert is a status write, GraphQL reads and a GraphQL commit: seconds of
// waiting, though GitHub's secondary limits concern bursts of content creation (no more than 100
// concurrent requests, 80 content-generating requests a minute, 500 an hour), not two writes in
// a row. So the write queue here is a token bucket: up to `burst` writes go out at once, and a
// longer burst is paced at `perSecond` (1/s: the plugin's own long-run pace, under 80 a minute).
// When GitHub still answers with a secondary limit, the request is retried after its
// `retry-after` (Probot's own handler only logs it); a longer wait is left to the caller
// (src/github/rate-limit.ts, withRetryAfter, for webhook work).
//
// The bucket is passed as the plugin's `write` limiter (its options are merged into its state,
// `state.write ?? groups.write`): an object with `key(id).schedule(jobOptions, fn, ...args)`, as
// a Bottleneck Group is. Retries are scheduled with `weight: 0` and take no token.

/** The part of a Bottleneck Group that plugin-throttling calls for its `write` limiter. */
export interface ThrottleGroup {
  key(id?: string): {
    schedule<R, A extends unknown[]>(options: { weight?: number }, fn: (...args: A) => R | PromiseLike<R>, ...args: A): Promise<R>;
  };
}

export interface WritePacingOptions {
  /**
   * Writes that go out at once after a quiet spell. Default 20: with the 1/s refill, at most
   * 20 + 60 = 80 in any minute, GitHub's content-creation limit, though GraphQL reads take tokens
   * too (the plugin cannot tell a query from a mutation). With 10, the GraphQL reads of a pull
   * request event and a merge emptied the bucket, and a crash loop's revert right after waited
   * ~2 s (bench/revert-latency.ts).
   */
  burst?: number;
  /** Writes per second a longer burst is paced at. Default 1. */
  perSecond?: number;
  /** The clock, ms (injected: tests drive it). */
  now: () => number;
  /** Waits ms (injected: tests record the waits). */
  sleep: (ms: number) => Promise<void>;
}

/** A token bucket: `reserve()` takes a token and answers how long to wait for it (0 while tokens are left). Pure but for the clock. */
export function tokenBucket(options: { burst: number; perSecond: number; now: () => number }): { reserve(): number } {
  let tokens = options.burst;
  let last = options.now();
  return {
    reserve() {
      const t = options.now();
      tokens = Math.min(options.burst, tokens + ((t - last) / 1000) * options.perSecond);
      last = t;
      tokens -= 1; // below 0: owed, repaid by the wait, first come first served
      return tokens >= 0 ? 0 : Math.ceil((-tokens / options.perSecond) * 1000);
    },
  };
}

/** The plugin's `write` limiter: one bucket for the process (every installation shares GitHub's limits per app). */
export function pacedWrites(options: WritePacingOptions): ThrottleGroup {
  const bucket = tokenBucket({ burst: options.burst ?? 20, perSecond: options.perSecond ?? 1, now: options.now });
  const group = {
    async schedule<R, A extends unknown[]>(
      jobOptions: { weight?: number },
      fn: (...args: A) => R | PromiseLike<R>,
      ...args: A
    ): Promise<R> {
      if (jobOptions.weight !== 0) {
        const wait = bucket.reserve();
        if (wait > 0) await options.sleep(wait);
      }
      return fn(...args);
    },
  };
  return { key: () => group };
}

/** How often, and for how long at most, a request that met a secondary rate limit is retried here. */
export const secondaryLimitRetries = 2;
export const secondaryLimitMaxWaitSeconds = 60;

/** Whether plugin-throttling retries after a secondary rate limit (it waits `retryAfter` s first). */
export function retriesSecondaryLimit(retryAfterSeconds: number, retryCount: number): boolean {
  return retryCount < secondaryLimitRetries && retryAfterSeconds <= secondaryLimitMaxWaitSeconds;
}

interface LimitedRequest {
  method?: string;
  url?: string;
}
interface OctokitWithLog {
  log: { warn(message: string): void };
}

/**
 * The `throttle` options of the app's Octokit: the paced write queue and a secondary-limit
 * handler that retries. Merged over Probot's (which keep their primary rate-limit handler).
 */
export function throttleOptions(write: ThrottleGroup) {
  return {
    write,
    onSecondaryRateLimit: (retryAfter: number, request: LimitedRequest, octokit: OctokitWithLog, retryCount: number): boolean => {
      const retry = retriesSecondaryLimit(retryAfter, retryCount);
      octokit.log.warn(
        `GitHub secondary rate limit on ${request.method ?? ""} ${request.url ?? ""}: ${retry ? `retrying in ${retryAfter} s` : "not retried"}`,
      );
      return retry;
    },
  };
}

/**
 * The app's Octokit class with paced writes. A function default, because Probot wraps the class
 * again and merges its own `throttle` options over object defaults (test/app/harness.ts says the
 * same of the test class); this one runs after Probot's, on every construction.
 */
export function withPacedWrites<C extends { defaults(fn: (options: Record<string, unknown>) => Record<string, unknown>): C }>(
  Octokit: C,
  write: ThrottleGroup,
): C {
  const own = throttleOptions(write);
  return Octokit.defaults((options) => ({ ...options, throttle: { ...(options["throttle"] as object | undefined), ...own } }));
}
