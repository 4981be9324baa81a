import nock from "nock";
import { describe, expect, it } from "vitest";
import { publishCheckRun } from "../../src/github/checks.ts";
import { readBranchHead } from "../../src/github/branch-head.ts";
import { gitBlobId } from "../../src/github/blob-cache.ts";
import { commitToBranch, commitWithRetry } from "../../src/github/commit.ts";
import { readPullRequestContext } from "../../src/github/pull-request-context.ts";
import { readGitOpsFilesAt, readGitOpsFilesAtCommits } from "../../src/github/read-files.ts";
import { upsertStickyComments } from "../../src/github/sticky-comments.ts";
import { layoutFiles } from "../../src/layout/layout.ts";
import { api, repo, sha, strictNock, testOctokit } from "./helpers.ts";

strictNock();

/**
 * The README's per-event budget ("Call budget"), composed from the adapter as the pull request
 * handler uses it (src/app/pull-request-flow.ts): the context in one query, the base's and the
 * head's trees, their blobs in one query per round and per 100, the commit if the regenerated
 * overlays differ, the plan comment and the check run.
 *
 * How calls are counted: one HTTP request is one call. A read is a GET or a GraphQL query (one
 * query with 100 aliases is ONE read); a write is any other REST method or a GraphQL mutation
 * (createCommitOnBranch with 50 files is ONE write: kustodian never commits through the REST git
 * data API, which would take a blob per file, a tree, a commit and a ref update). The hook below
 * counts them, and strictNock fails on any request without an interceptor and on any
 * interceptor left unused, so the interceptors ARE the calls.
 */
function counted() {
  const octokit = testOctokit();
  const count = { reads: 0, writes: 0 };
  octokit.hook.before("request", (options) => {
    const query = (options as { query?: unknown }).query;
    const read = options.method === "GET" || (options.url === "/graphql" && typeof query === "string" && !/^\s*mutation\b/.test(query));
    count[read ? "reads" : "writes"]++;
  });
  return { octokit, count };
}

const base = sha("b");
const bot = { __typename: "Bot", login: "kustodian" };

/** n environments, each an environment file and an overlay, every file its own blob. */
function files(n: number, tag: string, overlayTag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    out.set(`environments/env-${i}.yaml`, `# env-${i}\nimage: wordpress:${tag}\n`);
    out.set(`overlays/env-${i}/kustomization.yaml`, `# env-${i}\nnewTag: ${overlayTag}\n`);
  }
  return out;
}

function mockTree(commit: string, content: Map<string, string>) {
  const tree = [...content].map(([path, text]) => ({ path, mode: "100644", type: "blob", sha: gitBlobId(text), size: text.length }));
  nock(api)
    .get(`/repos/acme/gitops/git/trees/${commit}`)
    .query({ recursive: "1" })
    .reply(200, { sha: sha("7"), truncated: false, tree });
}

/** One blob query, answered from `content` by the object ids it asks for. */
function mockBlobs(...contents: Map<string, string>[]) {
  const byId = new Map(contents.flatMap((c) => [...c.values()]).map((t) => [gitBlobId(t), t]));
  nock(api)
    .post("/graphql", (body: { query: string }) => body.query.includes("on Blob") && !body.query.includes("kustodianPullRequestContext"))
    .reply(200, async (req: Request) => {
      const { variables } = (await req.json()) as { variables: Record<string, string> };
      const repository = Object.fromEntries(
        Object.entries(variables)
          .filter(([k]) => /^b\d+$/.test(k))
          .map(([k, id]) => [k, { text: byId.get(id), isBinary: false, isTruncated: false, byteSize: byId.get(id)!.length }]),
      );
      return { data: { repository } };
    });
}

