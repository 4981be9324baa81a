import { createHash } from "node:crypto";
import nock from "nock";
import { describe, expect, it } from "vitest";
import { publishCheckRun } from "../../src/github/checks.ts";
import { readBranchHead } from "../../src/github/branch-head.ts";
import { isBranchProtected } from "../../src/github/branch-protection.ts";
import { commitToBranch, commitWithRetry } from "../../src/github/commit.ts";
import { readFilesAt } from "../../src/github/read-files.ts";
import { upsertStickyComment } from "../../src/github/sticky-comment.ts";
import { api, repo, sha, strictNock, testOctokit } from "./helpers.ts";

strictNock();

/**
 * The README's per-event budget, composed from the adapter as a pull request handler uses it:
 * read head and base, commit the regenerated overlay if it differs, post the plan and the check.
 * strictNock fails on any call without an interceptor and on any interceptor left unused, so the
 * interceptors below ARE the call count.
 */

const blobId = (text: string) => {
  const bytes = Buffer.from(text);
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
};

/** n environments, each an environment file and an overlay. */
function files(n: number, tag: string, overlayTag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    out.set(`environments/env-${i}.yaml`, `image: wordpress:${tag}\n`);
    out.set(`overlays/env-${i}/kustomization.yaml`, `newTag: ${overlayTag}\n`);
  }
  return out;
}

function mockTree(commit: string, content: Map<string, string>) {
  const tree = [...content].map(([path, text]) => ({ path, mode: "100644", type: "blob", sha: blobId(text), size: text.length }));
  nock(api)
    .get(`/repos/acme/gitops/git/trees/${commit}`)
    .query({ recursive: "1" })
    .reply(200, { sha: sha("7"), truncated: false, tree });
}

function mockBlobs(content: Map<string, string>) {
  const byId = new Map([...content.values()].map((t) => [blobId(t), t]));
  nock(api)
    .post("/graphql", (body: { query: string }) => body.query.includes("on Blob"))
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

const wanted = (p: string) => p.startsWith("environments/") || p.startsWith("overlays/");

/** What a pull request handler does with the adapter, for an event whose payload names `payloadHead`. */
async function pullRequestEvent(payloadHead: string) {
  const octokit = testOctokit();
  let first = true;
  let protectedHead: boolean | undefined;
  const committed = await commitWithRetry({
    read: async () => {
      const headOid = first ? payloadHead : await readBranchHead(octokit, { repo, branch: "bump" });
      first = false;
      const { files } = await readFilesAt(octokit, repo, headOid, wanted);
      const changes = [...files]
        .filter(([p, text]) => p.startsWith("overlays/") && text !== "newTag: 6.5.2\n")
        .map(([path]) => ({ path, after: "newTag: 6.5.2\n" }));
      if (!changes.length) return null;
      // The write boundary: asked once, only when there is something to commit.
      protectedHead ??= await isBranchProtected(octokit, { repo, branch: "bump" });
      return protectedHead ? null : { headOid, headline: "kustodian: regenerate overlays", changes };
    },
    commit: (plan) => commitToBranch(octokit, { repo, branch: "bump", expectedHeadOid: plan.headOid, ...plan }),
  });
  await readFilesAt(octokit, repo, sha("b"), wanted);
  const comment = await upsertStickyComment(octokit, { repo, issueNumber: 7, marker: "plan", body: "the plan" });
  await publishCheckRun(octokit, { repo, headSha: committed?.oid ?? payloadHead, conclusion: "success", title: "plan", summary: "ok" });
  return { committed, comment };
}

const marker = "<!-- kustodian:plan -->";

function mockComments(existing: boolean) {
  nock(api)
    .get("/repos/acme/gitops/issues/7/comments")
    .query({ per_page: "100" })
    .reply(200, existing ? [{ id: 10, user: { login: "kustodian[bot]", type: "Bot" }, body: `${marker}\nthe plan`, html_url: "c" }] : []);
  if (!existing) nock(api).post("/repos/acme/gitops/issues/7/comments").reply(201, { id: 10, html_url: "c" });
}

function mockProtection() {
  nock(api).get("/repos/acme/gitops/branches/bump").reply(200, { name: "bump", protected: false });
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

describe("API calls per pull request event", () => {
  for (const environments of [1, 12]) {
    it(`is 9 with ${environments} environment(s) changed: 2 trees, 2 blob queries, 1 branch protection, 1 commit, 1 list, 1 comment, 1 check`, async () => {
      const head = files(environments, "6.5.2", "6.5.1"); // environment files bumped, overlays stale
      const base = files(environments, "6.5.1", "6.5.1");
      mockTree(sha("h"), head);
      mockBlobs(head);
      mockProtection();
      mockCommit("ok");
      mockTree(sha("b"), base);
      mockBlobs(base);
      mockComments(false);
      nock(api).post("/repos/acme/gitops/check-runs").reply(201, { id: 1, html_url: "r" });

      const { committed, comment } = await pullRequestEvent(sha("h"));

      expect(committed?.oid).toBe(sha("n"));
      expect(comment.created).toBe(true);
    });
  }

  it("a redelivered event makes no second commit and no comment write: the guard refuses, the re-read finds nothing to do", async () => {
    const head = files(12, "6.5.2", "6.5.1");
    const base = files(12, "6.5.1", "6.5.1");
    mockTree(sha("h"), head);
    mockBlobs(head);
    mockProtection();
    mockCommit("ok");
    mockTree(sha("b"), base);
    mockBlobs(base);
    mockComments(false);
    nock(api).post("/repos/acme/gitops/check-runs").reply(201, { id: 1, html_url: "r" });
    await pullRequestEvent(sha("h"));

    // Same payload again (head h); the branch is at kustodian's commit n. Blobs read before are cached.
    const fixed = files(12, "6.5.2", "6.5.2");
    mockTree(sha("h"), head);
    mockProtection();
    mockCommit("stale");
    nock(api)
      .get(`/repos/acme/gitops/git/ref/${encodeURIComponent("heads/bump")}`)
      .reply(200, { object: { sha: sha("n") } });
    mockTree(sha("n"), fixed);
    mockBlobs(new Map([["overlay", "newTag: 6.5.2\n"]])); // the one blob only kustodian's commit holds
    mockTree(sha("b"), base);
    mockComments(true);
    nock(api).post("/repos/acme/gitops/check-runs").reply(201, { id: 2, html_url: "r" });

    const { committed, comment } = await pullRequestEvent(sha("h"));

    expect(committed).toBeNull();
    expect(comment).toMatchObject({ created: false, written: false });
  });
});
