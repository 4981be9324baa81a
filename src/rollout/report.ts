// What people read about a rollout (pure): the decision on a failure, the PR comments, the
// Deployment status descriptions, the /rollback reply.
import type { Evidence } from "../health/index.ts";
import { environmentPathsOf, type RolloutPayload } from "./payload.ts";
import type { RevertOutcome } from "./revert-environment.ts";

/** The description of the in_progress status that claims a verdict before the revert is made (README.md). */
export const revertingPrefix = "Reverting: ";

export type FailureDecision = { revert: true } | { revert: false; why: "revert" | "hold" | "auto-revert-off" };

/** On a failed rollout: revert, unless the merge is a revert, the PR is on hold, or auto-revert is off. */
export function decideOnFailure(input: { isRevert: boolean; held: boolean; autoRevert: boolean }): FailureDecision {
  if (input.isRevert) return { revert: false, why: "revert" };
  if (input.held) return { revert: false, why: "hold" };
  if (!input.autoRevert) return { revert: false, why: "auto-revert-off" };
  return { revert: true };
}

export type FailureOutcome = RevertOutcome | { kind: "not-reverted"; why: "revert" | "hold" | "auto-revert-off" };

/** One line per piece of evidence: `Pod/x container c: Reason: message` (the revert commit carries them too). */
export function evidenceLines(evidence: readonly Evidence[], max = 10): string[] {
  const lines = evidence
    .slice(0, max)
    .map((e) => `${e.object}${e.container ? ` container ${e.container}` : ""}: ${e.reason}: ${e.message}`.replace(/\s+/g, " ").trim());
  if (evidence.length > max) lines.push(`(${evidence.length - max} more)`);
  return lines;
}

/** "48 s", "2 min 5 s", "1 h 3 min". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ""}`;
}

export function watchingDescription(payload: RolloutPayload): string {
  const what = payload.workloads.length ? payload.workloads.join(", ") : "the sync";
  return `Watching ${what} in ${payload.target.namespace} for ${payload.mergeSha.slice(0, 7)}`;
}

export function revertingDescription(reason: string): string {
  return `${revertingPrefix}${reason}`;
}

export function isRevertingClaim<S extends { state: string; description: string | null }>(status: S | null): status is S {
  return status !== null && status.state === "in_progress" && (status.description ?? "").startsWith(revertingPrefix);
}

/** The sticky comment's marker: one comment per environment on the pull request. */
export function commentMarker(environment: string, payload: RolloutPayload): string {
  return `${payload.revertOf ? "revert-rollout" : "rollout"}:${environment}`;
}

/** The pull request a rollout is reported on: the merged one, else the one the revert reverted. */
export function reportedPullRequest(payload: RolloutPayload): number | null {
  return payload.pr ?? payload.revertOf?.pr ?? null;
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

function commitLink(sha: string, url: string | undefined): string {
  return url ? `[\`${short(sha)}\`](${url})` : `\`${short(sha)}\``;
}

function cell(text: string | undefined): string {
  return (text ?? "").replace(/\s+/g, " ").replace(/\|/g, "\\|").trim() || " ";
}

export interface HealthyReport {
  environment: string;
  payload: RolloutPayload;
  detail: string;
  tookMs: number;
  mergeUrl?: string;
}

export function healthyComment(r: HealthyReport): string {
  const p = r.payload;
  const workloads = p.workloads.length ? p.workloads.map((w) => `\`${w}\``).join(", ") : "the sync";
  const head = p.revertOf
    ? `### ✅ Revert rolled out to **${r.environment}**\n\nThe revert of \`${short(p.revertOf.mergeSha)}\` (${commitLink(p.mergeSha, r.mergeUrl)}) is live: ${workloads} in \`${p.target.namespace}\` healthy ${formatDuration(r.tookMs)} after it was committed.`
    : `### ✅ Rolled out to **${r.environment}**\n\n${commitLink(p.mergeSha, r.mergeUrl)} is live: ${workloads} in \`${p.target.namespace}\` healthy ${formatDuration(r.tookMs)} after the merge.`;
  return `${head}\n\n<sub>${cell(r.detail)}</sub>\n`;
}

export function healthyDescription(tookMs: number): string {
  return `Healthy ${formatDuration(tookMs)} after the merge`;
}

export interface FailureReport {
  environment: string;
  payload: RolloutPayload;
  /** The failure in a few words (reasonPhrase, or what a claimed revert's status said). */
  what: string;
  summary: string;
  /** Evidence as the watcher gave it, or (after a restart) the lines the revert commit kept. */
  evidence: readonly Evidence[] | readonly string[];
  tookMs: number | undefined;
  outcome: FailureOutcome;
  holdLabel: string;
  defaultBranch: string;
  mergeUrl?: string;
  /** Issue 13: which merge the failure is attributed to and what is held (src/rollout/blame-report.ts). */
  attribution?: string;
}

export function failureComment(r: FailureReport): string {
  const p = r.payload;
  const what = r.what;
  const title = p.revertOf ? `### ❌ Revert failed to roll out in **${r.environment}**` : `### ❌ Rollout failed in **${r.environment}**`;
  const when = r.tookMs === undefined ? "" : `, ${formatDuration(r.tookMs)} after the merge`;
  const workloads = p.workloads.length ? p.workloads.map((w) => `\`${w}\``).join(", ") : "the sync";
  const lines = [
    title,
    "",
    `**${what}**: ${workloads} in \`${p.target.namespace}\` at ${commitLink(p.mergeSha, r.mergeUrl)}${when}.`,
    "",
    `> ${cell(r.summary)}`,
    "",
  ];
  if (r.evidence.length > 0) {
    if (typeof r.evidence[0] === "string") {
      for (const line of r.evidence as readonly string[]) lines.push(`- ${line}`);
    } else {
      lines.push("| Object | Container | Reason | Message |", "|---|---|---|---|");
      for (const e of (r.evidence as readonly Evidence[]).slice(0, 20))
        lines.push(`| \`${cell(e.object)}\` | ${cell(e.container)} | ${cell(e.reason)} | ${cell(e.message)} |`);
    }
    lines.push("");
  }
  lines.push(outcomeText(r));
  if (r.attribution) lines.push("", r.attribution);
  return `${lines.join("\n")}\n`;
}

function outcomeText(r: FailureReport): string {
  const where = environmentPathsOf(r.environment, r.payload.paths);
  const files = `\`${where.file}\` and \`${where.overlay}/\``;
  const o = r.outcome;
  switch (o.kind) {
    case "committed":
      return o.existing
        ? `↩️ Already reverted in ${commitLink(o.sha, o.url)}.`
        : `↩️ **Reverted** in ${commitLink(o.sha, o.url)} on \`${r.defaultBranch}\`: ${files} are back to their content before the merge; the sync will apply it.`;
    case "pull-request":
      return `↩️ ${files} changed on \`${r.defaultBranch}\` after this merge, so kustodian did not commit the revert: it opened #${o.number} instead. Review it: restoring the files also undoes ${o.changedSinceMerge.map((f) => `\`${f}\``).join(", ")}.`;
    case "nothing":
      return o.why === "already-restored"
        ? `${files} on \`${r.defaultBranch}\` are already as they were before this merge: nothing to revert.`
        : `This merge did not change ${files}: nothing to revert.`;
    case "not-reverted":
      if (o.why === "revert")
        return "Not reverted: this merge is itself a revert, and kustodian never reverts a revert. A person needs to look.";
      if (o.why === "hold")
        return `⏸️ Not reverted: this pull request is on hold (\`${r.holdLabel}\`). Comment \`/rollback\` to revert it.`;
      return "Not reverted: `rollout.autoRevert` is off in `.github/kustodian.yml`. Comment `/rollback` to revert it.";
  }
}

