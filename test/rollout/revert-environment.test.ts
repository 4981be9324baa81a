// The revert on GitHub, against the git-backed fake GitHub (no cluster): one commit whoever asks
// and however often, the branch moving underneath, and a revert pull request when the files
// changed after the merge.
import { spawnSync } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import type { GitHubClient } from "../../src/github/client.ts";
import type { RepoClient } from "../../src/rollout/repo-client.ts";
import { revertEnvironment, type RevertRequest } from "../../src/rollout/revert-environment.ts";
import { parseRevertTrailers } from "../../src/revert/trailers.ts";
import { repoClientOf, commitFiles, startHarness, type Harness } from "../app/harness.ts";
import { installationId } from "../app/payloads.ts";

let h: Harness;
let gh: RepoClient;
let base: string;
let merge: string;

beforeEach(async () => {
  h = await startHarness();
  gh = await repoClientOf(h);
  base = h.github.head("main");
  merge = commitOnMain(
    {
      "environments/prod.yaml": (t) => t.replace("image: wordpress:6.5.5-apache", "image: wordpress:6.7.1-bad"),
      "overlays/prod/kustomization.yaml": (t) => t.replace("newTag: 6.5.5-apache", "newTag: 6.7.1-bad"),
    },
    "Merge pull request #7",
  );
});
afterEach(() => {
  h.github.uninstall();
  expect(h.github.unmatched).toEqual([]);
});

const t = { name: "t", email: "t@example.com" };
/** A commit on main made with git plumbing (what a merge or a person's push does). */
const commitOnMain = (edits: Record<string, (text: string) => string>, message: string): string =>
  commitFiles(h.github, "main", edits, message, { author: t, committer: t });

function request(overrides: Partial<RevertRequest> = {}): RevertRequest {
  return {
    environment: "prod",
    mergeSha: merge,
    baseSha: base,
    pullRequest: { number: 7, title: "Bump wordpress" },
    reason: "container is crash-looping",
    details: ["Pod/wordpress-1 container wordpress: BackOff: back-off 10s"],
    ...overrides,
  };
}

const original = (path: string) =>
  spawnSync("git", ["-C", h.github.gitDir, "cat-file", "-p", `${base}:${path}`], { encoding: "utf8" }).stdout;
const prodFiles = (ref: string) => [
  h.github.git("show", `${ref}:environments/prod.yaml`),
  h.github.git("show", `${ref}:overlays/prod/kustomization.yaml`),
];

