// The state a failed verdict returns an environment to (issue 13), as data: the newest commit whose
// rollout kustodian verified Healthy in that environment, and the merges restoring it undoes.
// Reverting only the merge whose verdict failed is the wrong unit: after a bad image and then a
// config change, it lands back on the bad image.
//
// The input comes from git (the merges, their first parents) and the app's OWN Deployments for the
// environment (which were verified Healthy: a `success` status kustodian wrote); never from a
// payload field alone (issue 11).

/** One merge that changed the environment, as git and the app's own Deployments record it. */
export interface EnvironmentMerge {
  /** The merge commit. */
  sha: string;
  /** Its first parent: the environment's state before it. */
  parent: string;
  /** The merged pull request, when there was one. */
  pullRequest: number | null;
  /** kustodian verified this merge's rollout Healthy in this environment. */
  verifiedHealthy: boolean;
}

export interface KnownGood {
  /** The commit whose environment files are restored. */
  restoreTo: string;
  /** The merges restoring it undoes, oldest first (the failed one last). */
  undoes: EnvironmentMerge[];
}

/**
 * The last known-good state for a failed verdict on `failedSha`. `merges` are the environment's
 * recent merges, oldest first; merges after `failedSha` (a fix-forward merged before the verdict)
 * are not considered here: the caller does not revert then. Returns the newest merge before
 * the failed one whose rollout was verified Healthy, or — when there is none — the parent of the
 * first merge given (the commit before the first unverified merge). Throws when `failedSha` is not
 * among `merges`.
 */
export function lastKnownGood(merges: readonly EnvironmentMerge[], failedSha: string): KnownGood {
  const failed = merges.findIndex((m) => m.sha === failedSha);
  if (failed < 0) throw new Error(`merge ${failedSha.slice(0, 7)} is not among the environment's recent merges`);
  // The failed merge itself is not known-good, whatever a stale status says.
  for (let i = failed - 1; i >= 0; i--) {
    if (merges[i]!.verifiedHealthy) return { restoreTo: merges[i]!.sha, undoes: merges.slice(i + 1, failed + 1) };
  }
  return { restoreTo: merges[0]!.parent, undoes: merges.slice(0, failed + 1) };
}

// The merge a failure is attributed to among the undone ones, and the image held: blame.ts.
