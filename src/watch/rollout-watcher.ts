// The rollout watcher (cluster side of issue 6): for each target, wait until Argo CD / Flux
// reports the merge SHA, then classify on every informer change that touches the target and
// on a timer at the classifier's nextCheckAt, and resolve on the first Healthy or Failed.
//
// Informers are shared per (context, kind, namespace) and routed to rollouts by views
// (informer-views.ts). Stale reads: once the sync reports the SHA, the Deployments are read
// from the API server (deployment-generations.ts) and a rollout only classifies with an
// informer copy at least that new. Decisions: README.md.
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Connections } from "../cluster/connections.ts";
import { backoffDelay, realDelay, type BackoffOptions, type Delay } from "../cluster/backoff.ts";
import { silentLog, type Log, errorFields } from "../log/log.ts";
import { createSharedInformers, type SharedInformers } from "../cluster/shared-informers.ts";
import { createDeploymentGenerations, type DeploymentGenerations, type Generations } from "../cluster/deployment-generations.ts";
import {
  classifyRollout,
  HealthInputError,
  newReplicaSetPods,
  syncState,
  type Deployment,
  type KubeEvent,
  type Pod,
  type ReplicaSet,
  type SyncObject,
  type Verdict,
} from "../health/index.ts";
import { combineVerdicts, type NamedVerdict } from "./combine-verdicts.ts";
import { WatchError } from "./errors.ts";
import { Views, type Subscriber, type View } from "./informer-views.ts";
import { replacement, revisionSha } from "./sync-revision.ts";
import type { Clock } from "../clock/clock.ts";
import type { RolloutTarget, RolloutWatcher, TerminalVerdict, WatchOptions } from "./types.ts";

export interface RolloutWatcherOptions {
  connections: Connections;
  clock: Clock;
  /** Shared informers to use (e.g. shared with another component, or inspected by tests). Made here when absent; close() closes only those made here. */
  informers?: SharedInformers;
  /** Backoff for informer restarts and for re-reading Deployments after an API error. */
  backoff?: BackoffOptions;
  /** Sleeps between retries (real time). Default setTimeout. */
  delay?: Delay;
  /** WaitingForSync bound when watch() is given no syncTimeoutMs. Default 30 minutes. */
  syncTimeoutMs?: number;
  log?: Log;
}

export const DEFAULT_SYNC_TIMEOUT_MS = 30 * 60_000;

interface Shared {
  clock: Clock;
  views: Views;
  generations: DeploymentGenerations;
  backoff: BackoffOptions;
  delay: Delay;
  log: Log;
  /** API reads and isLaterCommit calls in flight. */
  pending: number;
}

type Settle = { verdict: TerminalVerdict } | { error: unknown };

function syncRef(target: RolloutTarget): { kind: "Application" | "Kustomization"; name: string; namespace: string } {
  return target.sync.tool === "argocd"
    ? { kind: "Application", name: target.sync.application, namespace: target.sync.namespace }
    : { kind: "Kustomization", name: target.sync.kustomization, namespace: target.sync.namespace };
}

// Informer objects are client-node models or plain JSON from the watch stream; the classifier's
// structural types accept both (test/health/client-node-types.test.ts).
function as<T>(object: KubernetesObject | undefined): T | undefined {
  return object as unknown as T | undefined;
}

class Rollout implements Subscriber {
  private readonly target: RolloutTarget;
  private readonly shared: Shared;
  private readonly workload: View;
  private readonly syncView: View;
  private readonly syncName: string;
  private readonly done: (result: Settle) => void;
  private finished = false;
  private dirty = false;
  private seenMerge = false;
  private readonly isLaterCommit: WatchOptions["isLaterCommit"];
  /** Answers of isLaterCommit by commit SHA (undefined while asked). */
  private readonly laterCommits = new Map<string, boolean | undefined>();
  /** The last sync object that reported the merge SHA (applied or failed). */
  private mergeSync: SyncObject | undefined;
  private floors: Generations | undefined;
  private floorPending = false;
  private floorFailures = 0;
  private cancelCheck: (() => void) | undefined;
  private checkAt: number | undefined;
  private cancelSyncTimeout: (() => void) | undefined;

