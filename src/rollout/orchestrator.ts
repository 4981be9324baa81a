// After the merge (GitHub side of issue 6): a GitHub Deployment per changed environment, the
// watcher's verdict, and on failure ONE revert. The Deployments' statuses are the durable state;
// the scheme that makes every verdict count exactly once is in README.md.
import type { AppConfig } from "../config/app-config.ts";
import { readBranchHead } from "../github/branch-head.ts";
import { fullName } from "../github/client.ts";
import { commitsBetween, listBranchCommits } from "../github/commits.ts";
import { latestDeploymentStatus, setDeploymentStatus, type DeploymentStatusRecord } from "../github/deployments.ts";
import { statusOf } from "../github/http-error.ts";
import { findPullRequestFrom, readPullRequest } from "../github/pull-requests.ts";
import { readFilesAt } from "../github/read-files.ts";
import { upsertStickyComment } from "../github/sticky-comment.ts";
import { reasonPhrase, type FailureReason } from "../health/index.ts";
import type { EnvironmentFileEdit } from "../revert/build-revert.ts";
import { revertBranchName } from "../revert/build-revert.ts";
import { environmentOfPath, isEnvironmentPath } from "../revert/environment-files.ts";
import { WatchError } from "../watch/errors.ts";
import { revisionSha } from "../watch/sync-revision.ts";
import type { RolloutWatcher, TerminalVerdict } from "../watch/types.ts";
import { readAppConfig } from "./read-app-config.ts";
import { detectMerge, type DetectedMerge } from "./detect-merge.ts";
import { mergeOfPush, touchedEnvironments, type PushInfo } from "./merge.ts";
import { targetOf } from "./payload.ts";
import { deploymentOf, isOpen, readKustodianDeployments, recordDeployments, type TrackedDeployment } from "./record-deployments.ts";
import {
  commentMarker,
  decideOnFailure,
  evidenceLines,
  failureComment,
  failureDescription,
  formatDuration,
  healthyComment,
  healthyDescription,
  isRevertingClaim,
  reportedPullRequest,
  revertingDescription,
  revertingPrefix,
  rollbackReply,
  type FailureOutcome,
  type RollbackLine,
} from "./report.ts";
import { silentLog, type Log } from "../log/log.ts";
import type { RepoClient } from "./repo-client.ts";
import type { RolloutMetrics } from "../metrics/metrics.ts";
import { findRevertCommit, revertEnvironment, type RevertOutcome } from "./revert-environment.ts";

/** What issue 7's hold recording gets to compute its edit of the restored environment file. */
export interface RevertEditContext {
  environment: string;
  mergeSha: string;
  /** Why the revert is made: the failure, or `requested` for /rollback. */
  reason: FailureReason | "requested";
  /** One line: the verdict's summary, or "requested by @user". */
  summary: string;
  /** When the verdict was reached (or the rollback asked for). */
  decidedAt: Date;
  /** environments/<env>.yaml before the merge (what is restored) and at the merge (what failed). */
  before: string | undefined;
  merged: string | undefined;
}

export interface RolloutOrchestratorOptions {
  watcher: RolloutWatcher;
  /** Whether this process holds the Lease (src/cluster/lease.ts): only the holder watches and acts on verdicts. Default: always. */
  isLeader?: () => boolean;
  log?: Log;
  /** Give up waiting for Argo CD / Flux to report a merge after this long. Default 30 minutes. */
  syncTimeoutMs?: number;
  /** How many commits of the default branch the restart scan looks at. Default 20. */
  scanDepth?: number;
  /** Reads `.github/kustodian.yml` (auto-revert, hold label) when a verdict is acted on. Default: from the repository. */
  readConfig?: (gh: RepoClient) => Promise<AppConfig>;
  /** Extra edits of the restored environment file in the revert commit (issue 7: record the held image). */
  revertEdits?: (context: RevertEditContext) => readonly EnvironmentFileEdit[];
  /** The time for /rollback's edit context. Default Date.now. */
  now?: () => number;
  /** Verdicts and reverts are counted here (src/metrics); default: not counted. */
  metrics?: RolloutMetrics;
}

