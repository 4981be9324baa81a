// From a push to the default branch to the rollouts it starts (pure): which commit was merged,
// which pull request it merged, whether it is itself a kustodian revert, which environments'
// rendered output it changes and which Deployments of each must roll.
import { isDeepStrictEqual } from "node:util";
import type { PullRequestSummary } from "../github/pull-requests.ts";
import type { KubeObject } from "../k8s/manifest-types.ts";
import { DEFAULT_SLACK_SECONDS } from "../health/probe-window.ts";
import type { RenderedSnapshot } from "../plan/rendered-snapshot.ts";
import { workloadChanges } from "../plan/workload-changes.ts";
import { defaultAppName, defaultLayout, type RepositoryLayout } from "../layout/layout.ts";
import { affectedEnvironments, environmentRef, environmentsOf } from "../layout/paths.ts";
import { appRevertOfCommit, appRevertOfPullRequest, type CommitAuthorship } from "../revert/made-by-app.ts";
import type { RevertTrailers } from "../revert/trailers.ts";
import type { RolloutTarget, SyncTarget } from "../watch/types.ts";

const zeroSha = /^0+$/;

/** The fields of a push webhook the rollout reads. */
export interface PushInfo {
  ref: string;
  before: string;
  after: string;
  created: boolean;
  deleted: boolean;
  forced: boolean;
  headCommit: { id: string; message: string; timestamp: string } | null;
}

/** A commit that landed on the default branch. */
export interface MergeCommit {
  mergeSha: string;
  /** The branch head before it (the push's `before`); unknown for a created or forced branch, then merge^1 is read. */
  baseSha?: string;
  message: string;
  mergedAt: Date;
}

/**
 * The commit a push put at the head of the default branch, or null (another branch, a deletion).
 * The push's `before` is the state before the merge: merge^1 for a merge or squash commit, and
 * for a rebase merge (several commits in one push) the state before all of them.
 */
export function mergeOfPush(push: PushInfo, defaultBranch: string): MergeCommit | null {
  if (push.ref !== `refs/heads/${defaultBranch}` || push.deleted || !push.headCommit || zeroSha.test(push.after)) return null;
  const usableBefore = !push.created && !push.forced && !zeroSha.test(push.before);
  return {
    mergeSha: push.after,
    ...(usableBefore ? { baseSha: push.before } : {}),
    message: push.headCommit.message,
    mergedAt: new Date(push.headCommit.timestamp),
  };
}

/** The pull request a commit merged into the default branch, from GET /commits/{sha}/pulls. */
export function mergedPullRequest(
  pulls: readonly PullRequestSummary[],
  mergeSha: string,
  defaultBranch: string,
): PullRequestSummary | undefined {
  const merged = pulls.filter((p) => p.merged && p.baseRef === defaultBranch);
  return merged.find((p) => p.mergeCommitSha === mergeSha) ?? merged[0];
}

/**
 * The revert a merge is, if it is one of kustodian's: trailers in the commit message (a revert
 * committed to the branch, or squash-merged with its message) or in the merged pull request's
 * body (a revert pull request merged with a merge commit) — each only when the app made that
 * commit or opened that pull request (src/revert/made-by-app.ts): a trailer a person wrote
 * never exempts a merge from the auto-revert.
 */
export function revertOfMerge(
  commit: CommitAuthorship & { message: string },
  pr: PullRequestSummary | undefined,
  botLogin: string,
): RevertTrailers | undefined {
  return appRevertOfCommit(commit, botLogin) ?? (pr ? appRevertOfPullRequest(pr, botLogin) : undefined);
}

/**
 * Environments (keys) whose files differ between two trees (blob ids by path, as the tree reads
 * give them), in the layout after: the environment file or anything under its overlay; a change
 * under a base changes every environment of that app, and a change of `shared` content (what a
 * kustomization refers to outside every base and overlay) every environment. Only environments
 * that still exist after are returned.
 */
export function touchedEnvironments(
  before: ReadonlyMap<string, string>,
  after: ReadonlyMap<string, string>,
  layout: RepositoryLayout = defaultLayout,
  shared: (path: string) => boolean = () => false,
): string[] {
  const present = environmentsOf(layout, after.keys());
  const changed = [...new Set([...before.keys(), ...after.keys()])].filter((p) => before.get(p) !== after.get(p));
  return [...new Set(affectedEnvironments(present, changed, shared).map((e) => e.key))].sort();
}