  constructor(target: RolloutTarget, options: WatchOptions & { syncTimeoutMs: number }, shared: Shared, done: (result: Settle) => void) {
    const { syncTimeoutMs } = options;
    this.target = target;
    this.isLaterCommit = options.isLaterCommit;
    this.shared = shared;
    this.done = done;
    const ref = syncRef(target);
    this.syncName = ref.name;
    this.syncView = shared.views.sync(target.context, ref.kind, ref.namespace);
    this.syncView.add(ref.name, this);
    this.workload = shared.views.workload(target.context, target.namespace);
    for (const name of target.deployments) this.workload.add(name, this);
    const timeoutAt = shared.clock.now() + syncTimeoutMs;
    this.cancelSyncTimeout = shared.clock.at(timeoutAt, () => {
      if (this.seenMerge) return;
      this.finish({
        error: new WatchError(
          "SyncTimeout",
          `${ref.kind} ${ref.namespace}/${ref.name} did not report ${target.mergeSha} within ${syncTimeoutMs / 1000} s`,
        ),
      });
    });
    void Promise.all([this.syncView.whenSynced(), this.workload.whenSynced()]).then(() => this.changed());
  }

  /** An informer change touched this rollout: classify once the current burst is delivered. */
  changed(): void {
    if (this.dirty || this.finished) return;
    this.dirty = true;
    queueMicrotask(() => {
      this.dirty = false;
      this.evaluate();
    });
  }

  finish(result: Settle): void {
    if (this.finished) return;
    this.finished = true;
    this.cancelCheck?.();
    this.cancelSyncTimeout?.();
    this.shared.views.leave(this.syncView, this.syncName, this);
    for (const name of this.target.deployments) this.shared.views.leave(this.workload, name, this);
    this.done(result);
  }

  private evaluate(): void {
    if (this.finished || !this.syncView.synced() || !this.workload.synced()) return;
    try {
      const verdict = this.classify();
      if (verdict) this.act(verdict);
    } catch (error) {
      this.finish({ error: error instanceof HealthInputError ? new WatchError("InvalidTarget", error.message, { cause: error }) : error });
    }
  }

  /** undefined: nothing to say yet (waiting for the sync or for the Deployment re-read). */
  private classify(): Verdict | undefined {
    const { target } = this;
    const { kind } = syncRef(target);
    const cached = this.syncView.handle(kind).get(this.syncName);
    if (!cached) return undefined;
    // List items carry no kind/apiVersion (watch events do): say what it is, or a sync object
    // without a status yet could not be told apart.
    const current = { ...cached, apiVersion: SYNC_API_VERSION[kind], kind } as unknown as SyncObject;
    const state = syncState(current, target.mergeSha, { mergedAt: target.mergedAt });
    const replaced = replacement(current, target.mergeSha, this.seenMerge);
    if (replaced && (replaced.certain || this.laterCommit(replaced.revision))) {
      throw new WatchError("Superseded", `the sync applied ${replaced.revision} instead of ${target.mergeSha}`, {
        revision: replaced.revision,
      });
    }
    if (state.state !== "Waiting") {
      this.mergeSync = current;
      if (!this.seenMerge) {
        this.seenMerge = true;
        this.cancelSyncTimeout?.();
        this.cancelSyncTimeout = undefined;
      }
    }
    // The sync moved on to a revision it has not applied yet (e.g. OutOfSync at a newer
    // commit): the merge's manifests are still what runs, so judge with what it said last.
    const sync = this.mergeSync;
    if (!sync) return undefined;
    const common = {
      sync,
      mergeSha: target.mergeSha,
      now: this.shared.clock.now(),
      slackSeconds: target.slackSeconds,
      mergedAt: target.mergedAt,
    };

    const syncOnly = classifyRollout({ ...common, deployment: null });
    if (syncOnly.status === "Failed") return syncOnly; // the merge never reached the cluster
    if (target.deployments.length === 0) return { status: "Healthy", detail: "the sync applied the merge; no Deployments to watch" };

    if (!this.floors) {
      this.readFloors();
      return undefined;
    }
    const verdicts: NamedVerdict[] = target.deployments.map((name) => ({
      deployment: name,
      verdict: this.classifyDeployment(name, common),
    }));
    return combineVerdicts(verdicts);
  }