describe("revertEnvironment", () => {
  it("one commit on main restoring the files; asked again, it finds that commit", async () => {
    const first = await revertEnvironment(gh, request());
    expect(first).toMatchObject({ kind: "committed", existing: false });
    if (first.kind !== "committed") throw new Error("unreachable");
    expect(h.github.head("main")).toBe(first.sha);
    expect(prodFiles(first.sha)).toEqual(prodFiles(base));
    expect(parseRevertTrailers(h.github.git("log", "-1", "--format=%B", first.sha))).toEqual({
      reverts: merge,
      environment: "prod",
      pullRequest: 7,
    });

    const again = await revertEnvironment(gh, request({ reason: "requested by @someone" }));
    expect(again).toEqual({
      kind: "committed",
      sha: first.sha,
      url: `https://github.com/acme/gitops/commit/${first.sha}`,
      message: expect.stringContaining("Kustodian-Revert: prod"),
      existing: true,
    });
    expect(h.github.count("createCommitOnBranch")).toBe(1);
  });

  it("two processes reverting at once: one commit; the other is refused by expectedHeadOid, re-reads, and finds it", async () => {
    const other: RepoClient = { ...gh, octokit: (await h.probot.auth(installationId)) as unknown as GitHubClient };
    const [a, b] = await Promise.all([revertEnvironment(gh, request()), revertEnvironment(other, request())]);
    const outcomes = [a, b].map((o) => (o.kind === "committed" ? o.existing : "other"));
    expect(outcomes.sort()).toEqual([false, true]);
    expect(h.github.git("rev-list", "--count", `${merge}..main`)).toBe("1");
    if (a.kind !== "committed" || b.kind !== "committed") throw new Error("unreachable");
    expect(a.sha).toBe(b.sha);
  });

  it("the branch moves between the read and the commit: refused, re-read, committed on the new head", async () => {
    h.github.beforeNextCommit = async () => void commitOnMain({ "README.md": () => "someone else's change\n" }, "docs");
    const outcome = await revertEnvironment(gh, request());
    if (outcome.kind !== "committed") throw new Error(`expected a commit, got ${outcome.kind}`);
    expect(h.github.git("log", "-1", "--format=%s", `${outcome.sha}^`)).toBe("docs");
    expect(h.github.count("createCommitOnBranch")).toBe(2);
    expect(prodFiles("main")).toEqual(prodFiles(base));
  });

  it("files changed after the merge: a revert pull request from kustodian/revert/prod/<sha>, made once", async () => {
    const later = commitOnMain({ "environments/prod.yaml": (t) => t.replace("replicas: 3", "replicas: 4") }, "Scale prod to 4");
    const outcome = await revertEnvironment(gh, request());
    expect(outcome).toMatchObject({ kind: "pull-request", existing: false, changedSinceMerge: ["environments/prod.yaml"] });
    if (outcome.kind !== "pull-request") throw new Error("unreachable");
    expect(h.github.head("main")).toBe(later);
    const branch = `kustodian/revert/prod/${merge.slice(0, 12)}`;
    const pr = h.github.pulls.get(outcome.number)!;
    expect(pr).toMatchObject({
      headRef: branch,
      baseRef: "main",
      state: "open",
      title: "Revert Bump wordpress in prod: container is crash-looping",
    });
    expect(pr.body).toContain("`environments/prod.yaml` changed there after the merge");
    expect(parseRevertTrailers(pr.body)).toEqual({ reverts: merge, environment: "prod", pullRequest: 7 });
    expect(h.github.git("rev-parse", `${branch}^`)).toBe(later);
    expect(prodFiles(branch)).toEqual(prodFiles(base));

    const again = await revertEnvironment(gh, request());
    expect(again).toMatchObject({ kind: "pull-request", number: outcome.number, existing: true });
    expect(h.github.pulls.size).toBe(1);
    expect(h.github.git("rev-list", "--count", `${later}..${branch}`)).toBe("1");
  });

  it("a crash between the branch and its commit: the next try makes the commit on that branch and opens the PR", async () => {
    commitOnMain({ "environments/prod.yaml": (t) => t.replace("replicas: 3", "replicas: 4") }, "Scale prod to 4");
    h.github.failNext.push("createCommitOnBranch");
    await expect(revertEnvironment(gh, request())).rejects.toThrow();
    const outcome = await revertEnvironment(gh, request());
    expect(outcome).toMatchObject({ kind: "pull-request", existing: false });
    expect(h.github.git("rev-list", "--count", `main..kustodian/revert/prod/${merge.slice(0, 12)}`)).toBe("1");
  });

  it("the head already has the pre-merge files (reverted by hand): nothing to do", async () => {
    commitOnMain(
      {
        "environments/prod.yaml": () => original("environments/prod.yaml"),
        "overlays/prod/kustomization.yaml": () => original("overlays/prod/kustomization.yaml"),
      },
      "Revert by hand",
    );
    expect(await revertEnvironment(gh, request())).toEqual({ kind: "nothing", why: "already-restored" });
    expect(h.github.count("createCommitOnBranch")).toBe(0);
  });

  it("extra edits of the restored environment file go into the same commit (the held-image seam)", async () => {
    const outcome = await revertEnvironment(
      gh,
      request({
        environmentEdits: ({ before, merged }) => {
          const failed = String(parseDocument(merged!).getIn(["workloads", "wordpress", "image"]));
          expect(parseDocument(before!).getIn(["workloads", "wordpress", "image"])).toBe("wordpress:6.5.5-apache");
          return [{ summary: `hold ${failed}`, apply: (text) => `${text}# held: ${failed}\n` }];
        },
      }),
    );
    if (outcome.kind !== "committed") throw new Error("expected a commit");
    expect(h.github.git("show", `${outcome.sha}:environments/prod.yaml`)).toBe(`${prodFiles(base)[0]}\n# held: wordpress:6.7.1-bad`);
    expect(outcome.message).toContain("Also in this commit:\n- hold wordpress:6.7.1-bad");
  });
});
