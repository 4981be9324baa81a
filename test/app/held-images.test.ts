import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { issueCommentEvent, pullRequestEvent } from "./payloads.ts";
import { deliverPush, openBranch, startHarness, type Harness } from "./harness.ts";

let h: Harness;
beforeEach(async () => {
  // The state a revert leaves behind: staging holds the image that failed. It lives in git only.
  h = await startHarness();
  appendFileSync(
    join(h.dir, "environments/staging.yaml"),
    `held:\n  - image: wordpress:6.7.1-apache\n    reason: "ReadinessTimeout: wordpress-7d9f/wordpress not Ready 18 s after start"\n    since: 2026-11-23T14:00:00Z\n    revertedCommit: ${"c".repeat(40)}\n    revertCommit: ${"d".repeat(40)}\n`,
  );
  h.github.git("commit", "-qam", "Revert Bump wordpress in staging: ReadinessTimeout");
  h.github.permissions.set("octo-writer", "write");
});
afterEach(() => {
  h.github.uninstall();
  expect(h.github.unmatched).toEqual([]);
});

async function renovatePr() {
  const headSha = await openBranch(h.dir, "renovate/wordpress-6.x", (t) =>
    t.replace("image: wordpress:6.6.2-apache", "image: wordpress:6.7.1-apache"),
  );
  h.github.pulls.set(9, {
    number: 9,
    title: "Update wordpress to 6.7.1",
    headRef: "renovate/wordpress-6.x",
    baseRef: "main",
    fork: false,
    state: "open",
    merged: false,
    labels: [],
  });
  await h.deliver(
    "pull_request",
    pullRequestEvent({
      action: "opened",
      number: 9,
      headSha,
      baseSha: h.github.head("main"),
      headRef: "renovate/wordpress-6.x",
      sender: { login: "renovate[bot]", type: "Bot" },
    }),
  );
  await h.settle();
}

describe("held images on pull requests", () => {
  it("a Renovate PR that brings the reverted tag back gets a failing check naming the failure and the revert", async () => {
    await renovatePr();
    const check = h.github.checkRuns.at(-1)!;
    expect(check.conclusion).toBe("failure");
    expect(check.output.title).toBe("1 blocking finding(s)");
    expect(check.output.summary).toContain(
      "`held-image` wordpress: wordpress:6.7.1-apache is held in staging since 2026-11-23T14:00:00Z: ReadinessTimeout",
    );
    expect(check.output.summary).toContain("reverted in ddddddd");
  });

  it("the hold is read from git only: a restarted bot still blocks the PR", async () => {
    await renovatePr();
    h.github.uninstall();
    const restarted = await startHarness();
    try {
      // Same repository state, brand-new app instance with no memory.
      restarted.github.git("fetch", "-q", h.dir, "main:main", "renovate/wordpress-6.x:renovate/wordpress-6.x", "--update-head-ok");
      restarted.github.git("reset", "-q", "--hard", "main");
      restarted.github.pulls.set(9, { ...h.github.pulls.get(9)! });
      await deliverPush(restarted, { branch: "renovate/wordpress-6.x", number: 9 });
      expect(restarted.github.checkRuns.at(-1)).toMatchObject({ conclusion: "failure", output: { title: "1 blocking finding(s)" } });
    } finally {
      restarted.github.uninstall();
      h.github.install();
    }
  });

  it("/allow lifts the hold on the PR branch, leaving a trace in git, and the check passes", async () => {
    await renovatePr();
    await h.deliver(
      "issue_comment",
      issueCommentEvent({ number: 9, body: "/allow wordpress:6.7.1-apache", user: "octo-writer", commentId: 777 }),
    );
    await h.settle();
    const head = h.github.head("renovate/wordpress-6.x");
    const staging = parse(h.github.git("show", `${head}:environments/staging.yaml`)) as { held: unknown[] };
    expect(staging.held).toEqual([]);
    expect(h.github.git("log", "-1", "--format=%s", head)).toBe("kustodian: allow wordpress:6.7.1-apache (requested in #9)");
    expect(h.github.checkRuns.at(-1)).toMatchObject({ head_sha: head, conclusion: "success" });
    expect(h.github.reactions.filter((r) => r.commentId === 777).map((r) => r.content)).toEqual(["eyes", "+1"]);
  });
});
