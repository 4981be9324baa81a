import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { botLogin, pullRequestEvent } from "./payloads.ts";
import { deliverPush, openBranch, startHarness, type Harness } from "./harness.ts";
import type { Call } from "./fake-github.ts";
import { sampleGitRepoWithEnvironments } from "../helpers/git-repo.ts";
import { onKustomizeBuild } from "../../src/render/kustomize-build.ts";
import { renderCache } from "../../src/render/render-cache.ts";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => {
  h.github.uninstall();
  expect(h.github.unmatched).toEqual([]);
});

/**
 * How the call budget counts (README "Call budget"): a read is a GET or a GraphQL query; a write is
 * any other REST method or a GraphQL mutation. One HTTP request is one call, whatever it holds
 * (a GraphQL query with 100 aliases is one read; createCommitOnBranch with 50 files is one write).
 */
function budgetOf(calls: readonly Call[]): { reads: number; writes: number } {
  const writes = calls.filter((c) => c.operation === "createCommitOnBranch" || (c.method !== "GET" && c.path !== "/graphql")).length;
  return { reads: calls.length - writes, writes };
}

const bump = (text: string) => text.replace("image: wordpress:6.6.2-apache", "image: wordpress:6.7.1-apache");

async function openPr(branch = "bump-wordpress", options: { fork?: boolean } = {}) {
  const headSha = await openBranch(h.dir, branch, bump);
  h.github.pulls.set(7, {
    number: 7,
    title: "Bump wordpress in staging",
    headRef: branch,
    baseRef: "main",
    fork: options.fork ?? false,
    state: "open",
    merged: false,
    labels: [],
  });
  const event = pullRequestEvent({
    action: "opened",
    headSha,
    baseSha: h.github.head("main"),
    headRef: branch,
    ...(options.fork ? { fork: true } : {}),
  });
  return { headSha, event };
}