export type PushOutcome =
  | { kind: "ignored"; why: string }
  | {
      kind: "recorded";
      mergeSha: string;
      deployments: { id: number; environment: string; created: boolean }[];
      skipped: { environment: string; why: string }[];
    };

export interface ResumeOutcome {
  /** In-progress Deployments this process now watches (or finishes). */
  resumed: number[];
  /** Duplicates of another Deployment of the same merge and environment, marked inactive. */
  duplicates: number[];
  /** Merges found by the scan of recent commits that had no Deployment yet. */
  recovered: { mergeSha: string; deployments: number[] }[];
}

export interface RolloutOrchestrator {
  /** A push webhook: record the merge's Deployments and (as leader) watch them. Idempotent. */
  handlePush(gh: RepoClient, push: PushInfo): Promise<PushOutcome>;
  /** On becoming leader or restarting: watch the in-progress Deployments again and record merges the push webhook missed. */
  resume(gh: RepoClient): Promise<ResumeOutcome>;
  /** `/rollback` on a merged pull request: the same revert, on request. Returns the reply. */
  rollback(gh: RepoClient, pr: { number: number; title: string; mergeCommitSha: string | null }, requestedBy: string): Promise<string>;
  /** As leader: resume now and every `pollMs` (Deployments recorded by other replicas are picked up). */
  startLeading(repos: () => Promise<RepoClient[]>, options?: { pollMs?: number }): void;
  /** Lost the Lease or stopping: abort every watch (their Deployments stay in progress for the next leader) and wait for actions in flight. */
  stop(): Promise<void>;
  /** Resolves when nothing is being recorded, watched or acted on. */
  idle(): Promise<void>;
  /** Ids of the Deployments being watched now. */
  watching(): number[];
  /** Recordings and verdict handlings in flight: the bot is talking to GitHub (tests hold simulated time still meanwhile). */
  busy(): number;
}

interface Run {
  id: number;
  controller: AbortController;
  done: Promise<void>;
}

