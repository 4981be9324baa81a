// `/rollback` on a merged pull request: the same revert as a failed verdict, on request, for every
// environment the merge rolled out to (from its Deployments, else detected again).
import { userMessageOf } from "../github/user-error.ts";
import { latestDeploymentStatus } from "../github/deployments.ts";
import { errorFields, type Log } from "../log/log.ts";
import { detectMerge } from "./detect-merge.ts";
import { editsFor, writeStatus, type RevertEdits } from "./execute-actions.ts";
import { isOpen, readKustodianDeployments, type TrackedDeployment } from "./record-deployments.ts";
import { botLoginOf, type RepoClient } from "./repo-client.ts";
import { rollbackReply, type RollbackLine } from "./report.ts";
import { revertEnvironment } from "./revert-environment.ts";
import { environmentPathsOf } from "./payload.ts";
import type { EnvironmentPaths } from "../revert/environment-files.ts";

export interface RollbackDeps {
  /** Ends our own watch of a Deployment: the revert replaces what it watches. */
  endWatch(gh: RepoClient, deploymentId: number): void;
  revertEdits?: RevertEdits | undefined;
  now(): number;
  log: Log;
}

export interface MergedPullRequest {
  number: number;
  title: string;
  mergeCommitSha: string | null;
}

/** Reverts the merge of `pr` in each of its environments; returns the reply for the PR. */
export async function rollback(deps: RollbackDeps, gh: RepoClient, pr: MergedPullRequest, requestedBy: string): Promise<string> {
  if (!pr.mergeCommitSha)
    return "> /rollback\n\nkustodian cannot find the merge commit of this pull request, so it cannot revert it. Nothing was changed.";
  const mergeSha = pr.mergeCommitSha;
  const all = await readKustodianDeployments(gh);
  const targets = new Map<string, { baseSha: string; paths: EnvironmentPaths; deployment?: TrackedDeployment }>();
  for (const d of all)
    if (d.payload.mergeSha === mergeSha && !targets.has(d.environment))
      targets.set(d.environment, { baseSha: d.payload.baseSha, paths: environmentPathsOf(d.environment, d.payload.paths), deployment: d });
  if (targets.size === 0) {
    const summary = {
      number: pr.number,
      title: pr.title,
      body: "",
      state: "closed" as const,
      merged: true,
      mergeCommitSha: mergeSha,
      headRef: "",
      baseRef: gh.defaultBranch,
      labels: [],
      url: "",
      author: null,
    };
    const detection = await detectMerge(gh, { mergeSha, message: "", mergedAt: new Date(deps.now()) }, { pullRequest: summary });
    if (detection.kind === "merge")
      for (const r of detection.merge.rollouts)
        targets.set(r.target.environment, {
          baseSha: detection.merge.baseSha,
          paths: environmentPathsOf(r.target.environment, detection.merge.paths.get(r.target.environment)),
        });
  }
  const reason = `requested by @${requestedBy}`;
  const lines: RollbackLine[] = [];
  for (const [environment, { baseSha, paths, deployment }] of [...targets].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (deployment) deps.endWatch(gh, deployment.id);
    try {
      const outcome = await revertEnvironment(gh, {
        environment,
        mergeSha,
        baseSha,
        pullRequest: { number: pr.number, title: pr.title },
        reason,
        details: [],
        paths,
        environmentEdits: editsFor(deps.revertEdits, environment, mergeSha, paths.file, {
          reason: "requested",
          summary: reason,
          decidedAt: new Date(deps.now()),
        }),
      });
      lines.push({ environment, outcome });
      if (deployment && (outcome.kind === "committed" || outcome.kind === "pull-request") && !outcome.existing) {
        const status = await latestDeploymentStatus(gh.octokit, { repo: gh.repo, deploymentId: deployment.id, by: botLoginOf(gh) });
        if (isOpen(status) || status?.state === "success") {
          const where = outcome.kind === "committed" ? outcome.sha.slice(0, 7) : `#${outcome.number}`;
          await writeStatus(gh, deployment.id, {
            state: "inactive",
            description: `Rolled back on request by @${requestedBy}: ${where}`,
            logUrl: outcome.url,
          });
        }
      }
    } catch (error) {
      deps.log.error({ err: errorFields(error), environment, merge: mergeSha }, "rollback failed");
      lines.push({ environment, outcome: { kind: "failed", message: userMessageOf(error) } });
    }
  }
  return rollbackReply(requestedBy, lines, gh.defaultBranch);
}
