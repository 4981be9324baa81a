import { describe, expect, it } from "vitest";
import type { RolloutPayload } from "../../src/rollout/payload.ts";
import {
  decideOnFailure,
  evidenceLines,
  failureComment,
  failureDescription,
  formatDuration,
  isRevertingClaim,
  revertingDescription,
  rollbackReply,
  type FailureReport,
} from "../../src/rollout/report.ts";

const sha = "d".repeat(40);
const payload: RolloutPayload = {
  kustodian: 1,
  mergeSha: sha,
  baseSha: "e".repeat(40),
  pr: 7,
  title: "Bump",
  workloads: ["wordpress"],
  target: {
    context: "prod",
    namespace: "wordpress-prod",
    sync: { tool: "argocd", application: "wordpress-prod", namespace: "argocd" },
    slackSeconds: 2,
    mergedAt: "2025-01-01T00:00:00.000Z",
  },
};

describe("decideOnFailure", () => {
  it.each([
    [{ isRevert: false, held: false, autoRevert: true }, { revert: true }],
    [
      { isRevert: true, held: false, autoRevert: true },
      { revert: false, why: "revert" },
    ],
    [
      { isRevert: true, held: true, autoRevert: false },
      { revert: false, why: "revert" },
    ],
    [
      { isRevert: false, held: true, autoRevert: true },
      { revert: false, why: "hold" },
    ],
    [
      { isRevert: false, held: true, autoRevert: false },
      { revert: false, why: "hold" },
    ],
    [
      { isRevert: false, held: false, autoRevert: false },
      { revert: false, why: "auto-revert-off" },
    ],
  ])("%o -> %o", (input, expected) => {
    expect(decideOnFailure(input)).toEqual(expected);
  });
});

describe("texts", () => {
  it("durations as people read them", () => {
    expect([0, 999, 48_000, 60_000, 125_000, 3_600_000, 3_780_000, -5].map(formatDuration)).toEqual([
      "0 s",
      "1 s",
      "48 s",
      "1 min",
      "2 min 5 s",
      "1 h",
      "1 h 3 min",
      "0 s",
    ]);
  });

  it("evidence lines: object, container, reason, message; at most ten", () => {
    const e = { object: "Pod/p", pod: "p", container: "c", reason: "BackOff", message: "back-off 10s\nrestarting" };
    expect(evidenceLines([e, { object: "Deployment/wordpress", reason: "ProgressDeadlineExceeded", message: "m" }])).toEqual([
      "Pod/p container c: BackOff: back-off 10s restarting",
      "Deployment/wordpress: ProgressDeadlineExceeded: m",
    ]);
    expect(evidenceLines(Array.from({ length: 12 }, () => e))).toHaveLength(11);
  });

  it("the claim is an in_progress status whose description starts with `Reverting: `", () => {
    expect(isRevertingClaim({ state: "in_progress", description: revertingDescription("sync failed") })).toBe(true);
    expect(isRevertingClaim({ state: "failure", description: "Reverting: sync failed" })).toBe(false);
    expect(isRevertingClaim({ state: "in_progress", description: "Watching wordpress" })).toBe(false);
    expect(isRevertingClaim(null)).toBe(false);
  });

  it("Deployment status descriptions for each outcome", () => {
    const what = "container is crash-looping";
    expect(failureDescription(what, { kind: "committed", sha, url: "u", message: "m", existing: false })).toBe(
      "container is crash-looping: reverted in ddddddd",
    );
    expect(failureDescription(what, { kind: "pull-request", number: 12, url: "u", existing: false, changedSinceMerge: [] })).toBe(
      "container is crash-looping: revert pull request #12",
    );
    expect(failureDescription(what, { kind: "nothing", why: "already-restored" })).toBe(
      "container is crash-looping: files already restored",
    );
    expect(failureDescription(what, { kind: "not-reverted", why: "auto-revert-off" })).toBe(
      "container is crash-looping: not reverted (autoRevert off)",
    );
  });

  it("the failure comment says what happened instead of a revert", () => {
    const report = (outcome: FailureReport["outcome"]): string =>
      failureComment({
        environment: "prod",
        payload,
        what: "sync failed",
        summary: "sync failed: Application/wordpress-prod: ComparisonError: kustomize build failed",
        evidence: [],
        tookMs: 5000,
        outcome,
        holdLabel: "kustodian/hold",
        defaultBranch: "main",
      });
    expect(
      report({ kind: "pull-request", number: 12, url: "u", existing: false, changedSinceMerge: ["environments/prod.yaml"] }),
    ).toContain(
      "↩️ `environments/prod.yaml` and `overlays/prod/` changed on `main` after this merge, so kustodian did not commit the revert: it opened #12 instead. Review it: restoring the files also undoes `environments/prod.yaml`.",
    );
    expect(report({ kind: "not-reverted", why: "auto-revert-off" })).toContain(
      "Not reverted: `rollout.autoRevert` is off in `.github/kustodian.yml`. Comment `/rollback` to revert it.",
    );
    expect(report({ kind: "nothing", why: "already-restored" })).toContain(
      "are already as they were before this merge: nothing to revert.",
    );
    expect(report({ kind: "committed", sha, url: "https://x/commit/d", message: "m", existing: true })).toContain(
      "↩️ Already reverted in [`ddddddd`](https://x/commit/d).",
    );
    const withLines = failureComment({
      environment: "prod",
      payload,
      what: "sync failed",
      summary: "s",
      evidence: ["Pod/p container c: BackOff: x"],
      tookMs: undefined,
      outcome: { kind: "nothing", why: "merge-changed-nothing" },
      holdLabel: "h",
      defaultBranch: "main",
    });
    expect(withLines).toContain("\n- Pod/p container c: BackOff: x\n");
    expect(withLines).not.toContain("after the merge.");
  });

  it("the /rollback reply, per environment", () => {
    expect(rollbackReply("octo", [], "main")).toBe(
      "> /rollback\n\nThis pull request changed no environment's rollout, so there is nothing to roll back.",
    );
    expect(
      rollbackReply(
        "octo",
        [
          { environment: "dev", outcome: { kind: "nothing", why: "already-restored" } },
          { environment: "prod", outcome: { kind: "committed", sha, url: "https://x/commit/d", message: "m", existing: false } },
          { environment: "staging", outcome: { kind: "failed", message: "Branch main moved" } },
        ],
        "main",
      ),
    ).toBe(
      "> /rollback\n\n↩️ Rolling back on request by @octo:\n\n- **dev**: already back to its content before the merge\n- **prod**: reverted in [`ddddddd`](https://x/commit/d) on `main`\n- **staging**: could not be reverted: Branch main moved",
    );
  });
});
