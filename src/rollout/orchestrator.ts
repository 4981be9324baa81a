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
import {
  deploymentOf,
  isOpen,
  readKustodianDeployments,
  recordDeployments,
  rolloutPayloadOf,
  type TrackedDeployment,
} from "./record-deployments.ts";
import { botLoginOf, type RepoClient } from "./repo-client.ts";
import type { RolloutMetrics } from "../metrics/metrics.ts";
import { isRevertingClaim } from "./report.ts";
import { scanRecentMerges, type RecoveredMerges } from "./restart-scan.ts";
import { rollback } from "./rollback.ts";
import { createTreeCache } from "./tree-cache.ts";
import { watchUntilVerdict, type WatchedRollout, type WatchOutcome } from "./watch-loop.ts";
import { targetOf } from "./payload.ts";
import { isDeepStrictEqual } from "node:util";
import { secretWordsOf } from "../plan/secret-values.ts";
import type { EnvironmentRender } from "./environment-render.ts";
import { renderedTextMask } from "./secret-mask.ts";

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
  /**
   * A replica without the Lease calls this with every merge it understood, before recording its
   * Deployments, so the leader watches it at once (src/rollout/hand-off.ts). Default: none (the
   * leader's poll finds the Deployments).
   */
  handOff?: (gh: RepoClient, merge: HandedOffMerge) => Promise<void>;
}

/** A merge as one replica hands it to the leader: what to watch before its Deployments exist. */
export interface HandedOffMerge {
  mergeSha: string;
  rollouts: WatchedRollout[];
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
  /**
   * As leader: watch a merge another replica understood (`handOff`) now; each verdict waits for
   * the merge's Deployment, which that replica records (looked up on GitHub, with backoff).
   */
  adopt(gh: RepoClient, merge: HandedOffMerge): void;
  /** As leader: resume now and every `pollMs` (Deployments recorded by other replicas are picked up). */
  startLeading(repos: () => Promise<RepoClient[]>, options?: { pollMs?: number }): void;
  /** Lost the Lease or stopping: abort every watch (their Deployments stay in progress for the next leader) and wait for actions in flight. */
  stop(): Promise<void>;
  /** Resolves when nothing is being recorded, watched or acted on. */
  idle(): Promise<void>;
  /** Ids of the Deployments being watched now. */
  watching(): number[];
}

/**
 * The watch of one environment of one merge, in this process. It starts the moment the push is
 * understood; its Deployment is attached when it has been recorded (or found), and a verdict is
 * acted on only then.
 */
interface Run {
  watched: WatchedRollout;
  deployment: TrackedDeployment | undefined;
  /** Resolves when a Deployment is attached. */
  attached: Promise<void>;
  markAttached(): void;
  /** Handed off by another replica: its Deployment is looked up on GitHub, not recorded here. */
  lookUp: boolean;
  controller: AbortController;
  done: Promise<void>;
}