/** The context query: no configuration, no organisation `.github` repository, the plan comment when there is one. */
function mockContext(planComment: string | undefined) {
  nock(api)
    .post("/graphql", (body: { query: string }) => body.query.includes("kustodianPullRequestContext"))
    .reply(200, {
      data: {
        repository: {
          config: null,
          pullRequest: {
            comments: {
              pageInfo: { hasNextPage: false, endCursor: null },
              nodes: planComment ? [{ fullDatabaseId: "10", url: "c", body: planComment, author: bot }] : [],
            },
          },
          head: { refUpdateRule: null },
          issues: { nodes: [] },
          p0: null,
          p1: null,
          p2: null,
          p3: null,
        },
        org: null,
      },
      errors: [{ type: "NOT_FOUND", path: ["org"], message: "Could not resolve to a Repository with the name 'acme/.github'." }],
    });
}

function mockCommit(answer: "ok" | "stale") {
  nock(api)
    .post("/graphql", (body: { query: string }) => body.query.includes("createCommitOnBranch"))
    .reply(
      200,
      answer === "ok"
        ? { data: { createCommitOnBranch: { commit: { oid: sha("n"), url: "u" } } } }
        : {
            data: { createCommitOnBranch: null },
            errors: [{ type: "STALE_DATA", message: 'Expected branch to point to "x" but it did not.  Pull and try again.' }],
          },
    );
}

const fixedOverlay = (path: string, text: string) => text.replace(/newTag: .*/, "newTag: 6.5.2");

/** What the pull request handler does with the adapter, for an event whose payload names `payloadHead`. */
async function pullRequestEvent(payloadHead: string) {
  const { octokit, count } = counted();
  const context = await readPullRequestContext(octokit, {
    repo,
    number: 7,
    configPath: ".github/kustodian.yml",
    headRef: "bump",
    issueLabel: "kustodian/freeze",
    prefetch: { commits: [base, payloadHead], paths: layoutFiles },
  });
  let first = true;
  const committed = await commitWithRetry({
    read: async () => {
      let headOid = payloadHead;
      let headFiles: Map<string, string>;
      if (first) headFiles = (await readGitOpsFilesAtCommits(octokit, repo, [base, payloadHead]))[1]!.files;
      else {
        headOid = await readBranchHead(octokit, { repo, branch: "bump" });
        headFiles = (await readGitOpsFilesAt(octokit, repo, headOid)).files;
      }
      first = false;
      const changes = [...headFiles]
        .filter(([p, text]) => p.startsWith("overlays/") && text !== fixedOverlay(p, text))
        .map(([path, text]) => ({ path, after: fixedOverlay(path, text) }));
      // The write boundary: the head's protection came with the context.
      if (!changes.length || context.headProtected) return null;
      return { headOid, headline: "kustodian: regenerate overlays", changes };
    },
    commit: (plan) => commitToBranch(octokit, { repo, branch: "bump", expectedHeadOid: plan.headOid, ...plan }),
  });
  const posted = await upsertStickyComments(octokit, {
    repo,
    issueNumber: 7,
    marker: "plan",
    bodies: ["the plan"],
    author: "kustodian[bot]",
    existing: context.comments,
  });
  await publishCheckRun(octokit, { repo, headSha: committed?.oid ?? payloadHead, conclusion: "success", title: "plan", summary: "ok" });
  return { committed, comment: posted.comments[0]!, count };
}

const planComment = "<!-- kustodian:plan -->\nthe plan";

/**
 * The reads of a pull request event from base to head `h`: the context query (with the sticky
 * plan comment when given) and both trees; with `blobs`, the blobs of both sides, one query per
 * 100 distinct ones (the files they share are asked once). Returns how many blob queries.
 */
function mockEventReads(before: Map<string, string>, head: Map<string, string>, options: { comment?: string; blobs: boolean }): number {
  mockContext(options.comment);
  mockTree(base, before);
  mockTree(sha("h"), head);
  if (!options.blobs) return 0;
  const queries = Math.ceil(new Set([...before.values(), ...head.values()]).size / 100);
  for (let i = 0; i < queries; i++) mockBlobs(before, head);
  return queries;
}

