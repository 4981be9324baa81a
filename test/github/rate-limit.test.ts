import nock from "nock";
import { describe, expect, it } from "vitest";
import { repositoryPermission } from "../../src/github/permission.ts";
import { RateLimitedError, rateLimitWait, withRetryAfter } from "../../src/github/rate-limit.ts";
import { replyToIssue } from "../../src/github/reactions.ts";
import { ProbotOctokit } from "probot";
import { api, repo, strictNock, testOctokit } from "./helpers.ts";

strictNock();

const secondary = { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." };
const commentsPath = "/repos/acme/gitops/issues/7/comments";
const created = { id: 1, html_url: "https://github.com/acme/gitops/pull/7#issuecomment-1" };

/** Records the waits instead of waiting. */
function fakeSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe("withRetryAfter", () => {
  it("waits retry-after seconds on a secondary rate limit (403), then retries", async () => {
    const octokit = testOctokit();
    nock(api).post(commentsPath).reply(403, secondary, { "retry-after": "30" });
    nock(api).post(commentsPath).reply(201, created);
    const { waits, sleep } = fakeSleep();

    const result = await withRetryAfter(() => replyToIssue(octokit, { repo, issueNumber: 7, body: "hi" }), { sleep });

    expect(result.id).toBe(1);
    expect(waits).toEqual([30_000]);
  });

  it("waits until x-ratelimit-reset when the quota is spent (429), by the injected clock", async () => {
    const octokit = testOctokit();
    const now = Date.UTC(2025, 0, 1, 12, 0, 0);
    nock(api)
      .post(commentsPath)
      .reply(429, { message: "API rate limit exceeded" }, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 9) });
    nock(api).post(commentsPath).reply(201, created);
    const { waits, sleep } = fakeSleep();

    await withRetryAfter(() => replyToIssue(octokit, { repo, issueNumber: 7, body: "hi" }), { sleep, now: () => now });

    expect(waits).toEqual([10_000]);
  });

  it("throws RateLimitedError without waiting when GitHub asks for longer than allowed", async () => {
    const octokit = testOctokit();
    nock(api).post(commentsPath).reply(403, secondary, { "retry-after": "600" });
    const { waits, sleep } = fakeSleep();

    const error = await withRetryAfter(() => replyToIssue(octokit, { repo, issueNumber: 7, body: "hi" }), {
      sleep,
      maxWaitSeconds: 120,
    }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ waitSeconds: 600 });
    expect((error as Error).cause).toMatchObject({ status: 403 });
    expect(waits).toEqual([]);
  });

  it("gives up after `attempts` tries, having waited between them", async () => {
    const octokit = testOctokit();
    nock(api).post(commentsPath).times(3).reply(403, secondary, { "retry-after": "5" });
    const { waits, sleep } = fakeSleep();

    await expect(
      withRetryAfter(() => replyToIssue(octokit, { repo, issueNumber: 7, body: "hi" }), { sleep, attempts: 3 }),
    ).rejects.toBeInstanceOf(RateLimitedError);
    expect(waits).toEqual([5_000, 5_000]);
  });

  it("falls back to one minute, doubling, for a secondary limit without headers", async () => {
    const octokit = testOctokit();
    nock(api).post(commentsPath).times(2).reply(403, secondary);
    nock(api).post(commentsPath).reply(201, created);
    const { waits, sleep } = fakeSleep();

    await withRetryAfter(() => replyToIssue(octokit, { repo, issueNumber: 7, body: "hi" }), { sleep, maxWaitSeconds: 300 });

    expect(waits).toEqual([60_000, 120_000]);
  });

  it("does not retry a 403 that is not a rate limit", async () => {
    const octokit = testOctokit();
    nock(api).get("/repos/acme/gitops/collaborators/octocat/permission").reply(403, { message: "Resource not accessible by integration" });
    const { waits, sleep } = fakeSleep();

    await expect(withRetryAfter(() => repositoryPermission(octokit, { repo, username: "octocat" }), { sleep })).rejects.toMatchObject({
      status: 403,
    });
    expect(waits).toEqual([]);
  });

  it("honours retry-after on a GraphQL RATE_LIMITED answer", async () => {
    const octokit = testOctokit();
    nock(api)
      .post("/graphql")
      .reply(200, { data: null, errors: [{ type: "RATE_LIMITED", message: "API rate limit exceeded" }] }, { "retry-after": "3" });
    nock(api)
      .post("/graphql")
      .reply(200, { data: { viewer: { login: "kustodian[bot]" } } });
    const { waits, sleep } = fakeSleep();

    const result = await withRetryAfter(() => octokit.graphql<{ viewer: { login: string } }>("query { viewer { login } }"), { sleep });

    expect(result.viewer.login).toBe("kustodian[bot]");
    expect(waits).toEqual([3_000]);
  });
});

describe("withRetryAfter with throttling on, as a Probot app configures it", () => {
  it("retries the secondary rate limit that Probot's throttling options only log", async () => {
    const logged: number[] = [];
    // Probot's app-level throttle options (lib/octokit/get-octokit-throttle-options.js): the
    // secondary-limit handler logs and returns nothing, so plugin-throttling does not retry.
    const octokit = new ProbotOctokit({
      auth: { token: "test" },
      retry: { enabled: false },
      throttle: { onSecondaryRateLimit: (retryAfter: number) => void logged.push(retryAfter), onRateLimit: () => false },
    });
    const path = "/repos/acme/gitops/collaborators/octocat/permission";
    nock(api).get(path).reply(403, secondary, { "retry-after": "7" });
    nock(api).get(path).reply(200, { permission: "write", role_name: "write", user: null });
    const { waits, sleep } = fakeSleep();

    const permission = await withRetryAfter(() => repositoryPermission(octokit, { repo, username: "octocat" }), { sleep });

    expect(permission).toBe("write");
    expect(logged).toEqual([7]);
    expect(waits).toEqual([7_000]);
  });
});

describe("rateLimitWait", () => {
  it("reads an HTTP-date retry-after against the clock", () => {
    const error = Object.assign(new Error("limited"), {
      status: 429,
      response: { headers: { "retry-after": "Wed, 01 Jan 2025 12:00:30 GMT" } },
    });
    expect(rateLimitWait(error, Date.UTC(2025, 0, 1, 12, 0, 0))).toBe(30);
  });

  it("is undefined for errors that are not rate limits", () => {
    expect(rateLimitWait(new Error("boom"), 0)).toBeUndefined();
    expect(rateLimitWait(Object.assign(new Error("Not Found"), { status: 404, response: { headers: {} } }), 0)).toBeUndefined();
  });
});
