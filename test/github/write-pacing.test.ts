// The app's write pacing (src/github/write-pacing.ts): writes in a row are not spaced 1 s apart,
// a long burst is paced, and a secondary rate limit is retried after GitHub's retry-after. The
// Octokit is the app's (ProbotOctokit through Probot, as src/app/server.ts makes it), its bucket
// on a clock that stands still, so every wait it would ask for is recorded instead of slept.
import { generateKeyPairSync } from "node:crypto";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import {
  pacedWrites,
  retriesSecondaryLimit,
  takesToken,
  tokenBucket,
  withPacedWrites,
  type PacedRequest,
} from "../../src/github/write-pacing.ts";

const api = "https://api.github.com";
const installationId = 4242;
const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
  publicKeyEncoding: { type: "spki", format: "pem" },
});

afterEach(() => {
  nock.cleanAll();
  nock.enableNetConnect();
});

describe("tokenBucket", () => {
  it("lets a burst go at once, then paces at the refill rate, and refills while quiet", () => {
    let now = 0;
    const bucket = tokenBucket({ burst: 3, perSecond: 1, now: () => now });
    expect([bucket.reserve(), bucket.reserve()]).toEqual([0, 0]);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 1000, 2000]);
    now = 10_000; // long quiet: full again, never more than the burst
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0, 1000]);
  });
});

describe("takesToken", () => {
  it.each<[string, PacedRequest, boolean]>([
    ["a REST write", { method: "POST", url: "/repos/a/b/deployments/7/statuses" }, true],
    ["a REST delete", { method: "DELETE", url: "/repos/a/b/git/refs/heads/x" }, true],
    ["a REST read", { method: "GET", url: "/repos/a/b/git/trees/main" }, false],
    ["a GraphQL query", { method: "POST", url: "/graphql", query: "query($owner: String!) { repository(owner: $owner) { id } }" }, false],
    ["an anonymous GraphQL query", { method: "POST", url: "/graphql", query: "{ viewer { login } }" }, false],
    [
      "a GraphQL mutation",
      { method: "POST", url: "/graphql", query: "mutation { createCommitOnBranch(input: {}) { commit { oid } } }" },
      true,
    ],
    ["a GraphQL request without a document", { method: "POST", url: "/graphql" }, true],
    [
      "a query against GitHub Enterprise's /api/graphql",
      { method: "POST", url: "https://ghe.example/api/graphql", query: "{ viewer { login } }" },
      false,
    ],
    ["the app's installation token", { method: "POST", url: "/app/installations/4242/access_tokens" }, false],
  ])("%s: %s", (_what, request, expected) => {
    expect(takesToken(request)).toBe(expected);
  });
});

describe("pacedWrites", () => {
  it("waits only for writes beyond the burst; reads and GraphQL queries take no token", async () => {
    const waits: number[] = [];
    const pacer = pacedWrites({ burst: 2, now: () => 0, sleep: async (ms) => void waits.push(ms) });
    await pacer.pace({ method: "POST", url: "/repos/a/b/statuses/x" });
    await pacer.pace({ method: "POST", url: "/graphql", query: "{ viewer { login } }" });
    await pacer.pace({ method: "GET", url: "/repos/a/b" });
    await pacer.pace({ method: "POST", url: "/graphql", query: "mutation { x }" });
    expect(waits).toEqual([]);
    await pacer.pace({ method: "PATCH", url: "/repos/a/b/issues/comments/1" });
    expect(waits).toEqual([1000]);
  });
});

describe("retriesSecondaryLimit", () => {
  it.each([
    [1, 0, true],
    [60, 1, true],
    [61, 0, false],
    [1, 2, false],
  ])("retry-after %i s, retry %i: %s", (retryAfter, retryCount, expected) => {
    expect(retriesSecondaryLimit(retryAfter, retryCount)).toBe(expected);
  });
});

/** An installation Octokit of a Probot app whose Octokit class is `Octokit` (Probot adds its throttle options, as in production). */
async function installationOctokit(Octokit: typeof ProbotOctokit) {
  const probot = new Probot({ appId: 1, privateKey, secret: "s", logLevel: "fatal", Octokit });
  return probot.auth(installationId);
}

function tokenScope() {
  return nock(api)
    .post(`/app/installations/${installationId}/access_tokens`)
    .reply(201, { token: "ghs_test", expires_at: "2099-01-01T00:00:00Z", permissions: {}, repository_selection: "all" });
}

