// After the merge (GitHub side of issue 6): a GitHub Deployment per changed environment, the
// watcher's verdict, and on failure ONE revert. The Deployments' statuses are the durable state;
// the scheme that makes every verdict count exactly once is in README.md. This file wires the
// parts: decide-actions.ts (what to do, pure), execute-actions.ts (doing it on GitHub),
// watch-loop.ts, locks.ts, tree-cache.ts, restart-scan.ts, rollback.ts, leader-poll.ts.
import type { Clock } from "../clock/clock.ts";
import { systemClock } from "../clock/system-clock.ts";
import type { AppConfig } from "../config/app-config.ts";
import { fullName } from "../github/client.ts";
import { latestDeploymentStatus } from "../github/deployments.ts";
import { readPullRequest } from "../github/pull-requests.ts";
import { silentLog, type Log, errorFields } from "../log/log.ts";
import { WatchError } from "../watch/errors.ts";
import { UnknownContextError } from "../cluster/connections.ts";
import { unknownContextDescriptionOf } from "./unknown-context.ts";
import type { RolloutWatcher } from "../watch/types.ts";
import { findClaimedRevert } from "./claimed-revert.ts";
import { decideActions, type RolloutEvent, type RolloutFacts } from "./decide-actions.ts";
import { detectMerge, type DetectedMerge } from "./detect-merge.ts";
import { executeActions, writeStatus, type RevertEdits } from "./execute-actions.ts";
import { startLeaderPoll, type LeaderPoll } from "./leader-poll.ts";
import { createLocks } from "./locks.ts";
import { mergeOfPush, type PushInfo } from "./merge.ts";
import { readAppConfig } from "./read-app-config.ts";
import { deploymentOf, isOpen, readKustodianDeployments, recordDeployments, type TrackedDeployment } from "./record-deployments.ts";
import { botLoginOf, type RepoClient } from "./repo-client.ts";
import type { RolloutMetrics } from "../metrics/metrics.ts";
import { isRevertingClaim } from "./report.ts";
import { scanRecentMerges, type RecoveredMerges } from "./restart-scan.ts";
import { rollback } from "./rollback.ts";
import { createTreeCache } from "./tree-cache.ts";
import { watchUntilVerdict } from "./watch-loop.ts";