export function failureDescription(what: string, outcome: FailureOutcome): string {
  switch (outcome.kind) {
    case "committed":
      return `${what}: reverted in ${short(outcome.sha)}`;
    case "pull-request":
      return `${what}: revert pull request #${outcome.number}`;
    case "nothing":
      return `${what}: files already restored`;
    case "not-reverted":
      return `${what}: not reverted (${outcome.why === "revert" ? "a revert" : outcome.why === "hold" ? "on hold" : "autoRevert off"})`;
  }
}

export interface RollbackLine {
  environment: string;
  outcome: RevertOutcome | { kind: "failed"; message: string };
}

/** The reply to `/rollback`, one line per environment. */
export function rollbackReply(requestedBy: string, lines: readonly RollbackLine[], defaultBranch: string): string {
  if (lines.length === 0) return "> /rollback\n\nThis pull request changed no environment's rollout, so there is nothing to roll back.";
  const out = lines.map(({ environment, outcome: o }) => {
    switch (o.kind) {
      case "committed":
        return o.existing
          ? `- **${environment}**: already reverted in ${commitLink(o.sha, o.url)}`
          : `- **${environment}**: reverted in ${commitLink(o.sha, o.url)} on \`${defaultBranch}\``;
      case "pull-request":
        return `- **${environment}**: the files changed on \`${defaultBranch}\` since the merge, so kustodian opened #${o.number} to revert them; review it`;
      case "nothing":
        return `- **${environment}**: ${o.why === "already-restored" ? "already back to its content before the merge" : "not changed by this merge"}`;
      case "failed":
        return `- **${environment}**: could not be reverted: ${o.message}`;
    }
  });
  return `> /rollback\n\n↩️ Rolling back on request by @${requestedBy}:\n\n${out.join("\n")}`;
}

/**
 * Issue 13: the comment on an earlier merge a last known-good revert undid with the failed one.
 * `blamed`: this merge changed the failing workload's pod template, so the failure is attributed
 * to it; `attribution` says what it changed and what is held (src/rollout/blame-report.ts).
 */
export function undoneComment(r: {
  environment: string;
  failedPullRequest: number | null;
  failedSha: string;
  outcome: FailureOutcome;
  what: string;
  blamed: boolean;
  attribution?: string;
  defaultBranch: string;
}): string {
  const failed = r.failedPullRequest === null ? `commit ${r.failedSha.slice(0, 7)}` : `#${r.failedPullRequest}`;
  const head = r.blamed
    ? `### ❌ Rollout failed in **${r.environment}**: attributed to this merge`
    : `### ↩️ Undone in **${r.environment}**`;
  const why = r.blamed
    ? `**${r.what}** after ${failed}: this merge changed the failing workload's pod template, and its rollout was never verified Healthy.`
    : `**${r.what}** after ${failed}: this merge's rollout was never verified Healthy, so the environment went back to its last state that was.`;
  const o = r.outcome;
  const done =
    o.kind === "committed"
      ? `↩️ Reverted in ${commitLink(o.sha, o.url)} on \`${r.defaultBranch}\`, with every merge since the last Healthy state.`
      : o.kind === "pull-request"
        ? `↩️ The revert is #${o.number} (the files changed after the merge): review it.`
        : "Nothing was reverted.";
  return `${head}\n\n${why}\n\n${done}\n${r.attribution ? `\n${r.attribution}\n` : ""}`;
}