const status = { owner: "acme", repo: "gitops", deployment_id: 7, state: "in_progress" as const, description: "Reverting" };
const mutation = "mutation { createCommitOnBranch(input: {}) { commit { oid } } }";

/** The app's Octokit class (server.ts) with a bucket whose clock stands still; the waits it asks for are recorded, not slept. */
function appOctokitClass(burst?: number) {
  const waits: number[] = [];
  const paced: PacedRequest[] = [];
  const pacer = pacedWrites({ ...(burst ? { burst } : {}), now: () => 0, sleep: async (ms) => void waits.push(ms) });
  const counting = { pace: (request: PacedRequest) => (paced.push(request), pacer.pace(request)) };
  // GitHub's retry-after is honoured in seconds of 0 ms here (plugin-throttling's retryAfterBaseValue, 1000 in production).
  const Scaled = ProbotOctokit.defaults((options: Record<string, unknown>) => ({
    ...options,
    throttle: { ...(options["throttle"] as object), retryAfterBaseValue: 0 },
  }));
  return { Octokit: withPacedWrites(Scaled, counting), waits, paced };
}

describe("the app's Octokit (Probot's throttle plugin with the paced write queue)", () => {
  it("sends a status write, GraphQL reads and a GraphQL commit in a row, the reads taking no token, none held", async () => {
    nock.disableNetConnect();
    const arrived: string[] = [];
    tokenScope()
      .post("/repos/acme/gitops/deployments/7/statuses")
      .reply(() => (arrived.push("status"), [201, { id: 1 }]))
      .post("/graphql", (body: { query: string }) => body.query.startsWith("query"))
      .times(3)
      .reply(() => (arrived.push("query"), [200, { data: {} }]))
      .post("/graphql", (body: { query: string }) => body.query.startsWith("mutation"))
      .reply(() => (arrived.push("mutation"), [200, { data: {} }]));
    // A bucket of 2: the status and the commit. Were the reads writes, the commit would wait 3 s.
    const { Octokit, waits, paced } = appOctokitClass(2);
    const octokit = await installationOctokit(Octokit);
    await octokit.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", status);
    for (let i = 0; i < 3; i++) await octokit.graphql("query { viewer { login } }");
    await octokit.graphql(mutation);
    expect(arrived).toEqual(["status", "query", "query", "query", "mutation"]);
    // Every request went through the app's pacing (not the plugin's 1 s queue); the status and the
    // commit took tokens, the reads none; none was held.
    expect(paced.filter((r) => r.url === "/graphql")).toHaveLength(4);
    expect(paced.filter(takesToken).map((r) => r.url)).toEqual(["/repos/{owner}/{repo}/deployments/{deployment_id}/statuses", "/graphql"]);
    expect(waits).toEqual([]);
    expect(nock.isDone()).toBe(true);
  });

  it("paces a burst longer than the bucket: the writes beyond it wait 1 s each", async () => {
    nock.disableNetConnect();
    tokenScope().post("/repos/acme/gitops/deployments/7/statuses").times(4).reply(201, { id: 1 });
    const { Octokit, waits } = appOctokitClass(2);
    const octokit = await installationOctokit(Octokit);
    for (let i = 0; i < 4; i++) await octokit.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", status);
    expect(waits).toEqual([1000, 2000]);
  });

  it("retries a secondary rate limit after GitHub's retry-after, and gives up on a wait over a minute", async () => {
    nock.disableNetConnect();
    const limited = { message: "You have exceeded a secondary rate limit. Please wait a few minutes before you try again." };
    tokenScope()
      .post("/repos/acme/gitops/deployments/7/statuses")
      .reply(403, limited, { "retry-after": "3" })
      .post("/repos/acme/gitops/deployments/7/statuses")
      .reply(201, { id: 1 })
      .post("/repos/acme/gitops/deployments/8/statuses")
      .reply(403, limited, { "retry-after": "120" });
    const { Octokit, paced } = appOctokitClass();
    const octokit = await installationOctokit(Octokit);
    const written = await octokit.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", status);
    expect(written.status).toBe(201);
    const refused = await octokit
      .request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", { ...status, deployment_id: 8 })
      .catch((error: unknown) => error as { status?: number });
    expect((refused as { status?: number }).status).toBe(403);
    expect(nock.isDone()).toBe(true);
    // The retry took no token of its own: two tokens taken, three requests sent.
    expect(paced.filter(takesToken)).toHaveLength(2);
  });
});
