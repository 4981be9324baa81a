import nock from "nock";
import { describe, expect, it } from "vitest";
import { readBranchHead } from "../../src/github/branch-head.ts";
import { BranchMovedError, commitToBranch, commitWithRetry, EmptyCommitError, type CommitPlan } from "../../src/github/commit.ts";
import { api, recorder, repo, sha, strictNock, testOctokit } from "./helpers.ts";

strictNock();

const head1 = sha("1");
const head2 = sha("2");
const created = sha("a");

/** GitHub's answer when expectedHeadOid is stale: a 200 with a STALE_DATA error and no commit. */
const staleAnswer = (oid: string) => ({
  data: { createCommitOnBranch: null },
  errors: [
    {
      type: "STALE_DATA",
      path: ["createCommitOnBranch"],
      locations: [{ line: 2, column: 3 }],
      message: `Expected branch to point to "${oid}" but it did not.  Pull and try again.`,
    },
  ],
});

const okAnswer = { data: { createCommitOnBranch: { commit: { oid: created, url: `https://github.com/acme/gitops/commit/${created}` } } } };

describe("commitToBranch", () => {
  it("makes one createCommitOnBranch mutation with base64 additions, deletions and the expected head", async () => {
    const rec = recorder();
    const scope = nock(api)
      .post("/graphql")
      .reply(200, async (req: Request) => (await rec.take(req), okAnswer));

    const result = await commitToBranch(testOctokit(), {
      repo,
      branch: "renovate/wordpress-6.x",
      expectedHeadOid: head1,
      headline: "kustodian: regenerate overlays/prod",
      body: "Generated from environments/prod.yaml.",
      changes: [
        { path: "overlays/prod/kustomization.yaml", after: "images:\n  - name: wordpress\n    newTag: 6.5.2 # é\n" },
        { path: "overlays/prod/stale.yaml" },
      ],
    });

    expect(scope.isDone()).toBe(true);
    expect(result).toEqual({ oid: created, url: `https://github.com/acme/gitops/commit/${created}` });
    expect(rec.bodies).toHaveLength(1);
    expect(rec.bodies[0]!.query).toMatch(/createCommitOnBranch\(input: \$input\)/);
    expect(rec.bodies[0]!.variables).toEqual({
      input: {
        branch: { repositoryNameWithOwner: "acme/gitops", branchName: "renovate/wordpress-6.x" },
        expectedHeadOid: head1,
        message: { headline: "kustodian: regenerate overlays/prod", body: "Generated from environments/prod.yaml." },
        fileChanges: {
          additions: [
            {
              path: "overlays/prod/kustomization.yaml",
              contents: Buffer.from("images:\n  - name: wordpress\n    newTag: 6.5.2 # é\n", "utf8").toString("base64"),
            },
          ],
          deletions: [{ path: "overlays/prod/stale.yaml" }],
        },
      },
    });
  });

  it("throws BranchMovedError when GitHub says the branch is not at the expected head", async () => {
    nock(api).post("/graphql").reply(200, staleAnswer(head1));
    const error = await commitToBranch(testOctokit(), {
      repo,
      branch: "main",
      expectedHeadOid: head1,
      headline: "Revert",
      changes: [{ path: "environments/prod.yaml", after: "a: 1\n" }],
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BranchMovedError);
    expect(error).toMatchObject({ branch: "main", expectedHeadOid: head1 });
    expect((error as Error).cause).toBeDefined();
  });

  it("rethrows other refusals as they are", async () => {
    nock(api)
      .post("/graphql")
      .reply(200, {
        data: { createCommitOnBranch: null },
        errors: [{ type: "FORBIDDEN", message: "Resource not accessible by integration" }],
      });
    const error = await commitToBranch(testOctokit(), {
      repo,
      branch: "main",
      expectedHeadOid: head1,
      headline: "x",
      changes: [{ path: "a.yaml", after: "" }],
    }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(BranchMovedError);
    expect((error as Error).message).toContain("Resource not accessible by integration");
  });

  it("never sends an empty commit, a multi-line headline or a path twice", async () => {
    const base = { repo, branch: "main", expectedHeadOid: head1, headline: "x" };
    await expect(commitToBranch(testOctokit(), { ...base, changes: [] })).rejects.toBeInstanceOf(EmptyCommitError);
    await expect(commitToBranch(testOctokit(), { ...base, headline: "a\nb", changes: [{ path: "a" }] })).rejects.toThrow(
      /one non-empty line/,
    );
    await expect(commitToBranch(testOctokit(), { ...base, changes: [{ path: "a" }, { path: "a", after: "" }] })).rejects.toThrow(/twice/);
    await expect(commitToBranch(testOctokit(), { ...base, changes: [{ path: "../etc/passwd" }] })).rejects.toThrow(
      /Not a repository file path/,
    );
  });
});

describe("commitWithRetry", () => {
  const branch = "renovate/wordpress-6.x";

  /** The handler's shape: read the head (from the payload first, from the API after a refusal), compute, commit. */
  function flow(octokit: ReturnType<typeof testOctokit>, compute: (headOid: string) => CommitPlan | null) {
    let headOid = head1;
    let reads = 0;
    return {
      reads: () => reads,
      run: (attempts?: number) =>
        commitWithRetry({
          ...(attempts === undefined ? {} : { attempts }),
          read: async () => {
            if (reads++ > 0) headOid = await readBranchHead(octokit, { repo, branch });
            return compute(headOid);
          },
          commit: (plan) => commitToBranch(octokit, { repo, branch, expectedHeadOid: plan.headOid, ...plan }),
        }),
    };
  }

  const plan = (headOid: string): CommitPlan => ({
    headOid,
    headline: "kustodian: regenerate overlays",
    changes: [{ path: "overlays/prod/kustomization.yaml", after: `# from ${headOid.slice(0, 7)}\n` }],
  });

  it("re-reads and recomputes when the branch moved, then commits: 2 mutations in all", async () => {
    const rec = recorder();
    const octokit = testOctokit();
    nock(api)
      .post("/graphql")
      .reply(200, async (req: Request) => (await rec.take(req), staleAnswer(head1)))
      .post("/graphql")
      .reply(200, async (req: Request) => (await rec.take(req), okAnswer));
    nock(api)
      .get(`/repos/acme/gitops/git/ref/${encodeURIComponent(`heads/${branch}`)}`)
      .reply(200, { ref: `refs/heads/${branch}`, object: { sha: head2, type: "commit" } });

    const f = flow(octokit, plan);
    const result = await f.run();

    expect(result?.oid).toBe(created);
    expect(f.reads()).toBe(2);
    expect(rec.bodies.map((b) => (b.variables.input as { expectedHeadOid: string }).expectedHeadOid)).toEqual([head1, head2]);
    const secondAdditions = (rec.bodies[1]!.variables.input as { fileChanges: { additions: { contents: string }[] } }).fileChanges
      .additions;
    expect(Buffer.from(secondAdditions[0]!.contents, "base64").toString()).toBe(`# from ${head2.slice(0, 7)}\n`);
  });

  it("makes no mutation when there is nothing to commit", async () => {
    const octokit = testOctokit();
    expect(await flow(octokit, () => null).run()).toBeNull();
    expect(await flow(octokit, (h) => ({ ...plan(h), changes: [] })).run()).toBeNull();
  });

  it("stops after a re-read finds the work already done (a redelivered event)", async () => {
    const octokit = testOctokit();
    nock(api).post("/graphql").reply(200, staleAnswer(head1));
    nock(api)
      .get(`/repos/acme/gitops/git/ref/${encodeURIComponent(`heads/${branch}`)}`)
      .reply(200, { ref: `refs/heads/${branch}`, object: { sha: head2, type: "commit" } });
    const result = await flow(octokit, (h) => (h === head1 ? plan(h) : null)).run();
    expect(result).toBeNull();
  });

  it("gives up with the last BranchMovedError after `attempts` refusals", async () => {
    const octokit = testOctokit();
    nock(api).post("/graphql").times(2).reply(200, staleAnswer(head1));
    nock(api)
      .get(`/repos/acme/gitops/git/ref/${encodeURIComponent(`heads/${branch}`)}`)
      .reply(200, { ref: `refs/heads/${branch}`, object: { sha: head2, type: "commit" } });
    await expect(flow(octokit, plan).run(2)).rejects.toBeInstanceOf(BranchMovedError);
  });
});