  private classifyDeployment(name: string, common: Omit<Parameters<typeof classifyRollout>[0], "deployment">): Verdict {
    const view = this.workload;
    const deployment = as<Deployment>(view.handle("Deployment").get(name));
    const floor = this.floors?.get(name) ?? 0;
    const generation = deployment?.metadata?.generation ?? 0;
    if (!deployment || generation < floor) {
      return {
        status: "Progressing",
        reason: "StaleRead",
        detail: `Deployment ${name}: waiting for the informer to see generation ${floor} (has ${deployment ? generation : "none"})`,
      };
    }
    const replicaSets = view.handle("ReplicaSet").byOwner(name);
    const pods = replicaSets.flatMap((rs) => view.handle("Pod").byOwner(rs.metadata?.name ?? ""));
    const events = pods.flatMap((pod) => view.handle("Event").byOwner(pod.metadata?.name ?? ""));
    return classifyRollout({
      ...common,
      deployment,
      replicaSets: replicaSets as unknown as ReplicaSet[],
      pods: pods as unknown as Pod[],
      events: events as unknown as KubeEvent[],
    });
  }

  /** The earliest container start among the new ReplicaSets' pods (for the verdict-latency metric). */
  private firstContainerStart(): number | undefined {
    let first: number | undefined;
    for (const name of this.target.deployments) {
      const deployment = as<Deployment>(this.workload.handle("Deployment").get(name));
      if (!deployment) continue;
      const replicaSets = this.workload.handle("ReplicaSet").byOwner(name) as unknown as ReplicaSet[];
      const pods = replicaSets.flatMap((rs) => this.workload.handle("Pod").byOwner(rs.metadata?.name ?? "")) as unknown as Pod[];
      for (const pod of newReplicaSetPods(deployment, replicaSets, pods).pods)
        for (const c of pod.status?.containerStatuses ?? []) {
          const at = Date.parse(String(c.state?.running?.startedAt ?? c.lastState?.terminated?.startedAt ?? ""));
          if (Number.isFinite(at)) first = first === undefined ? at : Math.min(first, at);
        }
    }
    return first;
  }

  /** Whether the orchestrator says this revision comes after the merge; asks once, re-evaluates on the answer. */
  private laterCommit(revision: string): boolean {
    const sha = revisionSha(revision);
    if (!this.isLaterCommit) return false;
    if (this.laterCommits.has(sha)) return this.laterCommits.get(sha) === true;
    this.laterCommits.set(sha, undefined);
    this.shared.pending++;
    Promise.resolve()
      .then(() => this.isLaterCommit!(sha))
      .then(
        (later) => this.laterCommits.set(sha, later),
        (error: unknown) => {
          this.laterCommits.delete(sha); // ask again on the next change
          this.shared.log.warn({ sha, err: errorFields(error) }, "isLaterCommit failed");
        },
      )
      .finally(() => {
        this.shared.pending--;
        this.changed();
      });
    return false;
  }

  private readFloors(): void {
    if (this.floorPending) return;
    this.floorPending = true;
    this.shared.pending++;
    const { context, namespace, deployments } = this.target;
    this.shared.generations.read(context, namespace).then(
      (generations) => {
        this.floorPending = false;
        this.shared.pending--;
        if (this.finished) return;
        const missing = deployments.filter((d) => !generations.has(d));
        if (missing.length > 0) {
          this.finish({
            error: new WatchError(
              "DeploymentNotFound",
              `the sync applied ${this.target.mergeSha} but Deployment ${missing.join(", ")} does not exist in ${namespace}`,
            ),
          });
          return;
        }
        this.floors = generations;
        this.floorFailures = 0;
        this.evaluate();
      },
      (error: unknown) => {
        this.shared.pending--;
        this.floorFailures++;
        const ms = backoffDelay(this.floorFailures, this.shared.backoff);
        this.shared.log.warn({ namespace, err: errorFields(error), retryInMs: ms }, "reading Deployments failed; retrying after backoff");
        void this.shared.delay(ms).then(() => {
          this.floorPending = false;
          this.evaluate();
        });
      },
    );
  }

