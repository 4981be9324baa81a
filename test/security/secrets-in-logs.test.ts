// Secrets never leave, logs included: during a pull request whose environment sets
// WORDPRESS_DB_PASSWORD, the value appears in no log line (at debug level), no request body sent to
// the fake GitHub (comments, check runs) and no commit message.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliverPullRequestOpened, type Harness } from "../app/harness.ts";
import { branchSetting, requestsCarrying, startHarnessCapturingLogs } from "./secret-leaks.ts";

const secret = "Pw-3f9c1e7a-unique-db-password";

/** Log lines that carry the secret, as written or inside base64 (a commit's file contents are base64). */
function leaking(lines: readonly string[]): string[] {
  return lines.filter(
    (line) =>
      line.includes(secret) ||
      (line.match(/[A-Za-z0-9+/]{24,}={0,2}/g) ?? []).some((run) =>
        [0, 1, 2, 3].some((skip) => Buffer.from(run.slice(skip), "base64").toString("latin1").includes(secret)),
      ),
  );
}

describe("secret values in logs", () => {
  let h: Harness;
  let lines: string[];
  beforeEach(async () => {
    ({ h, lines } = await startHarnessCapturingLogs());
  });
  afterEach(() => {
    h.github.uninstall();
    expect(h.github.unmatched).toEqual([]);
  });

  it("a PR setting WORDPRESS_DB_PASSWORD: the value is in no log line, comment, check run or commit message", async () => {
    const headSha = await branchSetting(h, "db-password", "WORDPRESS_DB_PASSWORD", secret);
    await deliverPullRequestOpened(h, "db-password", headSha);
    // The job ran and logged (the regeneration commit), so the capture is live.
    expect(h.github.count("createCommitOnBranch")).toBe(1);
    expect(lines.some((l) => l.includes("pushed regenerated overlays"))).toBe(true);
    expect(leaking(lines)).toEqual([]);
    expect(requestsCarrying(h, secret)).toEqual([]);
    // The commit on the branch: its message names files, never values.
    const message = h.github.git("log", "-1", "--format=%B", h.github.head("db-password"));
    expect(message).toContain("kustodian: regenerate overlays/staging");
    expect(message).not.toContain(secret);
  });

  it("a GitHub error while committing: the error is logged without the commit's contents", async () => {
    const headSha = await branchSetting(h, "db-password", "WORDPRESS_DB_PASSWORD", secret);
    h.github.failNext.push("createCommitOnBranch", "createCommitOnBranch", "createCommitOnBranch");
    await deliverPullRequestOpened(h, "db-password", headSha);
    // The failure was logged (and reported on the PR), with the secret in neither.
    expect(lines.some((l) => l.includes("kustodian work failed"))).toBe(true);
    expect(h.github.checkRuns.at(-1)).toMatchObject({ conclusion: "failure" });
    expect(leaking(lines)).toEqual([]);
  });

  it("a fork's PR (never pushed to): the overlay diff the plan proposes masks the value", async () => {
    const headSha = await branchSetting(h, "db-password", "WORDPRESS_DB_PASSWORD", secret);
    await deliverPullRequestOpened(h, "db-password", headSha, { fork: true });
    expect(h.github.count("createCommitOnBranch")).toBe(0);
    const plan = h.github.comments.get(7)!.find((c) => c.body.includes("<!-- kustodian:plan"))!.body;
    expect(plan).toContain("Generated overlays are out of date");
    expect(plan).toContain("WORDPRESS_DB_PASSWORD");
    for (const call of h.github.calls) expect(JSON.stringify(call.body ?? "")).not.toContain(secret);
    expect(leaking(lines)).toEqual([]);
  });
});
