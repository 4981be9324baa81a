import { describe, expect, it } from "vitest";
import type { Evidence } from "../../src/health/index.ts";
import { decideActions, type RolloutAction, type RolloutFacts } from "../../src/rollout/decide-actions.ts";

const mergedAt = Date.parse("2026-01-01T00:00:00Z");
const decidedAt = new Date(mergedAt + 42_000);
const evidence: Evidence[] = [
  { object: "Pod/wp-1", pod: "wp-1", container: "wordpress", reason: "Unhealthy", message: "Readiness probe failed" },
];
const failed = {
  kind: "verdict",
  verdict: { status: "Failed", reason: "ReadinessTimeout", summary: "readiness not reached: wp-1", evidence, decidedAt },
} as const;
const healthy = { kind: "verdict", verdict: { status: "Healthy", detail: "3/3 ready", decidedAt } } as const;
const open = { state: "in_progress", description: "Watching the rollout" } as const;
const claimed = { state: "in_progress", description: "Reverting: readiness not reached within the probe window" } as const;
const committed = {
  kind: "committed",
  sha: "c".repeat(40),
  url: "https://github.com/o/r/commit/cc",
  message: "Revert",
  existing: false,
} as const;

const base: RolloutFacts = {
  event: healthy,
  status: open,
  isRevert: false,
  mergedAt,
  syncTool: "argocd",
  mergeSha: "a".repeat(40),
  syncTimeoutMs: 30 * 60_000,
  config: { autoRevert: true, holdLabel: "kustodian/hold" },
  pullRequest: { number: 7, title: "Bump wordpress", labels: [] },
};

const what = "readiness not reached within the probe window";
const failureReport = {
  kind: "report-failure",
  what,
  summary: "readiness not reached: wp-1",
  evidence,
  tookMs: 42_000,
  holdLabel: "kustodian/hold",
};
const revert: RolloutAction = {
  kind: "revert",
  pullRequest: { number: 7, title: "Bump wordpress" },
  reason: what,
  details: ["Pod/wp-1 container wordpress: Unhealthy: Readiness probe failed"],
  evidence,
  edit: { reason: "ReadinessTimeout", summary: "readiness not reached: wp-1", decidedAt },
};

