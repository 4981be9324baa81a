// Watching one Deployment's rollout until a verdict: the watcher's watch, retried on the same
// rollout when the sync jumped to a later commit that leaves the environment as merged.
import { commitsBetween } from "../github/commits.ts";
import { statusOf } from "../github/http-error.ts";
import type { Log } from "../log/log.ts";
import { isEnvironmentPath } from "../revert/environment-files.ts";
import { isBasePath } from "../layout/paths.ts";
import { environmentPathsOf } from "./payload.ts";
import { WatchError } from "../watch/errors.ts";
import { revisionSha } from "../watch/sync-revision.ts";
import type { RolloutWatcher, TerminalVerdict } from "../watch/types.ts";
import { targetOf } from "./payload.ts";
import type { TrackedDeployment } from "./record-deployments.ts";
import type { RepoClient } from "./repo-client.ts";
import type { TreeCache } from "./tree-cache.ts";

export type WatchOutcome = { kind: "verdict"; verdict: TerminalVerdict } | { kind: "error"; error: unknown } | { kind: "aborted" };

export interface WatchLoopDeps {
  watcher: RolloutWatcher;
  syncTimeoutMs: number;
  trees: TreeCache;
  log: Log;
  /** Wraps the GitHub reads made between watches (the orchestrator counts them as work in flight). */
  acting<T>(work: () => Promise<T>): Promise<T>;
}

/** What is watched: an environment of a merge, as its Deployment's payload says (the Deployment may not exist yet). */
export type WatchedRollout = Pick<TrackedDeployment, "environment" | "payload"> & { id?: number };

export async function watchUntilVerdict(
  deps: WatchLoopDeps,
  gh: RepoClient,
  d: WatchedRollout,
  signal: AbortSignal,
): Promise<WatchOutcome> {
  let target = targetOf(d.environment, d.payload);
  for (;;) {
    try {
      const watched = target;
      const verdict = await deps.watcher.watch(watched, {
        signal,
        syncTimeoutMs: deps.syncTimeoutMs,
        isLaterCommit: (sha) => isLaterCommit(gh, watched.mergeSha, sha),
      });
      return signal.aborted ? { kind: "aborted" } : { kind: "verdict", verdict };
    } catch (error) {
      if (signal.aborted) return { kind: "aborted" };
      // A later commit that leaves this environment's files as the merge made them (another
      // environment's change, a revert elsewhere, docs) is synced too: the same rollout goes on.
      const applied =
        error instanceof WatchError && error.code === "Superseded" && error.revision ? revisionSha(error.revision) : undefined;
      if (applied && applied !== target.mergeSha && (await deps.acting(() => rendersTheSame(deps.trees, gh, d, applied)))) {
        deps.log.info(
          { deployment: d.id, merge: d.payload.mergeSha, environment: d.environment, revision: applied },
          "a later commit leaves the environment as merged; watching on",
        );
        target = { ...target, mergeSha: applied };
        continue;
      }
      return { kind: "error", error };
    }
  }
}

async function isLaterCommit(gh: RepoClient, mergeSha: string, sha: string): Promise<boolean> {
  try {
    return (await commitsBetween(gh.octokit, { repo: gh.repo, base: mergeSha, head: sha })).status === "ahead";
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw error;
  }
}

/** Whether `sha` holds the same environment file, overlay and base/ as the merge (blob ids from two tree reads, cached). */
async function rendersTheSame(trees: TreeCache, gh: RepoClient, d: WatchedRollout, sha: string): Promise<boolean> {
  if (!/^[0-9a-f]{40}$/.test(sha)) return false;
  const [merged, applied] = await Promise.all([trees(gh, d.payload.mergeSha).then((t) => t.blobs), trees(gh, sha).then((t) => t.blobs)]);
  const where = environmentPathsOf(d.environment, d.payload.paths);
  const relevant = (path: string) => isBasePath(where, path) || isEnvironmentPath(where, path);
  const paths = new Set([...merged.keys(), ...applied.keys()].filter(relevant));
  return [...paths].every((p) => merged.get(p) === applied.get(p));
}