  private act(verdict: Verdict): void {
    const decidedAt = new Date(this.shared.clock.now());
    if (verdict.status === "Healthy" || verdict.status === "Failed") {
      const started = this.firstContainerStart();
      const extra = started === undefined ? {} : { firstContainerStartedAt: new Date(started) };
      this.finish({
        verdict:
          verdict.status === "Healthy"
            ? { status: "Healthy", detail: verdict.detail, decidedAt, ...extra }
            : { status: "Failed", reason: verdict.reason, summary: verdict.summary, evidence: verdict.evidence, decidedAt, ...extra },
      });
      return;
    }
    const next = verdict.status === "Progressing" ? verdict.nextCheckAt?.getTime() : undefined;
    if (next === this.checkAt) return;
    this.cancelCheck?.();
    this.cancelCheck = undefined;
    this.checkAt = next;
    if (next !== undefined) {
      this.cancelCheck = this.shared.clock.at(next, () => {
        this.cancelCheck = undefined;
        this.checkAt = undefined;
        this.evaluate();
      });
    }
  }
}

const SYNC_API_VERSION = { Application: "argoproj.io/v1alpha1", Kustomization: "kustomize.toolkit.fluxcd.io/v1" } as const;

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

export interface WatcherStats {
  /** Watches in progress. */
  rollouts: number;
  /** Deployment re-reads and isLaterCommit calls in flight (tests wait for 0 before moving simulated time). */
  pending: number;
  /** Deployment re-reads sent so far (batched per namespace). */
  deploymentReads: number;
}

export interface ClusterRolloutWatcher extends RolloutWatcher {
  stats(): WatcherStats;
}

/** A watcher: one per process (or per lease term); watch() as many targets as needed. */
export function createRolloutWatcher(options: RolloutWatcherOptions): ClusterRolloutWatcher {
  const delay = options.delay ?? realDelay;
  const log = options.log ?? silentLog;
  const ownInformers = options.informers === undefined;
  const informers =
    options.informers ??
    createSharedInformers({ connections: options.connections, delay, log, ...(options.backoff ? { backoff: options.backoff } : {}) });
  const shared: Shared = {
    clock: options.clock,
    views: new Views(informers),
    generations: createDeploymentGenerations(options.connections),
    backoff: options.backoff ?? {},
    delay,
    log,
    pending: 0,
  };
  const active = new Set<Rollout>();
  let closed = false;

  return {
    watch(target: RolloutTarget, watchOptions: WatchOptions = {}): Promise<TerminalVerdict> {
      if (closed) return Promise.reject(new WatchError("Closed", "the rollout watcher is closed"));
      const signal = watchOptions.signal;
      if (signal?.aborted) return Promise.reject(signal.reason);
      return new Promise<TerminalVerdict>((resolve, reject) => {
        let rollout: Rollout | undefined;
        const onAbort = (): void => rollout?.finish({ error: signal?.reason });
        const done = (result: Settle): void => {
          signal?.removeEventListener("abort", onAbort);
          if (rollout) active.delete(rollout);
          if ("verdict" in result) {
            // debug: the orchestrator logs the verdict it acts on ("rollout verdict", with the Deployment).
            log.debug(
              { environment: target.environment, mergeSha: target.mergeSha, verdict: result.verdict.status },
              "watch reached a verdict",
            );
            resolve(result.verdict);
          } else reject(result.error);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        try {
          if (!FULL_SHA.test(target.mergeSha))
            throw new WatchError("InvalidTarget", `mergeSha must be a full commit SHA, got "${target.mergeSha}"`);
          options.connections.forContext(target.context); // an unknown context fails here, before any informer starts
          const syncTimeoutMs = watchOptions.syncTimeoutMs ?? options.syncTimeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS;
          rollout = new Rollout(target, { ...watchOptions, syncTimeoutMs }, shared, done);
          active.add(rollout);
        } catch (error) {
          done({ error });
        }
      });
    },
    stats: () => ({ rollouts: active.size, pending: shared.pending, deploymentReads: shared.generations.reads() }),
    async close() {
      closed = true;
      for (const rollout of [...active]) rollout.finish({ error: new WatchError("Closed", "the rollout watcher was closed") });
      if (ownInformers) await informers.close();
    },
  };
}
