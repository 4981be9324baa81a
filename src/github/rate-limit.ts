import { graphqlErrorsOf, headersOf, statusOf } from "./http-error.ts";

/** GitHub asked kustodian to wait longer than it is willing to, or kept refusing. */
export class RateLimitedError extends Error {
  /** How long GitHub asked to wait, in seconds. */
  readonly waitSeconds: number;
  constructor(waitSeconds: number, reason: string, options?: ErrorOptions) {
    super(`GitHub rate limit: ${reason}; it asks to wait ${waitSeconds} s`, options);
    this.name = "RateLimitedError";
    this.waitSeconds = waitSeconds;
  }
}

export interface RetryAfterOptions {
  /** Waits the given number of milliseconds (injected: tests record the waits, production uses a timer). */
  sleep: (ms: number) => Promise<void>;
  /** A wait longer than this is not slept: RateLimitedError is thrown instead. Default 60. */
  maxWaitSeconds?: number;
  /** Tries in all, the first included. Default 3. */
  attempts?: number;
  /** The clock, for `x-ratelimit-reset` (epoch seconds). Default Date.now. */
  now?: () => number;
}

/**
 * `fn`, retried after the wait GitHub asks for when it answers with a rate limit.
 *
 * Octokit's plugins leave this to us: plugin-retry does not retry 4xx, and Probot's throttling
 * options only log secondary rate limits. A rate limit is a 403 or 429 (or a GraphQL
 * `RATE_LIMITED` error) and the wait is, in GitHub's documented order: `retry-after` seconds;
 * else, with `x-ratelimit-remaining: 0`, until `x-ratelimit-reset` (plus one second); else, for
 * a message naming a secondary rate limit, one minute doubling on each retry. Other errors,
 * including a 403 for missing permissions, are rethrown at once.
 *
 * A wait over `maxWaitSeconds`, or a limit still hit on the last attempt, throws
 * RateLimitedError (with the wait and the original error as cause), so a webhook handler can
 * give up quickly and say so rather than hold the delivery.
 */
export async function withRetryAfter<T>(fn: () => Promise<T>, options: RetryAfterOptions): Promise<T> {
  const maxWaitSeconds = options.maxWaitSeconds ?? 60;
  const attempts = options.attempts ?? 3;
  const now = options.now ?? Date.now;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const wait = rateLimitWait(error, now(), attempt);
      if (wait === undefined) throw error;
      if (wait > maxWaitSeconds) {
        throw new RateLimitedError(wait, `the wait is longer than the ${maxWaitSeconds} s allowed`, { cause: error });
      }
      if (attempt >= attempts) throw new RateLimitedError(wait, `still limited after ${attempts} attempts`, { cause: error });
      await options.sleep(wait * 1000);
    }
  }
}

/**
 * Seconds to wait before retrying after `error`, or undefined when it is not a rate limit.
 * `attempt` (1-based) doubles the fallback wait of a secondary limit without headers.
 */
export function rateLimitWait(error: unknown, nowMs: number, attempt = 1): number | undefined {
  const status = statusOf(error);
  const graphqlLimited = graphqlErrorsOf(error).some((e) => e.type === "RATE_LIMITED");
  if (!(status === 403 || status === 429 || graphqlLimited)) return undefined;

  const headers = headersOf(error);
  const retryAfter = parseRetryAfter(headers["retry-after"], nowMs);
  if (retryAfter !== undefined) return retryAfter;

  const remaining = headers["x-ratelimit-remaining"];
  const reset = Number(headers["x-ratelimit-reset"]);
  if (String(remaining) === "0" && Number.isFinite(reset) && reset > 0) {
    return Math.max(0, Math.ceil(reset - nowMs / 1000)) + 1;
  }

  const message = error instanceof Error ? error.message : "";
  if (/secondary rate limit/i.test(message) || status === 429 || graphqlLimited) return 60 * 2 ** (attempt - 1);
  return undefined;
}

/** `retry-after` is seconds, or an HTTP date. */
function parseRetryAfter(value: string | number | undefined, nowMs: number): number | undefined {
  if (value === undefined || value === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(String(value));
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - nowMs) / 1000));
}
