// The contract between the rollout watcher (cluster side: informers, classifier, timers) and
// the merge orchestration (GitHub side: Deployments, revert commits, comments).
import type { Evidence, FailureReason } from "../health/index.ts";

export type SyncTarget =
  { tool: "argocd"; application: string; namespace: string } | { tool: "flux"; kustomization: string; namespace: string };

/** One environment of one merge: what to watch and what counts as "applied". */
export interface RolloutTarget {
  /** Environment name (environments/<env>.yaml). */
  environment: string;
  /** kube context from the environment file; the watcher maps it to a cluster connection. */
  context: string;
  /** Namespace of the workloads (the environment's namespace). */
  namespace: string;
  /** Deployments whose rollout decides the verdict (the workloads the merge changed). */
  deployments: string[];
  sync: SyncTarget;
  /** Full 40-hex merge commit SHA that Argo CD / Flux must report as applied. */
  mergeSha: string;
  /** Added to the readiness failure window (environment policy.slackSeconds, default 2). */
  slackSeconds: number;
  mergedAt: Date;
}

export type TerminalVerdict =
  | { status: "Healthy"; detail: string; decidedAt: Date; firstContainerStartedAt?: Date }
  | { status: "Failed"; reason: FailureReason; summary: string; evidence: Evidence[]; decidedAt: Date; firstContainerStartedAt?: Date };

export interface WatchOptions {
  /** Abort the watch (the orchestrator lost the lease, or the process is stopping). */
  signal?: AbortSignal;
  /** Give up waiting for the sync after this long (a later merge may supersede this one). */
  syncTimeoutMs?: number;
  /**
   * Optional. Whether `sha` (a full commit SHA the sync applied instead of the merge) comes after
   * the merge on the branch (i.e. contains it). Lets the watcher end a watch the sync jumped past
   * with a WatchError "Superseded" (src/watch/errors.ts) instead of at syncTimeoutMs; the cluster
   * alone cannot order commits. Asked at most once per revision.
   */
  isLaterCommit?: (sha: string) => boolean | Promise<boolean>;
}

export interface RolloutWatcher {
  /** Resolves with the first terminal verdict (Healthy or Failed); rejects when aborted. */
  watch(target: RolloutTarget, options?: WatchOptions): Promise<TerminalVerdict>;
  /** Stops every informer and timer. */
  close(): Promise<void>;
}
