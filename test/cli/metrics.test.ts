import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.ts";
import { api, strictNock } from "../github/helpers.ts";

strictNock();

const sha = (c: string) => c.repeat(40);
const payload = (mergeSha: string, pr: number | null, revertOf?: string) =>
  JSON.stringify({
    kustodian: 1,
    mergeSha,
    baseSha: sha("0"),
    pr,
    title: "t",
    workloads: ["wordpress"],
    target: {
      context: "prod",
      namespace: "wp",
      sync: { tool: "argocd", application: "wp", namespace: "argocd" },
      slackSeconds: 2,
      mergedAt: "2026-03-01T10:00:00Z",
    },
    ...(revertOf ? { revertOf: { mergeSha: revertOf, pr: 1 } } : {}),
  });
/** The app's own account as GraphQL names a status's creator. */
const kustodianBot = { __typename: "Bot", login: "kustodian" };
const node = (id: number, mergeSha: string, createdAt: string, state: string, at: string, p: string, creator = "kustodian") => ({
  databaseId: id,
  commitOid: mergeSha,
  environment: "prod",
  task: "deploy",
  description: "kustodian",
  payload: p,
  createdAt,
  creator: { __typename: creator === "kustodian" ? "Bot" : "User", login: creator },
  latestStatus: { state, description: null, environmentUrl: null, logUrl: null, createdAt: at, creator: kustodianBot },
});

function io(cwd: string) {
  let out = "";
  let err = "";
  return {
    io: { cwd, stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } },
    out: () => out,
    err: () => err,
  };
}

// The tests set and clear GITHUB_TOKEN; whatever this process had is put back after each (test
// files share their process).
const tokenBefore = process.env.GITHUB_TOKEN;
afterEach(() => {
  if (tokenBefore === undefined) delete process.env.GITHUB_TOKEN;
  else process.env.GITHUB_TOKEN = tokenBefore;
});

describe("kustodian metrics", () => {
  it("reads the app's Deployments and each change's first commit, and prints the figures", async () => {
    const now = Date.now();
    const ago = (min: number) => new Date(now - min * 60_000).toISOString();
    nock(api)
      .post("/graphql", (b: { query: string }) => b.query.includes("deployments("))
      .reply(200, {
        data: {
          repository: {
            deployments: {
              pageInfo: { hasNextPage: false, endCursor: null },
              nodes: [
                node(4, sha("d"), ago(50), "SUCCESS", ago(40), payload(sha("d"), null, sha("c"))),
                node(3, sha("c"), ago(70), "FAILURE", ago(60), payload(sha("c"), 2)),
                node(2, sha("b"), ago(200), "INACTIVE", ago(70), payload(sha("b"), 1)),
                node(1, sha("a"), ago(100), "SUCCESS", ago(90), payload(sha("a"), 1), "mallory"), // not the app's: ignored
              ],
            },
          },
        },
      });
    nock(api)
      .get("/repos/acme/gitops/deployments/2/statuses")
      .query(true)
      .reply(200, [
        { id: 22, state: "inactive", description: "", log_url: "", created_at: ago(70), creator: { login: "kustodian[bot]", type: "Bot" } },
        { id: 21, state: "success", description: "", log_url: "", created_at: ago(180), creator: { login: "kustodian[bot]", type: "Bot" } },
      ]);
    // Not a clone of the repository: the first commits come from the pull requests.
    nock(api)
      .get("/repos/acme/gitops/pulls/1/commits")
      .query(true)
      .reply(200, [{ commit: { author: { date: ago(300) } } }]);
    nock(api)
      .get("/repos/acme/gitops/pulls/2/commits")
      .query(true)
      .reply(200, [{ commit: { author: { date: ago(90) } } }]);

    const cwd = await mkdtemp(join(tmpdir(), "kustodian-metrics-"));
    const t = io(cwd);
    process.env.GITHUB_TOKEN = "ghs_test";
    const code = await main(["metrics", "--repo", "acme/gitops", "--since", "1d", "--format", "json"], t.io);
    delete process.env.GITHUB_TOKEN;
    expect(t.err()).toBe("");
    expect(code).toBe(0);
    const row = JSON.parse(t.out()).rows[0];
    expect(row).toMatchObject({
      app: "gitops",
      environment: "prod",
      deployments: 3,
      leadTime: { medianSeconds: 120 * 60, count: 1 }, // #1: first commit 300 min ago, Healthy 180 min ago
      changeFailureRate: { rate: 0.5, failed: 1, changes: 2 },
      timeToRestore: { medianSeconds: 20 * 60, count: 1, unrestored: 0 }, // failed 60 min ago, revert Healthy 40 min ago
    });
  });

  it("says what is missing: no token, a bad --since", async () => {
    const t = io(tmpdir());
    delete process.env.GITHUB_TOKEN;
    expect(await main(["metrics", "--repo", "acme/gitops"], t.io)).toBe(2);
    expect(t.err()).toContain("set GITHUB_TOKEN");
    expect(await main(["metrics", "--since", "a month"], t.io)).toBe(2);
    expect(t.err()).toContain('--since must be a duration such as 30d or 12h, got "a month"');
  });
});
