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
// The bucket is taken by a request hook of the app's own (withPacedWrites), outside the plugin,
// because only the hook sees the request: a GraphQL query creates no content and takes no token
// (the plugin queues it as a write: it cannot tell a query from a mutation), a mutation does. The
// plugin's own write queue is emptied (its `write` limiter, merged into its state as
// `state.write ?? groups.write`, runs each job at once). Retries (the throttle's and
// plugin-retry's) run inside the hook and take no token.

/** The part of a Bottleneck Group that plugin-throttling calls for its `write` limiter. */
export interface ThrottleGroup {
  key(id?: string): {
    schedule<R, A extends unknown[]>(options: { weight?: number }, fn: (...args: A) => R | PromiseLike<R>, ...args: A): Promise<R>;
  };
}

/** What the pacing reads of a request (Octokit's request options). */
export interface PacedRequest {
  method?: string;
  url?: string;
  /** A GraphQL request's document. */
  query?: unknown;
}

/** The app's token requests: never paced (plugin-throttling leaves them out of its write queue too). */
const AUTH_PATH = /^\/app\/installations\/[^/]+\/access_tokens$|^\/applications\/[^/]+\/token$/;

/**
 * Whether a request takes a token: a request that is not GET or HEAD, except a GraphQL document
 * without a mutation (a read) and the app's token requests. A document that merely names the
 * word "mutation" somewhere is taken for one: the safe side.
 */
export function takesToken(request: PacedRequest): boolean {
  const method = (request.method ?? "GET").toUpperCase();
  if (method === "GET" || method === "HEAD") return false;
  const path = new URL(request.url ?? "/", "http://github.test").pathname.replace(/^\/api(\/v3)?(?=\/)/, "");
  if (AUTH_PATH.test(path)) return false;
  if (path === "/graphql") return typeof request.query !== "string" || /\bmutation\b/.test(request.query);
  return true;
}

export interface WritePacingOptions {
  /**
   * Writes that go out at once after a quiet spell. Default 20: with the 1/s refill, at most
   * 20 + 60 = 80 in any minute, GitHub's content-creation limit. GraphQL queries take no token;
   * with 10, and before they were told apart, the reads of a pull request event and a merge
   * emptied the bucket and a crash loop's revert right after waited ~2 s (bench/revert-latency.ts).
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

/** Waits for a token when a request takes one (takesToken). */
export interface WritePacer {
  pace(request: PacedRequest): Promise<void>;
}

/** One bucket for the process (every installation shares GitHub's limits per app). */
export function pacedWrites(options: WritePacingOptions): WritePacer {
  const bucket = tokenBucket({ burst: options.burst ?? 20, perSecond: options.perSecond ?? 1, now: options.now });
  return {
    async pace(request) {
      if (!takesToken(request)) return;
      const wait = bucket.reserve();
      if (wait > 0) await options.sleep(wait);
    },
  };
}

/** The plugin's write queue, emptied: every job runs at once (the pacing is withPacedWrites' hook). */
export const unpacedGroup: ThrottleGroup = {
  key: () => ({ schedule: async (_options, fn, ...args) => fn(...args) }),
};

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

interface HookedOctokit {
  hook: {
    wrap(name: "request", wrapper: (request: (options: PacedRequest) => Promise<unknown>, options: PacedRequest) => Promise<unknown>): void;
  };
}

/**
 * The app's Octokit class with paced writes: a request hook that takes the bucket's tokens (its
 * plugin is added last, so it wraps the throttle and the retries), and the throttle's options
 * with the emptied write queue. The options are a function default, because Probot wraps the
 * class again and merges its own `throttle` options over object defaults (test/app/harness.ts says
 * the same of the test class); this one runs after Probot's, on every construction.
 */
export function withPacedWrites<C>(Octokit: C, pacer: WritePacer): C {
  const own = throttleOptions(unpacedGroup);
  const pacing = (octokit: HookedOctokit): void =>
    octokit.hook.wrap("request", async (request, options) => {
      await pacer.pace(options);
      return request(options);
    });
  const Class = Octokit as unknown as {
    plugin(plugin: (octokit: HookedOctokit) => void): { defaults(fn: (options: Record<string, unknown>) => Record<string, unknown>): C };
  };
  return Class.plugin(pacing).defaults((options) => ({ ...options, throttle: { ...(options["throttle"] as object | undefined), ...own } }));
}