describe("API calls per pull request event: at most 5 reads and 3 writes", () => {
  for (const environments of [1, 12, 50]) {
    it(`${environments} environment(s), cold: 1 context query, 2 trees, ⌈new blobs / 100⌉ blob queries; 1 commit, 1 comment, 1 check`, async () => {
      const head = files(environments, "6.5.2", "6.5.1"); // environment files bumped, overlays stale
      const before = files(environments, "6.5.1", "6.5.1");
      // Blobs of both commits in one query per 100 (the overlays they share are asked once).
      const blobQueries = mockEventReads(before, head, { blobs: true });
      mockCommit("ok");
      nock(api).post("/repos/acme/gitops/issues/7/comments").reply(201, { id: 10, html_url: "c" });
      nock(api).post("/repos/acme/gitops/check-runs").reply(201, { id: 1, html_url: "r" });

      const { committed, comment, count } = await pullRequestEvent(sha("h"));

      expect(committed?.oid).toBe(sha("n"));
      expect(comment.written).toBe(true);
      expect(count.reads).toBe(3 + blobQueries);
      expect(count.reads).toBeLessThanOrEqual(5);
      expect(count.writes).toBe(3);
    });

    it(`${environments} environment(s), warm (everything cached, the plan comment unchanged): 3 reads, 1 write`, async () => {
      const head = files(environments, "6.5.2", "6.5.2"); // overlays in step: nothing to commit
      const before = files(environments, "6.5.1", "6.5.1");
      mockEventReads(before, head, { blobs: true });
      nock(api).post("/repos/acme/gitops/issues/7/comments").reply(201, { id: 10, html_url: "c" });
      nock(api).post("/repos/acme/gitops/check-runs").reply(201, { id: 1, html_url: "r" });
      await pullRequestEvent(sha("h"));

      mockEventReads(before, head, { comment: planComment, blobs: false });
      nock(api).post("/repos/acme/gitops/check-runs").reply(201, { id: 2, html_url: "r" });
      const { committed, comment, count } = await pullRequestEvent(sha("h"));

      expect(committed).toBeNull();
      expect(comment.written).toBe(false);
      expect(count).toEqual({ reads: 3, writes: 1 });
    });
  }

  it("a redelivered event makes no second commit and no comment write: the guard refuses, the re-read finds nothing to do (5 reads)", async () => {
    const head = files(12, "6.5.2", "6.5.1");
    const before = files(12, "6.5.1", "6.5.1");
    mockContext(undefined);
    mockTree(base, before);
    mockTree(sha("h"), head);
    mockBlobs(before, head);
    mockCommit("ok");
    nock(api).post("/repos/acme/gitops/issues/7/comments").reply(201, { id: 10, html_url: "c" });
    nock(api).post("/repos/acme/gitops/check-runs").reply(201, { id: 1, html_url: "r" });
    await pullRequestEvent(sha("h"));

    // Same payload again (head h); the branch is at kustodian's commit n, whose new blobs the
    // commit itself left in the cache: no blob query at all.
    const fixed = files(12, "6.5.2", "6.5.2");
    mockContext(planComment);
    mockTree(base, before);
    mockTree(sha("h"), head);
    mockCommit("stale");
    nock(api)
      .get(`/repos/acme/gitops/git/ref/${encodeURIComponent("heads/bump")}`)
      .reply(200, { object: { sha: sha("n") } });
    mockTree(sha("n"), fixed);
    nock(api).post("/repos/acme/gitops/check-runs").reply(201, { id: 2, html_url: "r" });

    const { committed, comment, count } = await pullRequestEvent(sha("h"));

    expect(committed).toBeNull();
    expect(comment).toMatchObject({ written: false });
    expect(count).toEqual({ reads: 5, writes: 2 });
  });
});