export type { RevertEditContext } from "./execute-actions.ts";

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
  revertEdits?: RevertEdits;
  /** Time: /rollback's edit context, the leader's poll. Default the wall clock. */
  clock?: Clock;
  /**
   * Called with the number of GitHub actions in flight (recordings, verdict handlings, /rollback)
   * whenever it changes: a gauge for metrics; the end-to-end tests hold simulated time still while
   * it is above 0.
   */
  onActivity?: (inFlight: number) => void;
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
  recovered: RecoveredMerges;
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
  const clock = options.clock ?? systemClock;
  const now = () => clock.now();
  const runs = new Map<string, Run>();
  const trees = createTreeCache(4 * scanDepth + 20);
  const startsNothing = new Set<string>();
  const locks = createLocks();
  let poll: LeaderPoll | undefined;
  let inFlight = 0;
  const acting = async <T>(work: () => Promise<T>): Promise<T> => {
    options.onActivity?.(++inFlight);
    try {
      return await work();
    } finally {
      options.onActivity?.(--inFlight);
    }
  };

  const repoKey = (gh: RepoClient) => fullName(gh.repo);
  const runKey = (gh: RepoClient, id: number) => `${repoKey(gh)}#${id}`;
  /** Detection and recording for one repository run one at a time (a push and a resume never race to create). */
  const serial = <T>(gh: RepoClient, work: () => Promise<T>) => locks.serial(repoKey(gh), () => acting(work));

  function start(gh: RepoClient, d: TrackedDeployment): void {
    const key = runKey(gh, d.id);
    if (runs.has(key) || !isLeader()) return;
    const controller = new AbortController();
    const done = follow(gh, d, controller.signal)
      .catch((error: unknown) =>
        log.error({ err: errorFields(error), deployment: d.id, environment: d.environment }, "rollout follow-up failed"),
      )
      .finally(() => runs.delete(key));
    runs.set(key, { id: d.id, controller, done });
  }

  /** The facts decideActions needs for `event`, read fresh from GitHub (status, claimed revert, config, PR). */
  async function factsFor(
    gh: RepoClient,
    d: TrackedDeployment,
    event: RolloutEvent,
    known?: TrackedDeployment["latestStatus"],
  ): Promise<RolloutFacts> {
    const failed = event.kind === "verdict" && event.verdict.status === "Failed";
    // A Failed verdict reads the status, the config and the pull request side by side (the
    // verdict-to-revert path): /hold may have come during the rollout, and the config may have
    // changed. The last two are wasted only when another process has already acted.
    const [status, config, pr] = await Promise.all([
      known !== undefined ? known : latestDeploymentStatus(gh.octokit, { repo: gh.repo, deploymentId: d.id, by: botLoginOf(gh) }),
      failed ? readConfig(gh) : undefined,
      failed && d.payload.pr !== null ? readPullRequest(gh.octokit, { repo: gh.repo, number: d.payload.pr }) : undefined,
    ]);
    const facts: RolloutFacts = {
      event,
      status,
      isRevert: d.payload.revertOf !== undefined,
      mergedAt: Date.parse(d.payload.target.mergedAt),
      syncTool: d.payload.target.sync.tool,
      mergeSha: d.payload.mergeSha,
      syncTimeoutMs,
    };
    if (!isOpen(status)) return facts;
    if (failed) {
      facts.config = { autoRevert: config!.rollout.autoRevert, holdLabel: config!.holdLabel };
      if (pr) facts.pullRequest = { number: pr.number, title: pr.title, labels: pr.labels };
    } else if (isRevertingClaim(status)) {
      facts.claimedRevert = await findClaimedRevert(gh, d);
    }
    return facts;
  }

  async function act(gh: RepoClient, d: TrackedDeployment, facts: RolloutFacts): Promise<boolean> {
    const actions = decideActions(facts);
    await executeActions({ gh, deployment: d, log, revertEdits: options.revertEdits, metrics: options.metrics }, actions);
    return actions.length > 0;
  }

  async function follow(gh: RepoClient, d: TrackedDeployment, signal: AbortSignal): Promise<void> {
    // A verdict was claimed before a restart: finish from git if the revert was made.
    if (isRevertingClaim(d.latestStatus)) {
      const finished = await acting(async () => act(gh, d, await factsFor(gh, d, { kind: "resumed" }, d.latestStatus)));
      if (finished) return;
    }
    const outcome = await watchUntilVerdict({ watcher, syncTimeoutMs, trees, log, acting }, gh, d, signal);
    if (outcome.kind === "aborted") return;
    if (outcome.kind === "error") {
      const error = outcome.error;
      const event: RolloutEvent =
        error instanceof WatchError
          ? { kind: "watch-error", code: error.code, message: error.message, revision: error.revision }
          : error instanceof UnknownContextError
            ? { kind: "watch-error", code: "Other", message: await acting(() => unknownContextDescriptionOf(gh, d, error, log)) }
            : { kind: "watch-error", code: "Other", message: (error as Error).message };
      if (event.code !== "Closed")
        log.warn({ err: errorFields(error), deployment: d.id, environment: d.environment }, "rollout watch ended without a verdict");
      await acting(async () => act(gh, d, await factsFor(gh, d, event)));
      return;
    }
    // Only the Lease holder acts; a verdict reached just after losing it is left to the next leader.
    if (!isLeader()) return;
    const verdict = outcome.verdict;
    log.info({ deployment: d.id, environment: d.environment, verdict: verdict.status }, "rollout verdict");
    const reason = verdict.status === "Healthy" ? "Healthy" : verdict.reason;
    options.metrics?.verdict(reason, (verdict.decidedAt.getTime() - Date.parse(d.payload.target.mergedAt)) / 1000);
    if (verdict.firstContainerStartedAt)
      options.metrics?.verdictAfterContainerStart(reason, (verdict.decidedAt.getTime() - verdict.firstContainerStartedAt.getTime()) / 1000);
    await acting(async () => act(gh, d, await factsFor(gh, d, { kind: "verdict", verdict })));
  }

  async function record(gh: RepoClient, merge: DetectedMerge, known?: readonly TrackedDeployment[]) {
    const recorded = await recordDeployments(gh, merge, known);
    for (const { deployment } of recorded) if (isOpen(deployment.latestStatus)) start(gh, deployment);
    return recorded;
  }

  const orchestrator: RolloutOrchestrator = {
    async handlePush(gh, push) {
      const commit = mergeOfPush(push, gh.defaultBranch);
      if (!commit) return { kind: "ignored", why: "not a new head of the default branch" };
      return serial(gh, async (): Promise<PushOutcome> => {
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
      return serial(gh, async () => {
        const all = await readKustodianDeployments(gh);
        const resumed: number[] = [];
        const duplicates: number[] = [];
        for (const d of all) {
          if (!isOpen(d.latestStatus)) continue;
          const first = deploymentOf(all, d.payload.mergeSha, d.environment)!;
          if (first.id !== d.id) {
            await writeStatus(gh, d.id, { state: "inactive", description: `Duplicate of deployment ${first.id}` });
            duplicates.push(d.id);
            continue;
          }
          if (!isLeader()) continue;
          start(gh, d);
          resumed.push(d.id);
        }
        const recovered = isLeader() ? await scanRecentMerges({ scanDepth, trees, startsNothing, record, now, log }, gh, all) : [];
        return { resumed, duplicates, recovered };
      });
    },

    rollback: (gh, pr, requestedBy) =>
      acting(() =>
        rollback(
          {
            endWatch: (repo, id) => runs.get(runKey(repo, id))?.controller.abort(new Error("rolled back on request")),
            revertEdits: options.revertEdits,
            now,
            log,
          },
          gh,
          pr,
          requestedBy,
        ),
      ),

    startLeading(repos, leadOptions = {}) {
      poll?.stop();
      poll = startLeaderPoll({
        clock,
        pollMs: leadOptions.pollMs ?? 60_000,
        isLeader,
        log,
        tick: async () => {
          for (const gh of await repos()) await orchestrator.resume(gh);
        },
      });
    },

    async stop() {
      poll?.stop();
      poll = undefined;
      const current = [...runs.values()];
      for (const run of current) run.controller.abort(new Error("kustodian stopped watching"));
      await Promise.all(current.map((r) => r.done));
    },

    async idle() {
      while (runs.size > 0 || locks.held()) {
        await Promise.all([...[...runs.values()].map((r) => r.done), locks.settled()]);
      }
    },

    watching: () => [...runs.values()].map((r) => r.id),
  };
  return orchestrator;
}
