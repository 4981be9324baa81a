// What to do about one rollout (pure): the watch's outcome, the Deployment's latest status, the
// app config, the pull request's state and the revert found in git go in; the list of actions
// comes out, in order. execute-actions.ts carries them out against GitHub.
import type { DeploymentState } from "../github/deployments.ts";
import type { Evidence, FailureReason } from "../health/index.ts";
import type { WatchErrorCode } from "../watch/errors.ts";
import type { TerminalVerdict } from "../watch/types.ts";
import { isOpen } from "./record-deployments.ts";
import { decideOnFailure, evidenceLines, formatDuration, isRevertingClaim, revertingDescription, revertingPrefix } from "./report.ts";
import type { FailureOutcome } from "./report.ts";
import type { RevertOutcome } from "./revert-environment.ts";
import { reasonPhrase } from "../health/index.ts";

/** What ended (or did not yet start) the watch of one Deployment. */
export type RolloutEvent =
  /** Before watching again after a restart or a new Lease: only a claimed revert already made matters. */
  | { kind: "resumed" }
  | { kind: "verdict"; verdict: TerminalVerdict }
  | { kind: "watch-error"; code: WatchErrorCode | "Other"; message: string; revision?: string | undefined };

export interface RolloutFacts {
  event: RolloutEvent;
  /** The Deployment's latest status, read fresh (another process may have acted). */
  status: { state: DeploymentState; description: string | null } | null;
  /** When `status` claims a revert ("Reverting: ..."): the revert found in git, with the evidence its commit kept; null when none. */
  claimedRevert?: { outcome: RevertOutcome; evidence: string[] } | null;
  /** `.github/kustodian.yml` (read for a Failed verdict). */
  config?: { autoRevert: boolean; holdLabel: string };
  /** The merged pull request's labels now (read for a Failed verdict; absent for a push without a PR). */
  pullRequest?: { number: number; title: string; labels: readonly string[] };
  /** The merge is itself a revert (never reverted again). */
  isRevert: boolean;
  /** When the merge was made (ms): the verdict's "took". */
  mergedAt: number;
  syncTool: "argocd" | "flux";
  mergeSha: string;
  syncTimeoutMs: number;
}

export type RolloutAction =
  /** Deployment status in_progress "Reverting: ...": a restarted or new leader looks in git first. */
  | { kind: "claim"; description: string }
  /** Restore the environment's files; the outcome goes to the next report-failure. */
  | {
      kind: "revert";
      /** The merged pull request, when there was one (its title names the revert). */
      pullRequest?: { number: number; title: string };
      reason: string;
      details: string[];
      /** The verdict's evidence: which workload and container failed (the attribution, src/revert/blame.ts). */
      evidence?: readonly Evidence[];
      edit: { reason: FailureReason | "requested"; summary: string; decidedAt: Date };
    }
  | { kind: "report-healthy"; detail: string; tookMs: number }
  /** The comment and the failure status; `outcome` absent: the preceding revert's. */
  | {
      kind: "report-failure";
      what: string;
      summary: string;
      evidence: readonly Evidence[] | readonly string[];
      tookMs: number | undefined;
      holdLabel: string;
      outcome?: FailureOutcome;
    }
  /** Ends the Deployment without a verdict. */
  | { kind: "conclude"; state: "inactive" | "error"; description: string };

/** The actions for one rollout; [] when there is nothing (left) to do. */
export function decideActions(facts: RolloutFacts): RolloutAction[] {
  const { event, status } = facts;
  if (event.kind === "watch-error" && event.code === "Closed") return [];
  if (!isOpen(status)) return [];
  // A claimed verdict whose revert exists: report it and conclude (a Failed verdict reverts again,
  // which finds the same revert).
  if (!(event.kind === "verdict" && event.verdict.status === "Failed") && isRevertingClaim(status) && facts.claimedRevert) {
    const what = (status.description ?? "").slice(revertingPrefix.length) || "rollout failed";
    return [
      {
        kind: "report-failure",
        what,
        summary: what,
        evidence: facts.claimedRevert.evidence,
        tookMs: undefined,
        holdLabel: "",
        outcome: facts.claimedRevert.outcome,
      },
    ];
  }
  if (event.kind === "resumed") return [];
  if (event.kind === "watch-error") {
    if (event.code === "Superseded")
      return [
        {
          kind: "conclude",
          state: "inactive",
          description: `Superseded by ${event.revision ? event.revision.slice(0, 7) : "a later merge"}`,
        },
      ];
    if (event.code === "SyncTimeout")
      return [
        {
          kind: "conclude",
          state: "error",
          description: `${facts.syncTool === "argocd" ? "Argo CD" : "Flux"} did not report ${facts.mergeSha.slice(0, 7)} within ${formatDuration(facts.syncTimeoutMs)}`,
        },
      ];
    return [{ kind: "conclude", state: "error", description: `Watch failed: ${event.message}` }];
  }
  const verdict = event.verdict;
  const tookMs = verdict.decidedAt.getTime() - facts.mergedAt;
  if (verdict.status === "Healthy") return [{ kind: "report-healthy", detail: verdict.detail, tookMs }];
  const config = facts.config ?? { autoRevert: true, holdLabel: "" };
  const decision = decideOnFailure({
    isRevert: facts.isRevert,
    held: facts.pullRequest?.labels.includes(config.holdLabel) ?? false,
    autoRevert: config.autoRevert,
  });
  const what = reasonPhrase(verdict.reason);
  const report = {
    kind: "report-failure" as const,
    what,
    summary: verdict.summary,
    evidence: verdict.evidence,
    tookMs,
    holdLabel: config.holdLabel,
  };
  if (!decision.revert) return [{ ...report, outcome: { kind: "not-reverted", why: decision.why } }];
  return [
    ...(isRevertingClaim(status) ? [] : [{ kind: "claim" as const, description: revertingDescription(what) }]),
    {
      kind: "revert",
      ...(facts.pullRequest ? { pullRequest: { number: facts.pullRequest.number, title: facts.pullRequest.title } } : {}),
      reason: what,
      details: evidenceLines(verdict.evidence),
      evidence: verdict.evidence,
      edit: { reason: verdict.reason, summary: verdict.summary, decidedAt: verdict.decidedAt },
    },
    report,
  ];
}
