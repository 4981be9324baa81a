// On becoming leader or restarting: the merges of recent commits of the default branch that no
// Deployment records (the push webhook was missed or not acted on), detected and recorded.
import { fullName } from "../github/client.ts";
import { listBranchCommits } from "../github/commits.ts";
import type { Log } from "../log/log.ts";
import { environmentsOf } from "../layout/paths.ts";
import { detectMerge, type DetectedMerge } from "./detect-merge.ts";
import { touchedEnvironments } from "./merge.ts";
import { deploymentOf, type TrackedDeployment } from "./record-deployments.ts";
import type { RepoClient } from "./repo-client.ts";
import type { TreeCache } from "./tree-cache.ts";

export type RecoveredMerges = { mergeSha: string; deployments: number[] }[];

export interface RestartScanDeps {
  /** How many commits of the default branch to look at. */
  scanDepth: number;
  trees: TreeCache;
  /** (repo@sha:env) found to start no rollout (not a PR merge, rendered the same): not detected again. Bounded here. */
  startsNothing: Set<string>;
  record(gh: RepoClient, merge: DetectedMerge, known: readonly TrackedDeployment[]): Promise<{ deployment: TrackedDeployment }[]>;
  now(): number;
  log: Log;
}

export async function scanRecentMerges(
  deps: RestartScanDeps,
  gh: RepoClient,
  known: readonly TrackedDeployment[],
): Promise<RecoveredMerges> {
  const commits = await listBranchCommits(gh.octokit, { repo: gh.repo, branch: gh.defaultBranch, limit: deps.scanDepth });
  const treeAt = (sha: string) => deps.trees(gh, sha);
  // Newest first; per environment only its newest change counts (older ones are superseded by it).
  const covered = new Set<string>();
  const recovered: RecoveredMerges = [];
  let present: Set<string> | undefined;
  for (const commit of commits) {
    const parent = commit.parents[0];
    if (!parent) break;
    const after = await treeAt(commit.sha);
    if (!after.layout) break;
    present ??= new Set(environmentsOf(after.layout, after.blobs.keys()).map((e) => e.key));
    const fresh = touchedEnvironments((await treeAt(parent)).blobs, after.blobs, after.layout).filter((env) => !covered.has(env));
    for (const env of fresh) covered.add(env);
    const seenKey = (env: string) => `${fullName(gh.repo)}@${commit.sha}:${env}`;
    const missing = fresh.filter((env) => !deploymentOf(known, commit.sha, env) && !deps.startsNothing.has(seenKey(env)));
    if (missing.length > 0) {
      const detection = await detectMerge(
        gh,
        { mergeSha: commit.sha, baseSha: parent, message: commit.message, mergedAt: new Date(commit.committedAt ?? deps.now()) },
        { only: new Set(missing) },
      );
      const rolling = new Set(detection.kind === "merge" ? detection.merge.rollouts.map((r) => r.target.environment) : []);
      for (const env of missing) if (!rolling.has(env)) deps.startsNothing.add(seenKey(env));
      while (deps.startsNothing.size > 1000) deps.startsNothing.delete(deps.startsNothing.values().next().value!);
      if (detection.kind === "merge" && detection.merge.rollouts.length > 0) {
        const recorded = await deps.record(gh, detection.merge, known);
        recovered.push({ mergeSha: commit.sha, deployments: recorded.map((r) => r.deployment.id) });
        deps.log.info({ merge: commit.sha, deployments: recorded.map((r) => r.deployment.id) }, "recorded a merge the push webhook missed");
      }
    }
    if ([...present].every((env) => covered.has(env))) break;
  }
  return recovered;
}