describe("pull request events", () => {
  it("opened: one commit regenerating the overlay, one plan comment, one check run — within the call budget", async () => {
    const { headSha, event } = await openPr();
    await h.deliver("pull_request", event);
    await h.settle();

    // One commit, on the PR branch, on top of the person's commit, touching overlays/staging only.
    const newHead = h.github.head("bump-wordpress");
    expect(h.github.git("rev-parse", `${newHead}^`)).toBe(headSha);
    expect(h.github.git("diff", "--name-only", headSha, newHead).split("\n")).toEqual(["overlays/staging/kustomization.yaml"]);
    expect(h.github.git("show", `${newHead}:overlays/staging/kustomization.yaml`)).toContain("newTag: 6.7.1-apache");
    expect(h.github.git("log", "-1", "--format=%B", newHead)).toContain(
      "kustodian: regenerate overlays/staging from environments/staging.yaml",
    );

    const comments = h.github.comments.get(7)!;
    expect(comments).toHaveLength(1);
    expect(comments[0]!.body).toContain("<!-- kustodian:plan -->");
    expect(comments[0]!.body).toContain(
      "| **staging** | wordpress | containers.wordpress.image: wordpress:6.6.2-apache → wordpress:6.7.1-apache | 3 |",
    );

    expect(h.github.checkRuns).toHaveLength(1);
    expect(h.github.checkRuns[0]).toMatchObject({ head_sha: newHead, name: "kustodian/plan", conclusion: "success" });

    // The budget (README "Call budget"): ONE context query (configuration of the repository and of the organisation's
    // .github repository, comments, the head branch's protection, freeze records, layout files), the base's and the head's
    // trees, ONE blob query for both; then the commit, the comment and the check run.
    expect(h.github.callNames().sort()).toEqual(
      ["pull-request-context", "tree", "tree", "blobs", "createCommitOnBranch", "comment", "check-run"].sort(),
    );
    expect(budgetOf(h.github.calls)).toEqual({ reads: 4, writes: 3 });
  });

  it("answers the webhook before the work is done (GitHub waits only 10 s)", async () => {
    const { event } = await openPr();
    // GitHub holds every answer: the work cannot finish, so a webhook that waited for it would
    // never be answered (and the test would time out).
    const release = h.github.hold();
    await h.deliver("pull_request", event);
    expect(h.github.checkRuns).toHaveLength(0);
    release();
    await h.settle();
    expect(h.github.checkRuns).toHaveLength(1);
  });

  it("the push kustodian made itself is ignored: no loop", async () => {
    const { event } = await openPr();
    await h.deliver("pull_request", event);
    await h.settle();
    const calls = h.github.calls.length;
    await deliverPush(h, { sender: { login: botLogin, type: "Bot" } });
    expect(h.github.calls.length).toBe(calls);
  });

  it("a second push by a person edits the same comment in place", async () => {
    const { event } = await openPr();
    await h.deliver("pull_request", event);
    await h.settle();
    const headSha = await openBranch(h.dir, "bump-wordpress", (t) => t.replace("replicas: 3", "replicas: 4"));
    void headSha;
    // openBranch rebuilt the branch from main; push the new change on top of kustodian's commit instead.
    h.github.git("checkout", "-q", "main");
    await deliverPush(h);

    expect(h.github.comments.get(7)).toHaveLength(1);
    expect(h.github.count("comment-edit")).toBe(1);
    expect(h.github.comments.get(7)![0]!.body).toContain("replicas");
    expect(h.github.checkRuns).toHaveLength(2);
  });

  it("a redelivered webhook (same delivery id) makes no second commit or comment", async () => {
    const { event } = await openPr();
    await h.deliver("pull_request", event, "delivery-1");
    await h.deliver("pull_request", event, "delivery-1");
    await h.settle();
    expect(h.github.count("createCommitOnBranch")).toBe(1);
    expect(h.github.comments.get(7)).toHaveLength(1);
  });

  it("the same event delivered twice (new delivery id) finds nothing to commit and writes no new comment", async () => {
    const { event } = await openPr();
    await h.deliver("pull_request", event, "delivery-a");
    await h.settle();
    const head = h.github.head("bump-wordpress");
    await h.deliver("pull_request", event, "delivery-b");
    await h.settle();
    expect(h.github.head("bump-wordpress")).toBe(head);
    // The stale payload's head is refused by GitHub (branch moved); the re-read finds the overlay current.
    expect(h.github.git("rev-list", "--count", `main..${head}`)).toBe("2");
    expect(h.github.comments.get(7)).toHaveLength(1);
    expect(h.github.count("comment")).toBe(1);
  });

  it("a re-run at the head kustodian pushed leaves the plan comment as it is (it still says the overlay was out of date)", async () => {
    const { event } = await openPr();
    await h.deliver("pull_request", event, "delivery-a");
    await h.settle();
    const pushed = h.github.head("bump-wordpress");
    const before = h.github.comments.get(7)![0]!.body;
    expect(before).toContain("was out of date");
    const edits = h.github.count("comment-edit");
    // The same pull request seen again at kustodian's own commit (a re-requested check, a reopen).
    await h.deliver(
      "pull_request",
      { ...event, action: "reopened", pull_request: { ...event.pull_request, head: { ...event.pull_request.head, sha: pushed } } },
      "delivery-b",
    );
    await h.settle();
    expect(h.github.head("bump-wordpress")).toBe(pushed);
    expect(h.github.comments.get(7)![0]!.body).toBe(before);
    expect(h.github.count("comment-edit")).toBe(edits);
  });

  it("when the branch moves during the commit, kustodian re-reads and commits on the new head", async () => {
    const { headSha, event } = await openPr();
    h.github.beforeNextCommit = async () => {
      // Someone pushes another change to the same branch at that moment.
      h.github.git("checkout", "-q", "bump-wordpress");
      const { writeFileSync, readFileSync } = await import("node:fs");
      const file = `${h.dir}/environments/staging.yaml`;
      writeFileSync(file, readFileSync(file, "utf8").replace('WORDPRESS_DEBUG: "0"', 'WORDPRESS_DEBUG: "1"'));
      h.github.git("commit", "-qam", "debug on");
      h.github.git("checkout", "-q", "main");
    };
    await h.deliver("pull_request", event);
    await h.settle();
    const head = h.github.head("bump-wordpress");
    expect(h.github.count("createCommitOnBranch")).toBe(2);
    expect(h.github.git("rev-parse", `${head}^^`)).toBe(headSha);
    const overlay = h.github.git("show", `${head}:overlays/staging/kustomization.yaml`);
    expect(overlay).toContain("newTag: 6.7.1-apache");
    expect(overlay).toContain("WORDPRESS_DEBUG=1");
    expect(h.github.checkRuns.at(-1)).toMatchObject({ head_sha: head, conclusion: "success" });
  });

  it("a fork's PR is never pushed to: the check fails with the command to run and the diff", async () => {
    const { event } = await openPr("fork-bump", { fork: true });
    const before = h.github.head("fork-bump");
    await h.deliver("pull_request", event);
    await h.settle();
    expect(h.github.count("createCommitOnBranch")).toBe(0);
    expect(h.github.head("fork-bump")).toBe(before);
    const check = h.github.checkRuns[0]!;
    expect(check).toMatchObject({ head_sha: before, conclusion: "failure" });
    expect(check.output.title).toBe("Overlays are stale: run npx kustodian render");
    expect(check.output.summary).toContain("npx kustodian render");
    expect(check.output.summary).toContain("-    newTag: 6.6.2-apache\n+    newTag: 6.7.1-apache");
  });

  it("a protected head branch (its protection read in the context query): no commit, the plan says why and what to run", async () => {
    h.github.protectedBranches.add("bump-wordpress");
    const { headSha, event } = await openPr();
    await h.deliver("pull_request", event);
    await h.settle();
    expect(h.github.count("createCommitOnBranch")).toBe(0);
    expect(h.github.head("bump-wordpress")).toBe(headSha);
    const context = h.github.calls.find((c) => c.operation === "pull-request-context")!;
    expect(context.body).toMatchObject({ headRef: "refs/heads/bump-wordpress" });
    expect(h.github.count("branch-protection")).toBe(0); // no REST read: it came with the context
    expect(h.github.comments.get(7)![0]!.body).toContain("head branch is protected");
    expect(h.github.checkRuns[0]).toMatchObject({
      conclusion: "failure",
      output: { title: "Overlays are stale: run npx kustodian render" },
    });
  });

  it("a fork's PR: its head branch's protection is not even asked", async () => {
    const { event } = await openPr("fork-bump", { fork: true });
    await h.deliver("pull_request", event);
    await h.settle();
    const context = h.github.calls.find((c) => c.operation === "pull-request-context")!;
    expect(context.body).not.toHaveProperty("headRef");
    expect(h.github.count("createCommitOnBranch")).toBe(0);
  });

  it("an invalid environment file: no commit, and the plan and check name file, line and field", async () => {
    const headSha = await openBranch(h.dir, "typo", (t) => t.replace("    replicas: 3", '    replicas: "six"'));
    h.github.pulls.set(7, {
      number: 7,
      title: "typo",
      headRef: "typo",
      baseRef: "main",
      fork: false,
      state: "open",
      merged: false,
      labels: [],
    });
    await h.deliver("pull_request", pullRequestEvent({ action: "opened", headSha, baseSha: h.github.head("main"), headRef: "typo" }));
    await h.settle();
    expect(h.github.count("createCommitOnBranch")).toBe(0);
    expect(h.github.comments.get(7)![0]!.body).toContain(
      'environments/staging.yaml:11:15 workloads.wordpress.replicas: expected an integer >= 0, got "six"',
    );
    expect(h.github.checkRuns[0]).toMatchObject({ conclusion: "failure", output: { title: "Invalid environment: staging" } });
  });

  it("a secondary rate limit is waited out as GitHub asks (retry-after), then the job runs again without duplicates", async () => {
    h.github.rateLimitNextCheckRun = 7;
    const { event } = await openPr();
    await h.deliver("pull_request", event);
    await h.settle();
    expect(h.sleeps).toEqual([7000]);
    expect(h.github.count("check-run-limited")).toBe(1);
    expect(h.github.count("createCommitOnBranch")).toBe(2); // the second is refused: the branch already moved
    expect(h.github.git("rev-list", "--count", `main..${h.github.head("bump-wordpress")}`)).toBe("2");
    expect(h.github.comments.get(7)).toHaveLength(1);
    expect(h.github.checkRuns).toHaveLength(1);
  });

  it("a bad .github/kustodian.yml is reported on the PR, not thrown", async () => {
    h.github.config = "scale:\n  maxReplicas: lots\nunknownKey: 1\n";
    const { event } = await openPr();
    await h.deliver("pull_request", event);
    await h.settle();
    const body = h.github.comments.get(7)![0]!.body;
    expect(body).toContain("Invalid kustodian configuration");
    // Located (issue 12): line and column of each problem.
    expect(body).toContain(".github/kustodian.yml:2:16 scale.maxReplicas: Invalid input: expected number, received string");
    expect(body).toContain(".github/kustodian.yml:3:1 unknownKey: unknown field");
    expect(h.github.checkRuns[0]).toMatchObject({ conclusion: "failure", output: { title: "Invalid .github/kustodian.yml" } });
    // The overlay is still kept in step.
    expect(h.github.count("createCommitOnBranch")).toBe(1);
  });

  it("renders only the environment the PR changes, on both sides; the others are listed as unchanged", async () => {
    const { event } = await openPr();
    renderCache.clear();
    let builds = 0;
    const stop = onKustomizeBuild(() => builds++);
    try {
      await h.deliver("pull_request", event);
      await h.settle();
    } finally {
      stop();
    }
    // base/ once (the other side's is a cache hit), overlays/staging as committed at the base and as regenerated at the head.
    expect(builds).toBe(3);
    const body = h.github.comments.get(7)![0]!.body;
    expect(body).toContain("Unchanged: `dev`, `prod`.");
    expect(body).toContain("| **staging** |");
  });

  it("the organisation's .github repository's configuration applies when the repository has none (same query)", async () => {
    h.github.orgConfig = "unknownKey: 1\n";
    const { event } = await openPr();
    await h.deliver("pull_request", event);
    await h.settle();
    expect(h.github.comments.get(7)![0]!.body).toContain(".github/kustodian.yml:1:1 unknownKey: unknown field");
    expect(h.github.count("config")).toBe(0);
    expect(h.github.count("pull-request-context")).toBe(1);
    // The repository's own file wins.
    h.github.config = "scale:\n  maxReplicas: lots\n";
    await h.deliver("pull_request", { ...event, action: "reopened" });
    await h.settle();
    const body = h.github.comments.get(7)![0]!.body;
    expect(body).toContain(".github/kustodian.yml:2:16 scale.maxReplicas");
    expect(body).not.toContain("unknownKey");
  });

  it("a .github/kustodian.yml that is not YAML is reported with line and column, and no API URL", async () => {
    h.github.config = "scale:\n  maxReplicas: [1\n";
    const { event } = await openPr();
    await h.deliver("pull_request", event);
    await h.settle();
    const body = h.github.comments.get(7)![0]!.body;
    expect(body).toMatch(/\.github\/kustodian\.yml:\d+:\d+: invalid YAML: /);
    expect(body).not.toContain("api.github.com");
    expect(body).not.toContain("https://");
  });
});

