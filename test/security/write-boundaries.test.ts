// Write boundaries: kustodian commits to a pull request's head branch only when the pull request
// is open, not from a fork, and the head is neither the default branch nor protected. Otherwise
// it says why and posts the change instead. The default branch only ever receives reverts.
import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { mayWriteToHead, type HeadBranchState } from "../../src/commands/write-boundary.ts";
import { issueCommentEvent, pullRequestEvent } from "../app/payloads.ts";
import { openBranch, startHarness, type Harness } from "../app/harness.ts";

describe("mayWriteToHead (the one decision every write path asks)", () => {
  const open: HeadBranchState = { state: "open", fork: false, headRef: "bump", defaultBranch: "main" };
  const cases: [string, HeadBranchState, boolean | undefined, string][] = [
    ["open topic branch, not protected", open, false, "write"],
    ["closed", { ...open, state: "closed" }, false, "closed"],
    ["fork", { ...open, fork: true }, false, "fork"],
    ["head is the default branch", { ...open, headRef: "main" }, false, "default-branch"],
    ["head is the default branch (protection not read)", { ...open, headRef: "main" }, undefined, "default-branch"],
    ["default branch unknown", { ...open, defaultBranch: "" }, false, "default-branch"],
    ["protected head", open, true, "protected"],
    ["closed fork on main: closed first", { state: "closed", fork: true, headRef: "main", defaultBranch: "main" }, true, "closed"],
  ];
  for (const [name, pr, headProtected, expected] of cases) {
    it(name, () => {
      const decision = mayWriteToHead(pr, headProtected);
      expect(decision.write ? "write" : decision.reason).toBe(expected);
      if (!decision.write) expect(decision.why.length).toBeGreaterThan(20);
    });
  }
});

describe("on the fake GitHub", () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
    h.github.permissions.set("octo-writer", "write");
    // The state a revert leaves: staging holds an image (so /allow has something to change).
    appendFileSync(
      join(h.dir, "environments/staging.yaml"),
      `held:\n  - image: wordpress:6.7.1-apache\n    reason: "ReadinessTimeout"\n    since: 2026-11-23T14:00:00Z\n    revertedCommit: ${"c".repeat(40)}\n    revertCommit: ${"d".repeat(40)}\n`,
    );
    h.github.git("commit", "-qam", "staging holds wordpress:6.7.1-apache");
    h.github.git("branch", "release", "main");
    // main moves ahead of release: staging's image bumped (as a person could push it).
    await openBranch(h.dir, "tmp", (t) => t.replace("image: wordpress:6.6.2-apache", "image: wordpress:6.6.3-apache"));
    h.github.git("merge", "-q", "--ff-only", "tmp");
    // A writer opens a pull request whose head is main (into release).
    h.github.pulls.set(8, {
      number: 8,
      title: "Release",
      headRef: "main",
      baseRef: "release",
      fork: false,
      state: "open",
      merged: false,
      labels: [],
    });
  });
  afterEach(() => {
    h.github.uninstall();
    expect(h.github.unmatched).toEqual([]);
  });

  const replies = (n: number) =>
    (h.github.comments.get(n) ?? []).filter((c) => !c.body.includes("<!-- kustodian:plan -->")).map((c) => c.body);

  for (const command of ["/promote staging prod", "/scale 6 wordpress staging", "/allow wordpress:6.7.1-apache staging"]) {
    it(`${command} on a pull request whose head is main: no commit on main, the reply says why and shows the change`, async () => {
      const before = h.github.head("main");
      await h.deliver("issue_comment", issueCommentEvent({ body: command, user: "octo-writer", number: 8, commentId: 601 }));
      await h.settle();
      expect(h.github.head("main")).toBe(before);
      expect(h.github.count("createCommitOnBranch")).toBe(0);
      const [reply] = replies(8);
      expect(reply).toContain("the default branch");
      expect(reply).toContain("Nothing was changed.");
      expect(reply).toMatch(/```+diff\n--- a\/environments\/(prod|staging)\.yaml/);
      expect(h.github.reactions.filter((r) => r.commentId === 601).map((r) => r.content)).toEqual(["eyes", "-1"]);
    });
  }

  it("a pull request whose head is main with stale overlays: no commit, the needed change posted, a failing check", async () => {
    const before = h.github.head("main");
    const event = pullRequestEvent({ action: "opened", number: 8, headSha: before, baseSha: h.github.head("release"), headRef: "main" });
    event.pull_request.base.ref = "release";
    await h.deliver("pull_request", event);
    await h.settle();
    expect(h.github.head("main")).toBe(before);
    expect(h.github.count("createCommitOnBranch")).toBe(0);
    expect(h.github.count("branch-protection")).toBe(0); // refused before any protection read
    const plan = h.github.comments.get(8)!.find((c) => c.body.includes("<!-- kustodian:plan -->"))!.body;
    expect(plan).toContain("Generated overlays are out of date");
    expect(plan).toContain("the default branch");
    expect(plan).toContain("npx kustodian render");
    expect(h.github.checkRuns.at(-1)).toMatchObject({ conclusion: "failure", head_sha: before });
  });

  it("a protected head branch: the protection is read once, nothing is pushed, the reply says so", async () => {
    const headSha = await openBranch(h.dir, "guarded", (t) => t.replace("image: wordpress:6.6.3-apache", "image: wordpress:6.7.2-apache"));
    h.github.protectedBranches.add("guarded");
    h.github.pulls.set(9, {
      number: 9,
      title: "Bump",
      headRef: "guarded",
      baseRef: "main",
      fork: false,
      state: "open",
      merged: false,
      labels: [],
    });
    await h.deliver(
      "issue_comment",
      issueCommentEvent({ body: "/scale 5 wordpress staging", user: "octo-writer", number: 9, commentId: 602 }),
    );
    await h.settle();
    expect(h.github.head("guarded")).toBe(headSha);
    expect(h.github.count("createCommitOnBranch")).toBe(0);
    expect(h.github.count("branch-protection")).toBe(1);
    expect(replies(9)[0]).toContain("protected");
  });
});