/** One environment of a merge that rolls out. */
export interface EnvironmentRollout {
  target: RolloutTarget;
  /** The environment file says `production: true` (GitHub shows the Deployment as production). */
  production: boolean;
  /** Every Deployment the environment renders after the merge (a watch may take over earlier merges' workloads among them). */
  present?: readonly string[];
}

/** An environment's place in the layout, as a Deployment payload keeps it. */
export interface EnvironmentFilesPaths {
  app: string;
  file: string;
  overlay: string;
  bases: string[];
}

export interface RolloutsOfMerge {
  rollouts: EnvironmentRollout[];
  /** Environments looked at and not rolled out, with why (for the log). */
  skipped: { environment: string; why: string }[];
}

/**
 * For each environment, the rollout the merge starts: the watcher's target from the environment
 * file after the merge (kube context, namespace, Argo CD / Flux object, slack) and the
 * Deployments whose pod template or replicas change. An environment whose rendered output is
 * the same, or that is invalid or does not render after the merge, starts no rollout.
 */
export function rolloutsOfMerge(
  before: RenderedSnapshot,
  after: RenderedSnapshot,
  environments: readonly string[],
  merge: { mergeSha: string; mergedAt: Date },
): RolloutsOfMerge {
  const rollouts: EnvironmentRollout[] = [];
  const skipped: RolloutsOfMerge["skipped"] = [];
  for (const name of environments) {
    const now = after.environments.get(name);
    if (!now) {
      skipped.push({ environment: name, why: "no environment file after the merge" });
      continue;
    }
    if (!now.env || !now.objects) {
      skipped.push({ environment: name, why: now.renderError ? `does not render: ${now.renderError}` : "invalid environment file" });
      continue;
    }
    const was = before.environments.get(name);
    const beforeObjects = (was?.objects ?? []) as KubeObject[];
    const afterObjects = now.objects as KubeObject[];
    if (was?.objects && isDeepStrictEqual(beforeObjects, afterObjects)) {
      skipped.push({ environment: name, why: "rendered output unchanged" });
      continue;
    }
    const changes = workloadChanges(beforeObjects, afterObjects);
    const deploymentNames = new Set(afterObjects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name));
    const rolling = new Set(
      changes.filter((c) => (c.rolls || c.category === "replicas") && deploymentNames.has(c.workload)).map((c) => c.workload),
    );
    const env = now.env;
    rollouts.push({
      target: {
        environment: name,
        context: env.sync.context,
        namespace: env.namespace,
        deployments: [...rolling].sort(),
        sync: syncTargetOf(env.sync),
        mergeSha: merge.mergeSha,
        slackSeconds: env.policy?.slackSeconds ?? DEFAULT_SLACK_SECONDS,
        mergedAt: merge.mergedAt,
      },
      production: env.production,
      present: [...deploymentNames].sort(),
    });
  }
  return { rollouts, skipped };
}

/** Where each environment's files are (src/layout) in a rendered tree, by key: kept in its Deployment for the revert. */
export function environmentPathsIn(snapshot: RenderedSnapshot): Map<string, EnvironmentFilesPaths> {
  return new Map([...snapshot.environments].map(([key, env]) => [key, pathsOf(env)]));
}

function pathsOf(env: RenderedSnapshot["environments"] extends Map<string, infer E> ? E : never): EnvironmentFilesPaths {
  const fallback = environmentRef(defaultLayout, defaultAppName, env.name);
  return {
    app: env.app ?? fallback.app,
    file: env.file,
    overlay: env.overlay ?? fallback.overlay,
    bases: [...(env.bases ?? fallback.bases)],
  };
}

function syncTargetOf(
  sync: { tool: "argocd"; application: string; namespace: string } | { tool: "flux"; kustomization: string; namespace: string },
): SyncTarget {
  return sync.tool === "argocd"
    ? { tool: "argocd", application: sync.application, namespace: sync.namespace }
    : { tool: "flux", kustomization: sync.kustomization, namespace: sync.namespace };
}

/** The push webhook's fields the rollout reads (structural: Probot's typed payload fits). */
export function pushInfoOf(payload: {
  ref: string;
  before: string;
  after: string;
  created: boolean;
  deleted: boolean;
  forced: boolean;
  head_commit?: { id: string; message: string; timestamp: string } | null;
}): PushInfo {
  const head = payload.head_commit;
  return {
    ref: payload.ref,
    before: payload.before,
    after: payload.after,
    created: payload.created,
    deleted: payload.deleted,
    forced: payload.forced,
    headCommit: head ? { id: head.id, message: head.message, timestamp: head.timestamp } : null,
  };
}