export function createRolloutOrchestrator(options: RolloutOrchestratorOptions): RolloutOrchestrator {
  const { watcher } = options;
  const isLeader = options.isLeader ?? (() => true);
  const log = options.log ?? silentLog;
  const syncTimeoutMs = options.syncTimeoutMs ?? 30 * 60_000;
  const scanDepth = options.scanDepth ?? 20;
  const readConfig = options.readConfig ?? ((gh: RepoClient) => readAppConfig(gh, log, { sideBySide: true }));
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
  const runKey = (gh: RepoClient, mergeSha: string, environment: string) => `${repoKey(gh)}@${mergeSha}:${environment}`;
  /** Detection and recording for one repository run one at a time (a push and a resume never race to create). */
  const serial = <T>(gh: RepoClient, work: () => Promise<T>) => locks.serial(repoKey(gh), () => acting(work));
  /** Waits `ms` on the clock, or until `signal` aborts. */
  const pause = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const cancel = clock.at(clock.now() + ms, resolve);
      signal.addEventListener("abort", () => (cancel(), resolve()), { once: true });
    });

  /** Whether two payloads watch the same thing. */
  const sameTarget = (a: WatchedRollout, b: WatchedRollout) =>
    isDeepStrictEqual(targetOf(a.environment, a.payload), targetOf(b.environment, b.payload));

  /** The Deployment is the one that counts for the run now; a concluded one ends the run. */
  function attach(run: Run, d: TrackedDeployment): void {
    run.deployment = d;
    run.markAttached();
    if (!isOpen(d.latestStatus)) run.controller.abort(new Error(`deployment ${d.id} is concluded`));
  }

  /**
   * Watches one environment of one merge unless this process already does (then `deployment`, if
   * given, is attached to that watch). Only the Lease holder watches.
   */
  function watch(gh: RepoClient, watched: WatchedRollout, deployment?: TrackedDeployment, lookUp = false): void {
    const key = runKey(gh, watched.payload.mergeSha, watched.environment);
    const existing = runs.get(key);
    if (existing) {
      if (deployment) attach(existing, deployment);
      return;
    }
    if (!isLeader() || (deployment && !isOpen(deployment.latestStatus))) return;
    let markAttached = () => {};
    const attached = new Promise<void>((resolve) => (markAttached = resolve));
    const run: Run = { watched, deployment: undefined, attached, markAttached, lookUp, controller: new AbortController(), done: attached };
    runs.set(key, run);
    if (deployment) attach(run, deployment);
    run.done = follow(gh, run)
      .catch((error: unknown) =>
        log.error(
          { err: errorFields(error), deployment: run.deployment?.id, environment: watched.environment },
          "rollout follow-up failed",
        ),
      )
      .finally(() => {
        if (runs.get(key) === run) runs.delete(key);
      });
  }

  /** The Deployments of a merge could not be recorded: its watches without one end (the poll records and watches it again). */
  function abandon(gh: RepoClient, merge: HandedOffMerge): void {
    for (const w of merge.rollouts) {
      const run = runs.get(runKey(gh, merge.mergeSha, w.environment));
      if (run && !run.deployment) run.controller.abort(new Error("the merge's deployments were not recorded"));
    }
  }

  /**
   * The run's Deployment, once it exists: recorded by this process (attached by record()), or by
   * the replica that handed the merge off (looked up: 1 GraphQL call, again after 0.5, 1, 2 … 30 s).
   * Undefined when the run was aborted first.
   */
  async function deploymentFor(gh: RepoClient, run: Run): Promise<TrackedDeployment | undefined> {
    const { signal } = run.controller;
    let waitMs = 500;
    while (!run.deployment && !signal.aborted) {
      if (run.lookUp) {
        const found = deploymentOf(await acting(() => readKustodianDeployments(gh)), run.watched.payload.mergeSha, run.watched.environment);
        if (found && !run.deployment) attach(run, found);
        if (run.deployment) break;
        await Promise.race([run.attached, pause(waitMs, signal)]);
        waitMs = Math.min(2 * waitMs, 30_000);
      } else {
        await Promise.race([
          run.attached,
          new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true })),
        ]);
      }
    }
    return signal.aborted ? undefined : run.deployment;
  }

  /** The facts decideActions needs for `event`, read fresh from GitHub (status, claimed revert, config, PR). */
  async function factsFor(
    gh: RepoClient,
    d: TrackedDeployment,
    event: RolloutEvent,
    known?: TrackedDeployment["latestStatus"],
    readConfigOnce: () => Promise<AppConfig> = () => readConfig(gh),
  ): Promise<RolloutFacts> {
    const failed = event.kind === "verdict" && event.verdict.status === "Failed";
    // A Failed verdict reads the status, the config and the pull request side by side (the
    // verdict-to-revert path): /hold may have come during the rollout, and the config may have
    // changed. The last two are wasted only when another process has already acted.
    const [status, config, pr] = await Promise.all([
      known !== undefined ? known : latestDeploymentStatus(gh.octokit, { repo: gh.repo, deploymentId: d.id, by: botLoginOf(gh) }),
      failed ? readConfigOnce() : undefined,
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

  /**
   * Decides on the facts `factsOf` reads and acts. The config is read at most once (the facts of a
   * Failed verdict, the secret words of the texts' mask); the mask's renders are made only when
   * there is something to write, shared by this act's masks and dropped with it
   * (src/rollout/secret-mask.ts: the values are never kept).
   */
  async function act(
    gh: RepoClient,
    d: TrackedDeployment,
    factsOf: (config: () => Promise<AppConfig>) => Promise<RolloutFacts>,
  ): Promise<boolean> {
    let config: Promise<AppConfig> | undefined;
    const configOnce = () => (config ??= readConfig(gh));
    const actions = decideActions(await factsOf(configOnce));
    const renders = new Map<string, Promise<EnvironmentRender>>();
    const masks = async (shas: readonly string[]) => {
      const words = await configOnce().then(
        (c) => secretWordsOf(c),
        () => secretWordsOf(),
      );
      return renderedTextMask(gh, { environment: d.environment, shas, words, renders });
    };
    await executeActions({ gh, deployment: d, log, revertEdits: options.revertEdits, metrics: options.metrics, masks }, actions);
    return actions.length > 0;
  }

  /**
   * The watch of `run.watched` until an outcome; when the Deployment attached meanwhile says to
   * watch more than the push's payload did (carried workloads), the watch goes on with it.
   */
  async function watchFollowingRecord(gh: RepoClient, run: Run): Promise<WatchOutcome> {
    const { signal } = run.controller;
    for (;;) {
      const watching = run.watched;
      const inner = new AbortController();
      const forward = () => inner.abort(signal.reason);
      signal.addEventListener("abort", forward, { once: true });
      void run.attached.then(() => {
        const d = run.deployment;
        if (d && run.watched === watching && !sameTarget(watching, d)) {
          run.watched = d;
          inner.abort(new Error("watching the recorded payload"));
        }
      });
      const outcome = await watchUntilVerdict({ watcher, syncTimeoutMs, trees, log, acting }, gh, watching, inner.signal);
      signal.removeEventListener("abort", forward);
      if (outcome.kind === "aborted" && !signal.aborted && run.watched !== watching) continue;
      return outcome;
    }
  }

  async function follow(gh: RepoClient, run: Run): Promise<void> {
    const { signal } = run.controller;
    // A verdict claimed before a restart: finish from git if the revert was made (then the watch ends).
    const claim = run.attached.then(async () => {
      const d = run.deployment!;
      if (signal.aborted || !isRevertingClaim(d.latestStatus)) return false;
      const finished = await acting(async () => act(gh, d, (config) => factsFor(gh, d, { kind: "resumed" }, d.latestStatus, config)));
      if (finished) run.controller.abort(new Error("the claimed verdict was finished"));
      return finished;
    });
    let outcome: WatchOutcome;
    let d: TrackedDeployment | undefined;
    for (;;) {
      outcome = await watchFollowingRecord(gh, run);
      if (outcome.kind === "aborted") return;
      // Act only once the Deployment exists: a verdict reached while it is being recorded waits for it.
      d = await deploymentFor(gh, run);
      if (!d || (await claim)) return;
      // The recorded payload watches more (workloads carried from earlier merges): a failure stands, anything else is judged again on all of them.
      if (sameTarget(run.watched, d) || (outcome.kind === "verdict" && outcome.verdict.status === "Failed")) break;
      run.watched = d;
    }
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
      await acting(async () => act(gh, d, (config) => factsFor(gh, d, event, undefined, config)));
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
    await acting(async () => act(gh, d, (config) => factsFor(gh, d, { kind: "verdict", verdict }, undefined, config)));
  }

  async function record(gh: RepoClient, merge: DetectedMerge, known?: readonly TrackedDeployment[]) {
    const recorded = await recordDeployments(gh, merge, known);
    for (const { deployment } of recorded) watch(gh, deployment, deployment);
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
        // Watch first: the watches start now, the Deployments are recorded meanwhile.
        const merge = detection.merge;
        const understood: HandedOffMerge = {
          mergeSha: merge.mergeSha,
          rollouts: merge.rollouts.map((r) => ({ environment: r.target.environment, payload: rolloutPayloadOf(merge, r) })),
        };
        for (const w of understood.rollouts) watch(gh, w);
        const handedOff =
          !isLeader() && options.handOff && understood.rollouts.length > 0
            ? options
                .handOff(gh, understood)
                .catch((error: unknown) =>
                  log.warn(
                    { err: errorFields(error), merge: commit.mergeSha },
                    "could not hand the merge to the leader; its poll finds it",
                  ),
                )
            : undefined;
        let recorded: Awaited<ReturnType<typeof record>>;
        try {
          recorded = await record(gh, merge);
        } catch (error) {
          abandon(gh, understood);
          throw error;
        } finally {
          await handedOff;
        }
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
          watch(gh, d, d);
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
            endWatch: (repo, id) =>
              [...runs.entries()]
                .find(([key, run]) => run.deployment?.id === id && key.startsWith(`${repoKey(repo)}@`))?.[1]
                .controller.abort(new Error("rolled back on request")),
            revertEdits: options.revertEdits,
            now,
            log,
          },
          gh,
          pr,
          requestedBy,
        ),
      ),

    adopt(gh, merge) {
      for (const w of merge.rollouts) watch(gh, w, undefined, true);
    },

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

    watching: () => [...runs.values()].flatMap((r) => (r.deployment ? [r.deployment.id] : [])),
  };
  return orchestrator;
}