describe("decideActions: verdict + Deployment status + config + PR + revert found -> actions", () => {
  const cases: Array<{ name: string; facts: Partial<RolloutFacts>; actions: RolloutAction[] }> = [
    { name: "Healthy: comment and success", facts: {}, actions: [{ kind: "report-healthy", detail: "3/3 ready", tookMs: 42_000 }] },
    {
      name: "Healthy, status no longer open (another process concluded): nothing",
      facts: { status: { state: "success", description: "" } },
      actions: [],
    },
    {
      name: "Healthy, but a revert was claimed and made: report the revert",
      facts: { status: claimed, claimedRevert: { outcome: committed, evidence: ["Pod/wp-1: Unhealthy"] } },
      actions: [
        {
          kind: "report-failure",
          what,
          summary: what,
          evidence: ["Pod/wp-1: Unhealthy"],
          tookMs: undefined,
          holdLabel: "",
          outcome: committed,
        },
      ],
    },
    {
      name: "Healthy, a revert claimed but not made: healthy",
      facts: { status: claimed, claimedRevert: null },
      actions: [{ kind: "report-healthy", detail: "3/3 ready", tookMs: 42_000 }],
    },
    {
      name: "Failed: claim, revert, report",
      facts: { event: failed },
      actions: [{ kind: "claim", description: `Reverting: ${what}` }, revert, failureReport as RolloutAction],
    },
    {
      name: "Failed, already claimed (restart): revert and report without a second claim",
      facts: { event: failed, status: claimed },
      actions: [revert, failureReport as RolloutAction],
    },
    {
      name: "Failed, no pull request (a direct push): the revert names none",
      facts: { event: failed, pullRequest: undefined },
      actions: [
        { kind: "claim", description: `Reverting: ${what}` },
        { ...revert, pullRequest: undefined } as RolloutAction,
        failureReport as RolloutAction,
      ],
    },
    {
      name: "Failed, PR on hold: reported, not reverted",
      facts: { event: failed, pullRequest: { number: 7, title: "Bump wordpress", labels: ["kustodian/hold"] } },
      actions: [{ ...(failureReport as RolloutAction), outcome: { kind: "not-reverted", why: "hold" } } as RolloutAction],
    },
    {
      name: "Failed, autoRevert off: reported, not reverted",
      facts: { event: failed, config: { autoRevert: false, holdLabel: "kustodian/hold" } },
      actions: [{ ...(failureReport as RolloutAction), outcome: { kind: "not-reverted", why: "auto-revert-off" } } as RolloutAction],
    },
    {
      name: "Failed rollout of a revert: never reverted again",
      facts: { event: failed, isRevert: true },
      actions: [{ ...(failureReport as RolloutAction), outcome: { kind: "not-reverted", why: "revert" } } as RolloutAction],
    },
    {
      name: "Failed, status concluded meanwhile: nothing",
      facts: { event: failed, status: { state: "failure", description: "x" } },
      actions: [],
    },
    {
      name: "Superseded by a later merge: inactive",
      facts: { event: { kind: "watch-error", code: "Superseded", message: "", revision: "b".repeat(40) } },
      actions: [{ kind: "conclude", state: "inactive", description: "Superseded by bbbbbbb" }],
    },
    {
      name: "Sync timeout (Argo CD): error",
      facts: { event: { kind: "watch-error", code: "SyncTimeout", message: "" } },
      actions: [{ kind: "conclude", state: "error", description: "Argo CD did not report aaaaaaa within 30 min" }],
    },
    {
      name: "Sync timeout (Flux): error",
      facts: { event: { kind: "watch-error", code: "SyncTimeout", message: "" }, syncTool: "flux" },
      actions: [{ kind: "conclude", state: "error", description: "Flux did not report aaaaaaa within 30 min" }],
    },
    {
      name: "watch failed otherwise: error with the message",
      facts: { event: { kind: "watch-error", code: "DeploymentNotFound", message: "no Deployment wordpress" } },
      actions: [{ kind: "conclude", state: "error", description: "Watch failed: no Deployment wordpress" }],
    },
    {
      name: "watcher closed: nothing (the next leader watches)",
      facts: { event: { kind: "watch-error", code: "Closed", message: "" } },
      actions: [],
    },
    {
      name: "watch error after a claimed revert was made: the revert is reported",
      facts: {
        event: { kind: "watch-error", code: "SyncTimeout", message: "" },
        status: claimed,
        claimedRevert: { outcome: committed, evidence: [] },
      },
      actions: [{ kind: "report-failure", what, summary: what, evidence: [], tookMs: undefined, holdLabel: "", outcome: committed }],
    },
    { name: "resumed, nothing claimed: nothing (watch)", facts: { event: { kind: "resumed" } }, actions: [] },
    {
      name: "resumed, claimed and made: the revert is reported",
      facts: { event: { kind: "resumed" }, status: claimed, claimedRevert: { outcome: committed, evidence: [] } },
      actions: [{ kind: "report-failure", what, summary: what, evidence: [], tookMs: undefined, holdLabel: "", outcome: committed }],
    },
    {
      name: "resumed, claimed but not made: nothing (watch again)",
      facts: { event: { kind: "resumed" }, status: claimed, claimedRevert: null },
      actions: [],
    },
  ];
  it.each(cases)("$name", ({ facts, actions }) => {
    const input = { ...base, ...facts };
    if ("pullRequest" in facts && facts.pullRequest === undefined) delete input.pullRequest;
    expect(decideActions(input)).toEqual(actions);
  });
});