describe("the call budget per pull request event: at most 5 reads and 3 writes, cold or warm", () => {
  for (const environments of [1, 12, 50]) {
    it(`${environments} environment(s): cold (nothing cached), then warm (a person's next push)`, async () => {
      h.github.uninstall();
      h = await startHarness({}, { repoDir: await sampleGitRepoWithEnvironments(environments) });
      expect(h.github.git("ls-tree", "--name-only", "main", "environments/").split("\n")).toHaveLength(environments);

      const { event } = await openPr();
      await h.deliver("pull_request", event);
      await h.settle();
      // Cold: the work was done (one commit, one comment, one check), within the budget.
      expect(h.github.count("createCommitOnBranch")).toBe(1);
      expect(h.github.comments.get(7)).toHaveLength(1);
      expect(h.github.checkRuns).toHaveLength(1);
      const cold = budgetOf(h.github.calls);
      expect(cold.reads).toBeLessThanOrEqual(5);
      expect(cold.writes).toBeLessThanOrEqual(3);

      // Warm: the blobs of the first event are cached; a person pushes another change on top of kustodian's commit.
      const before = h.github.calls.length;
      h.github.git("checkout", "-q", "bump-wordpress");
      const { readFileSync, writeFileSync } = await import("node:fs");
      const file = `${h.dir}/environments/staging.yaml`;
      writeFileSync(file, readFileSync(file, "utf8").replace("    replicas: 3", "    replicas: 4"));
      h.github.git("commit", "-qam", "four replicas");
      h.github.git("checkout", "-q", "main");
      await deliverPush(h);
      expect(h.github.count("createCommitOnBranch")).toBe(2);
      expect(h.github.count("comment-edit")).toBe(1);
      expect(h.github.checkRuns).toHaveLength(2);
      const warm = budgetOf(h.github.calls.slice(before));
      expect(warm.reads).toBeLessThanOrEqual(5);
      expect(warm.writes).toBeLessThanOrEqual(3);
      // Only the one file the person changed is read again (the trees say which blobs are new).
      expect(h.github.calls.slice(before).filter((c) => c.operation === "blobs")).toHaveLength(1);
    }, 240_000);
  }
});

void parse;
