// The environment's last known-good state for a failed verdict (issue 13), read from git and the
// app's OWN Deployments (created by the app, their merge SHA GitHub's record of the Deployment):
// src/revert/last-known-good.ts decides; this file reads. Never from a payload field alone.
//
// Merges undone with the failed one are those whose rollout was never verified: still open, or
// concluded "Superseded" without a `success` status. A merge concluded otherwise (failed, error,
// Healthy) stops the walk; Healthy is the state restored. Anything else (no earlier Deployment,
// a failure or error, the walk's depth reached) restores the commit before the oldest unverified
// merge — for a single merge, today's restore source (its first parent, revert-source.ts).
import { readCommit } from "../github/commits.ts";
import { deploymentStatuses } from "../github/deployment-statuses.ts";
import { lastKnownGood, type EnvironmentMerge, type KnownGood } from "../revert/last-known-good.ts";
import { isOpen, readKustodianDeployments, type TrackedDeployment } from "./record-deployments.ts";
import { botLoginOf, type RepoClient } from "./repo-client.ts";

/** First-parent commits read back from the failed merge at most. */
const walkDepth = 20;

type Verdict = "healthy" | "unverified" | "other";

async function verdictOf(gh: RepoClient, d: TrackedDeployment): Promise<Verdict> {
  const latest = d.latestStatus;
  if (isOpen(latest)) return "unverified";
  if (latest!.state === "success") return "healthy";
  if (latest!.state !== "inactive") return "other";
  // Marked inactive later (superseded, or by a later success): its own verdict is further down (1 call).
  const statuses = await deploymentStatuses(gh.octokit, { repo: gh.repo, deploymentId: d.id, by: botLoginOf(gh) });
  if (statuses.some((s) => s.state === "success")) return "healthy";
  if (statuses.some((s) => s.state === "failure" || s.state === "error")) return "other";
  return "unverified";
}

export interface KnownGoodSource extends KnownGood {
  /** The app's Deployment of each undone merge in this environment. */
  deployments: Map<string, TrackedDeployment>;
}

/**
 * The state a failed verdict on `mergeSha` in `environment` returns to, and the merges it undoes.
 * Calls: 1 Deployments list; when the environment's previous Deployment was never verified, 1
 * statuses read per inactive Deployment and 1 commit read per first-parent step.
 */
export async function knownGoodOf(gh: RepoClient, input: { environment: string; mergeSha: string }): Promise<KnownGoodSource> {
  const own = (await readKustodianDeployments(gh)).filter((d) => d.environment === input.environment);
  const bySha = new Map<string, TrackedDeployment>();
  for (const d of own) if (!bySha.has(d.payload.mergeSha)) bySha.set(d.payload.mergeSha, d);
  const failedDeployment = bySha.get(input.mergeSha);
  const single = (): KnownGoodSource => ({
    restoreTo: "",
    undoes: [{ sha: input.mergeSha, parent: "", pullRequest: failedDeployment?.payload.pr ?? null, verifiedHealthy: false }],
    deployments: new Map(failedDeployment ? [[input.mergeSha, failedDeployment]] : []),
  });
  // The fast path: the previous Deployment here was verified (or there is none) — undo only this merge.
  const earlier = own.filter((d) => d.payload.mergeSha !== input.mergeSha && (!failedDeployment || d.id < failedDeployment.id));
  const previous = earlier[earlier.length - 1];
  if (!previous || (await verdictOf(gh, previous)) !== "unverified") return single();

  const failedCommit = await readCommit(gh.octokit, { repo: gh.repo, sha: input.mergeSha });
  const merges: EnvironmentMerge[] = [
    {
      sha: input.mergeSha,
      parent: failedCommit.parents[0] ?? "",
      pullRequest: failedDeployment?.payload.pr ?? null,
      verifiedHealthy: false,
    },
  ];
  const deployments = new Map(failedDeployment ? [[input.mergeSha, failedDeployment]] : []);
  // Deployments that may be unverified (open, or inactive: superseded, or a Healthy one a later
  // success marked inactive): the walk ends once it has met them all.
  const pending = new Set(
    earlier.filter((e) => isOpen(e.latestStatus) || e.latestStatus?.state === "inactive").map((e) => e.payload.mergeSha),
  );
  let sha = failedCommit.parents[0];
  for (let step = 0; sha && pending.size > 0 && step < walkDepth; step++) {
    const commit = await readCommit(gh.octokit, { repo: gh.repo, sha });
    const d = bySha.get(sha);
    pending.delete(sha);
    if (d) {
      const verdict = d === previous ? "unverified" : await verdictOf(gh, d);
      if (verdict === "other") break;
      merges.unshift({ sha, parent: commit.parents[0] ?? "", pullRequest: d.payload.pr, verifiedHealthy: verdict === "healthy" });
      if (verdict === "healthy") break;
      deployments.set(sha, d);
    }
    sha = commit.parents[0];
  }
  const known = lastKnownGood(merges, input.mergeSha);
  if (known.undoes.length === 1) return single();
  if (!known.restoreTo) throw new Error(`commit ${known.undoes[0]!.sha.slice(0, 7)} has no parent: there is nothing to restore`);
  return { ...known, deployments };
}