export function createRolloutOrchestrator(options: RolloutOrchestratorOptions): RolloutOrchestrator {
  const { watcher } = options;
  const isLeader = options.isLeader ?? (() => true);
  const log = options.log ?? silentLog;
  const syncTimeoutMs = options.syncTimeoutMs ?? 30 * 60_000;
  const scanDepth = options.scanDepth ?? 20;
  const readConfig = options.readConfig ?? ((gh: RepoClient) => readAppConfig(gh, log));
  const now = options.now ?? Date.now;
  const runs = new Map<string, Run>();
  /** Blob ids by path of commits the restart scan read (repo@sha), oldest first. */
  const treeBlobs = new Map<string, Promise<ReadonlyMap<string, string>>>();
  const treeBlobsKept = 4 * scanDepth + 20;
  /** (repo@sha:env) the scan found to start no rollout (not a PR merge, rendered the same): not detected again. */
  const startsNothing = new Set<string>();
  const locks = new Map<string, Promise<unknown>>();
  let poll: { timer: NodeJS.Timeout | undefined; stopped: boolean } | undefined;
  let busy = 0;
  const acting = async <T>(work: () => Promise<T>): Promise<T> => {
    busy++;
    try {
      return await work();
    } finally {
      busy--;
    }
  };

  const repoKey = (gh: RepoClient) => fullName(gh.repo);
  const runKey = (gh: RepoClient, id: number) => `${repoKey(gh)}#${id}`;

  /** Detection and recording for one repository run one at a time (a push and a resume never race to create). */
  function serial<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(key) ?? Promise.resolve();
    const next = previous.then(
      () => acting(work),
      () => acting(work),
    );
    const tail = next.catch(() => undefined);
    locks.set(key, tail);
    void tail.then(() => {
      if (locks.get(key) === tail) locks.delete(key);
    });
    return next;
  }

  function start(gh: RepoClient, d: TrackedDeployment): void {
    const key = runKey(gh, d.id);
    if (runs.has(key) || !isLeader()) return;
    const controller = new AbortController();
    const done = follow(gh, d, controller.signal)
      .catch((error: unknown) => log.error({ err: error, deployment: d.id, environment: d.environment }, "rollout follow-up failed"))
      .finally(() => runs.delete(key));
    runs.set(key, { id: d.id, controller, done });
  }

  async function follow(gh: RepoClient, d: TrackedDeployment, signal: AbortSignal): Promise<void> {
    // A verdict was claimed before a restart: finish from git if the revert was made.
    const claimed = d.latestStatus;
    if (isRevertingClaim(claimed) && (await acting(() => finishClaimed(gh, d, claimed)))) return;
    let verdict: TerminalVerdict;
    let target = targetOf(d.environment, d.payload);
    for (;;) {
      try {
        const watched = target;
        verdict = await watcher.watch(watched, { signal, syncTimeoutMs, isLaterCommit: (sha) => isLaterCommit(gh, watched.mergeSha, sha) });
        break;
      } catch (error) {
        if (signal.aborted) return;
        // A later commit that leaves this environment's files as the merge made them (another
        // environment's change, a revert elsewhere, docs) is synced too: the same rollout goes on.
        const applied =
          error instanceof WatchError && error.code === "Superseded" && error.revision ? revisionSha(error.revision) : undefined;
        if (applied && applied !== target.mergeSha && (await acting(() => rendersTheSame(gh, d, applied)))) {
          log.info(
            { deployment: d.id, environment: d.environment, revision: applied },
            "a later commit leaves the environment as merged; watching on",
          );
          target = { ...target, mergeSha: applied };
          continue;
        }
        await acting(() => onWatchError(gh, d, error));
        return;
      }
    }
    // Only the Lease holder acts; a verdict reached just after losing it is left to the next leader.
    if (signal.aborted || !isLeader()) return;
    log.info({ deployment: d.id, environment: d.environment, verdict: verdict.status }, "rollout verdict");
    const reason = verdict.status === "Healthy" ? "Healthy" : verdict.reason;
    options.metrics?.verdict(reason, (verdict.decidedAt.getTime() - Date.parse(d.payload.target.mergedAt)) / 1000);
    if (verdict.firstContainerStartedAt)
      options.metrics?.verdictAfterContainerStart(reason, (verdict.decidedAt.getTime() - verdict.firstContainerStartedAt.getTime()) / 1000);
    await acting(() => (verdict.status === "Healthy" ? onHealthy(gh, d, verdict) : onFailed(gh, d, verdict)));
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
  async function rendersTheSame(gh: RepoClient, d: TrackedDeployment, sha: string): Promise<boolean> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return false;
    const [merged, applied] = await Promise.all([blobsAt(gh, d.payload.mergeSha), blobsAt(gh, sha)]);
    const relevant = (path: string) => path.startsWith("base/") || isEnvironmentPath(d.environment, path);
    const paths = new Set([...merged.keys(), ...applied.keys()].filter(relevant));
    return [...paths].every((p) => merged.get(p) === applied.get(p));
  }

  // A commit's tree never changes: kept across polls and watches, so each tree is read once.
  function blobsAt(gh: RepoClient, sha: string): Promise<ReadonlyMap<string, string>> {
    const key = `${repoKey(gh)}@${sha}`;
    let read = treeBlobs.get(key);
    if (!read) {
      read = readFilesAt(gh.octokit, gh.repo, sha, () => false).then((f) => f.blobs);
      read.catch(() => treeBlobs.delete(key));
      treeBlobs.set(key, read);
      if (treeBlobs.size > treeBlobsKept) treeBlobs.delete(treeBlobs.keys().next().value!);
    }
    return read;
  }

  function latest(gh: RepoClient, d: TrackedDeployment): Promise<DeploymentStatusRecord | null> {
    return latestDeploymentStatus(gh.octokit, { repo: gh.repo, deploymentId: d.id });
  }

  async function onHealthy(gh: RepoClient, d: TrackedDeployment, verdict: Extract<TerminalVerdict, { status: "Healthy" }>): Promise<void> {
    const status = await latest(gh, d);
    if (!isOpen(status)) return;
    if (isRevertingClaim(status) && (await finishClaimed(gh, d, status))) return;
    const tookMs = verdict.decidedAt.getTime() - Date.parse(d.payload.target.mergedAt);
    const logUrl = await comment(
      gh,
      d,
      healthyComment({
        environment: d.environment,
        payload: d.payload,
        detail: verdict.detail,
        tookMs,
        mergeUrl: commitUrl(gh, d.payload.mergeSha),
      }),
    );
    await setDeploymentStatus(gh.octokit, {
      repo: gh.repo,
      deploymentId: d.id,
      state: "success",
      description: healthyDescription(tookMs),
      ...(logUrl ? { logUrl } : {}),
    });
  }

  async function onFailed(gh: RepoClient, d: TrackedDeployment, verdict: Extract<TerminalVerdict, { status: "Failed" }>): Promise<void> {
    // Fresh reads: another process may have acted, and /hold may have come during the rollout.
    const status = await latest(gh, d);
    if (!isOpen(status)) return;
    const config = await readConfig(gh);
    const pr = d.payload.pr === null ? undefined : await readPullRequest(gh.octokit, { repo: gh.repo, number: d.payload.pr });
    const decision = decideOnFailure({
      isRevert: d.payload.revertOf !== undefined,
      held: pr?.labels.includes(config.holdLabel) ?? false,
      autoRevert: config.rollout.autoRevert,
    });
    const what = reasonPhrase(verdict.reason);
    const details = evidenceLines(verdict.evidence);
    let outcome: FailureOutcome;
    if (decision.revert) {
      // The claim: a restarted or new leader that finds it looks in git before anything else.
      if (!isRevertingClaim(status)) {
        await setDeploymentStatus(gh.octokit, {
          repo: gh.repo,
          deploymentId: d.id,
          state: "in_progress",
          description: revertingDescription(what),
        });
      }
      outcome = await revertEnvironment(gh, {
        environment: d.environment,
        mergeSha: d.payload.mergeSha,
        baseSha: d.payload.baseSha,
        ...(pr ? { pullRequest: { number: pr.number, title: pr.title } } : {}),
        reason: what,
        details,
        environmentEdits: editsFor(d.environment, d.payload.mergeSha, {
          reason: verdict.reason,
          summary: verdict.summary,
          decidedAt: verdict.decidedAt,
        }),
      });
      log.info({ deployment: d.id, environment: d.environment, outcome: outcome.kind }, "rollout failed: reverted");
      options.metrics?.revert(outcome.kind);
    } else {
      outcome = { kind: "not-reverted", why: decision.why };
      log.info({ deployment: d.id, environment: d.environment, why: decision.why }, "rollout failed: not reverted");
      options.metrics?.revert(`not-reverted:${decision.why}`);
    }
    await reportFailure(gh, d, {
      what,
      summary: verdict.summary,
      evidence: verdict.evidence,
      tookMs: verdict.decidedAt.getTime() - Date.parse(d.payload.target.mergedAt),
      outcome,
      holdLabel: config.holdLabel,
    });
  }

  function editsFor(environment: string, mergeSha: string, why: { reason: RevertEditContext["reason"]; summary: string; decidedAt: Date }) {
    const hook = options.revertEdits;
    if (!hook) return undefined;
    return (files: { before: string | undefined; merged: string | undefined }) => hook({ environment, mergeSha, ...why, ...files });
  }

  /**
   * A claimed verdict (status "Reverting: ...") found after a restart or a lost Lease: when the
   * revert commit (or revert pull request) exists, report it and conclude; false when the claim
   * was made but the revert not (then the rollout is watched again and acted on).
   */
  async function finishClaimed(gh: RepoClient, d: TrackedDeployment, status: { description: string | null }): Promise<boolean> {
    const head = await readBranchHead(gh.octokit, { repo: gh.repo, branch: gh.defaultBranch });
    const commit = await findRevertCommit(gh, { mergeSha: d.payload.mergeSha, environment: d.environment, head });
    let outcome: RevertOutcome | undefined;
    if (commit) {
      outcome = { kind: "committed", sha: commit.sha, url: commitUrl(gh, commit.sha), message: commit.message, existing: false };
    } else {
      const pr = await findPullRequestFrom(gh.octokit, {
        repo: gh.repo,
        branch: revertBranchName(d.environment, d.payload.mergeSha),
        base: gh.defaultBranch,
      });
      if (pr) outcome = { kind: "pull-request", number: pr.number, url: pr.url, existing: false, changedSinceMerge: [] };
    }
    if (!outcome) return false;
    const what = (status.description ?? "").slice(revertingPrefix.length) || "rollout failed";
    const evidence = commit ? bodyLines(commit.message) : [];
    await reportFailure(gh, d, { what, summary: what, evidence, tookMs: undefined, outcome, holdLabel: "" });
    log.info({ deployment: d.id, environment: d.environment, outcome: outcome.kind }, "claimed revert found and reported");
    return true;
  }

  async function reportFailure(
    gh: RepoClient,
    d: TrackedDeployment,
    r: {
      what: string;
      summary: string;
      evidence: Parameters<typeof failureComment>[0]["evidence"];
      tookMs: number | undefined;
      outcome: FailureOutcome;
      holdLabel: string;
    },
  ): Promise<void> {
    const body = failureComment({
      environment: d.environment,
      payload: d.payload,
      ...r,
      defaultBranch: gh.defaultBranch,
      mergeUrl: commitUrl(gh, d.payload.mergeSha),
    });
    const commentUrl = await comment(gh, d, body);
    const outcomeUrl = r.outcome.kind === "committed" || r.outcome.kind === "pull-request" ? r.outcome.url : undefined;
    const logUrl = commentUrl ?? outcomeUrl;
    await setDeploymentStatus(gh.octokit, {
      repo: gh.repo,
      deploymentId: d.id,
      state: "failure",
      description: failureDescription(r.what, r.outcome),
      ...(logUrl ? { logUrl } : {}),
    });
  }

  /** The sticky comment of this environment on the pull request (one per environment, edited in place); its URL. */
  async function comment(gh: RepoClient, d: TrackedDeployment, body: string): Promise<string | undefined> {
    const number = reportedPullRequest(d.payload);
    if (number === null) return undefined;
    const result = await upsertStickyComment(gh.octokit, {
      repo: gh.repo,
      issueNumber: number,
      marker: commentMarker(d.environment, d.payload),
      body,
    });
    return result.url;
  }

  async function onWatchError(gh: RepoClient, d: TrackedDeployment, error: unknown): Promise<void> {
    if (error instanceof WatchError && error.code === "Closed") return;
    const status = await latest(gh, d);
    if (!isOpen(status)) return;
    if (isRevertingClaim(status) && (await finishClaimed(gh, d, status))) return;
    let state: "inactive" | "error" = "error";
    let description: string;
    if (error instanceof WatchError && error.code === "Superseded") {
      state = "inactive";
      description = `Superseded by ${error.revision ? error.revision.slice(0, 7) : "a later merge"}`;
    } else if (error instanceof WatchError && error.code === "SyncTimeout") {
      description = `${d.payload.target.sync.tool === "argocd" ? "Argo CD" : "Flux"} did not report ${d.payload.mergeSha.slice(0, 7)} within ${formatDuration(syncTimeoutMs)}`;
    } else {
      description = `Watch failed: ${(error as Error).message}`;
    }
    log.warn({ err: error, deployment: d.id, environment: d.environment }, "rollout watch ended without a verdict");
    await setDeploymentStatus(gh.octokit, { repo: gh.repo, deploymentId: d.id, state, description });
  }

  async function record(gh: RepoClient, merge: DetectedMerge, known?: readonly TrackedDeployment[]) {
    const recorded = await recordDeployments(gh, merge, known);
    for (const { deployment } of recorded) if (isOpen(deployment.latestStatus)) start(gh, deployment);
    return recorded;
  }

  async function scanRecentMerges(gh: RepoClient, known: readonly TrackedDeployment[]): Promise<ResumeOutcome["recovered"]> {
    const commits = await listBranchCommits(gh.octokit, { repo: gh.repo, branch: gh.defaultBranch, limit: scanDepth });
    const treeAt = (sha: string) => blobsAt(gh, sha);
    // Newest first; per environment only its newest change counts (older ones are superseded by it).
    const covered = new Set<string>();
    const recovered: ResumeOutcome["recovered"] = [];
    let present: Set<string> | undefined;
    for (const commit of commits) {
      const parent = commit.parents[0];
      if (!parent) break;
      const after = await treeAt(commit.sha);
      present ??= new Set([...after.keys()].flatMap((p) => (/^environments\/[^/]+\.yaml$/.test(p) ? [environmentOfPath(p)!] : [])));
      const fresh = touchedEnvironments(await treeAt(parent), after).filter((env) => !covered.has(env));
      for (const env of fresh) covered.add(env);
      const seenKey = (env: string) => `${repoKey(gh)}@${commit.sha}:${env}`;
      const missing = fresh.filter((env) => !deploymentOf(known, commit.sha, env) && !startsNothing.has(seenKey(env)));
      if (missing.length > 0) {
        const detection = await detectMerge(
          gh,
          { mergeSha: commit.sha, baseSha: parent, message: commit.message, mergedAt: new Date(commit.committedAt ?? now()) },
          { only: new Set(missing) },
        );
        const rolling = new Set(detection.kind === "merge" ? detection.merge.rollouts.map((r) => r.target.environment) : []);
        for (const env of missing) if (!rolling.has(env)) startsNothing.add(seenKey(env));
        while (startsNothing.size > 1000) startsNothing.delete(startsNothing.values().next().value!);
        if (detection.kind === "merge" && detection.merge.rollouts.length > 0) {
          const recorded = await record(gh, detection.merge, known);
          recovered.push({ mergeSha: commit.sha, deployments: recorded.map((r) => r.deployment.id) });
          log.info({ merge: commit.sha, deployments: recorded.map((r) => r.deployment.id) }, "recorded a merge the push webhook missed");
        }
      }
      if ([...present].every((env) => covered.has(env))) break;
    }
    return recovered;
  }

  async function rollback(
    gh: RepoClient,
    pr: { number: number; title: string; mergeCommitSha: string | null },
    requestedBy: string,
  ): Promise<string> {
    if (!pr.mergeCommitSha)
      return "> /rollback\n\nkustodian cannot find the merge commit of this pull request, so it cannot revert it. Nothing was changed.";
    const mergeSha = pr.mergeCommitSha;
    const all = await readKustodianDeployments(gh);
    const targets = new Map<string, { baseSha: string; deployment?: TrackedDeployment }>();
    for (const d of all)
      if (d.payload.mergeSha === mergeSha && !targets.has(d.environment))
        targets.set(d.environment, { baseSha: d.payload.baseSha, deployment: d });
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
      const detection = await detectMerge(gh, { mergeSha, message: "", mergedAt: new Date(now()) }, { pullRequest: summary });
      if (detection.kind === "merge")
        for (const r of detection.merge.rollouts) targets.set(r.target.environment, { baseSha: detection.merge.baseSha });
    }
    const reason = `requested by @${requestedBy}`;
    const lines: RollbackLine[] = [];
    for (const [environment, { baseSha, deployment }] of [...targets].sort(([a], [b]) => (a < b ? -1 : 1))) {
      // Our own watch of this rollout ends: the revert replaces what it watches.
      if (deployment) runs.get(runKey(gh, deployment.id))?.controller.abort(new Error("rolled back on request"));
      try {
        const outcome = await revertEnvironment(gh, {
          environment,
          mergeSha,
          baseSha,
          pullRequest: { number: pr.number, title: pr.title },
          reason,
          details: [],
          environmentEdits: editsFor(environment, mergeSha, { reason: "requested", summary: reason, decidedAt: new Date(now()) }),
        });
        lines.push({ environment, outcome });
        if (deployment && (outcome.kind === "committed" || outcome.kind === "pull-request") && !outcome.existing) {
          const status = await latest(gh, deployment);
          if (isOpen(status) || status?.state === "success") {
            const where = outcome.kind === "committed" ? outcome.sha.slice(0, 7) : `#${outcome.number}`;
            await setDeploymentStatus(gh.octokit, {
              repo: gh.repo,
              deploymentId: deployment.id,
              state: "inactive",
              description: `Rolled back on request by @${requestedBy}: ${where}`,
              logUrl: outcome.url,
            });
          }
        }
      } catch (error) {
        log.error({ err: error, environment, merge: mergeSha }, "rollback failed");
        lines.push({ environment, outcome: { kind: "failed", message: (error as Error).message } });
      }
    }
    return rollbackReply(requestedBy, lines, gh.defaultBranch);
  }

  const orchestrator: RolloutOrchestrator = {
    async handlePush(gh, push) {
      const commit = mergeOfPush(push, gh.defaultBranch);
      if (!commit) return { kind: "ignored", why: "not a new head of the default branch" };
      return serial(repoKey(gh), async (): Promise<PushOutcome> => {
        const detection = await detectMerge(gh, commit);
        if (detection.kind === "ignored") {
          log.info({ merge: commit.mergeSha, why: detection.why }, "push starts no rollout");
          return detection;
        }
        const recorded = await record(gh, detection.merge);
        log.info(
          { merge: commit.mergeSha, deployments: recorded.map((r) => [r.deployment.environment, r.deployment.id, r.created]) },
          "merge recorded",
        );
        return {
          kind: "recorded",
          mergeSha: commit.mergeSha,
          deployments: recorded.map((r) => ({ id: r.deployment.id, environment: r.deployment.environment, created: r.created })),
          skipped: detection.merge.skipped,
        };
      });
    },

    async resume(gh) {
      return serial(repoKey(gh), async () => {
        const all = await readKustodianDeployments(gh);
        const resumed: number[] = [];
        const duplicates: number[] = [];
        for (const d of all) {
          if (!isOpen(d.latestStatus)) continue;
          const first = deploymentOf(all, d.payload.mergeSha, d.environment)!;
          if (first.id !== d.id) {
            await setDeploymentStatus(gh.octokit, {
              repo: gh.repo,
              deploymentId: d.id,
              state: "inactive",
              description: `Duplicate of deployment ${first.id}`,
            });
            duplicates.push(d.id);
            continue;
          }
          if (!isLeader()) continue;
          start(gh, d);
          resumed.push(d.id);
        }
        const recovered = isLeader() ? await scanRecentMerges(gh, all) : [];
        return { resumed, duplicates, recovered };
      });
    },

    rollback: (gh, pr, requestedBy) => acting(() => rollback(gh, pr, requestedBy)),

    startLeading(repos, leadOptions = {}) {
      const pollMs = leadOptions.pollMs ?? 60_000;
      if (poll) {
        poll.stopped = true;
        if (poll.timer) clearTimeout(poll.timer);
      }
      const state = { timer: undefined as NodeJS.Timeout | undefined, stopped: false };
      poll = state;
      const tick = async () => {
        if (state.stopped || !isLeader()) return;
        try {
          for (const gh of await repos()) await orchestrator.resume(gh);
        } catch (error) {
          log.error({ err: error }, "resuming rollouts failed");
        }
        if (!state.stopped) state.timer = setTimeout(() => void tick(), pollMs);
      };
      void tick();
    },

    async stop() {
      if (poll) {
        poll.stopped = true;
        if (poll.timer) clearTimeout(poll.timer);
        poll = undefined;
      }
      const current = [...runs.values()];
      for (const run of current) run.controller.abort(new Error("kustodian stopped watching"));
      await Promise.all(current.map((r) => r.done));
    },

    async idle() {
      while (runs.size > 0 || locks.size > 0) {
        await Promise.all([...[...runs.values()].map((r) => r.done), ...locks.values()]);
      }
    },

    watching: () => [...runs.values()].map((r) => r.id),
    busy: () => busy,
  };
  return orchestrator;
}

function commitUrl(gh: RepoClient, sha: string): string {
  return `https://github.com/${gh.repo.owner}/${gh.repo.repo}/commit/${sha}`;
}

/** The evidence lines a revert commit's body kept (its `- ` lines before the trailers). */
function bodyLines(message: string): string[] {
  const paragraphs = message.replace(/\r\n/g, "\n").split(/\n\n+/);
  return paragraphs
    .slice(1, -1)
    .flatMap((p) => (p.split("\n").every((l) => l.startsWith("- ")) ? p.split("\n").map((l) => l.slice(2)) : []))
    .filter((l) => !l.startsWith("environments/") && !l.startsWith("overlays/"));
}
