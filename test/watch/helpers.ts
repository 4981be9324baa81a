// Shared by the watcher tests: a GitOps repository (a copy of the real base/ plus an overlay
// whose image changes per commit), the simulator's clock as a watcher Clock, and a check that
// every shared informer has caught up with the simulated cluster (for runUntil's beforeStep).
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import type { SharedInformers } from "../../src/cluster/shared-informers.ts";
import { EVENT_FIELD_SELECTOR, type WatchedKind } from "../../src/cluster/watched-kinds.ts";
import { matchesFields, parseFieldSelector } from "../sim/selectors.ts";
import { singleClusterConnections } from "../../src/cluster/connections.ts";
import { createSharedInformers } from "../../src/cluster/shared-informers.ts";
import { createRolloutWatcher, type ClusterRolloutWatcher } from "../../src/watch/rollout-watcher.ts";
import type { Clock } from "../../src/clock/clock.ts";
import type { RolloutTarget, SyncTarget, TerminalVerdict } from "../../src/watch/types.ts";
import { startSimulator, type Simulator } from "../sim/index.ts";
import type { KubeObject, Pod } from "../sim/types.ts";
import { deployment, repoRoot, rolloutComplete } from "../sim/helpers.ts";

export const NAMESPACE = "kube-example";

/** The simulator's clock as the watcher's Clock. */
export function simClock(sim: Simulator): Clock {
  return { now: () => sim.clock.now(), at: (at, fn) => sim.clock.schedule(at, fn) };
}

export class GitRepo {
  readonly path: string;
  constructor() {
    this.path = mkdtempSync(join(tmpdir(), "kustodian-watch-repo-"));
    execFileSync("git", ["init", "-q", "-b", "main", this.path]);
    cpSync(resolve(repoRoot, "base"), join(this.path, "base"), { recursive: true });
  }
  get url(): string {
    return pathToFileURL(this.path).href;
  }
  git(...args: string[]): string {
    return execFileSync("git", ["-C", this.path, ...args], { encoding: "utf8" }).trim();
  }
  commit(files: Record<string, string>, message: string): string {
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(this.path, path)), { recursive: true });
      writeFileSync(join(this.path, path), text);
    }
    this.git("add", "-A");
    this.git("-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-qm", message);
    return this.git("rev-parse", "HEAD");
  }
  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** overlays/<env>/kustomization.yaml on the base, with the WordPress image tag of the commit. */
export function overlay(tag: string, extra = ""): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: wordpress
    newTag: ${tag}
${extra}`;
}

export function argoApplication(repo: GitRepo, name = "wordpress-prod", path = "overlays/prod"): KubeObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name, namespace: "argocd" },
    spec: {
      project: "default",
      source: { repoURL: repo.url, targetRevision: "main", path },
      destination: { server: "https://kubernetes.default.svc", namespace: NAMESPACE },
    },
  };
}

export function fluxObjects(repo: GitRepo, name = "wordpress-prod", path = "./overlays/prod"): KubeObject[] {
  return [
    {
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      metadata: { name: "kustodian", namespace: "flux-system" },
      spec: { interval: "1m", url: repo.url, ref: { branch: "main" } },
    },
    {
      apiVersion: "kustomize.toolkit.fluxcd.io/v1",
      kind: "Kustomization",
      // A long interval: tests trigger reconciliations themselves.
      metadata: { name, namespace: "flux-system" },
      spec: { interval: "60m", path, prune: true, sourceRef: { kind: "GitRepository", name: "kustodian" } },
    },
  ];
}

export function target(mergeSha: string, sync: SyncTarget, overrides: Partial<RolloutTarget> = {}): RolloutTarget {
  return {
    environment: "prod",
    context: "prod-cluster",
    namespace: NAMESPACE,
    deployments: ["wordpress"],
    sync,
    mergeSha,
    slackSeconds: 2,
    mergedAt: new Date("2025-01-01T00:00:00Z"),
    ...overrides,
  };
}

export const ARGO: SyncTarget = { tool: "argocd", application: "wordpress-prod", namespace: "argocd" };
export const FLUX: SyncTarget = { tool: "flux", kustomization: "wordpress-prod", namespace: "flux-system" };

/** The apiVersion and kind of the objects each informer lists (a hand-off record is a ConfigMap). */
const STORED_AS: Record<WatchedKind, string> = {
  Deployment: "apps/v1 Deployment",
  ReplicaSet: "apps/v1 ReplicaSet",
  Pod: "v1 Pod",
  Event: "v1 Event",
  Application: "argoproj.io/v1alpha1 Application",
  Kustomization: "kustomize.toolkit.fluxcd.io/v1 Kustomization",
  HandOff: "v1 ConfigMap",
};

/**
 * Follows the simulated store: the resourceVersion of the last change per (kind, namespace),
 * so `inSync(informers)` says whether every informer has received everything up to now.
 */
export function changeTracker(sim: Simulator): { inSync(informers: SharedInformers): boolean; stop(): void } {
  const eventFields = parseFieldSelector(EVENT_FIELD_SELECTOR);
  const last = new Map<string, number>();
  const stop = sim.store.onChange((change) => {
    const o = change.object;
    if (o.kind === "Event" && !matchesFields(o, eventFields)) return; // what the Event informer lists and watches
    last.set(`${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ""}`, change.rv);
  });
  return {
    inSync(informers) {
      return informers.stats().every((s) => {
        const changed = last.get(`${STORED_AS[s.key.kind]} ${s.key.namespace}`) ?? 0;
        return s.synced && Number(s.resourceVersion) >= changed;
      });
    },
    stop,
  };
}

/**
 * Polls a condition that depends on HTTP clients, a few ms at a time. The limit only turns a
 * condition that never holds into a failure; it is far above what a busy machine needs.
 */
export async function eventually(predicate: () => boolean, timeoutMs = 60_000, what = "condition not met in time"): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`${what} (${timeoutMs / 1000} s)`);
    await sleep(2);
  }
}

export type Tool = "argocd" | "flux";

export const noDelay = async (): Promise<void> => {};

export interface Harness {
  sim: Simulator;
  repo: GitRepo;
  tool: Tool;
  sync: SyncTarget;
  informers: SharedInformers;
  watcher: ClusterRolloutWatcher;
  /** A second watcher with its own informers (a restarted bot); closed by stop(). */
  newWatcher(): { watcher: ClusterRolloutWatcher; informers: SharedInformers };
  /** Commits the overlay with this WordPress tag (and extra kustomization text); returns the sha. */
  commitTag(tag: string, extra?: string): string;
  /** What `argocd app sync` / `flux reconcile` would do now. */
  syncNow(): void;
  /** Steps simulated time until the promise settles, letting every informer catch up first. */
  runToVerdict(promise: Promise<TerminalVerdict>, maxSimulatedMs?: number): Promise<TerminalVerdict>;
  /** Every informer has everything up to now and no watcher has an API read in flight. */
  inSync(): boolean;
  /** Waits (real time) until inSync, then lets the watchers' queued classifications run. */
  catchUp(): Promise<void>;
  /** git merge-base --is-ancestor: the orchestrator's isLaterCommit, from the test repo. */
  isLaterCommit(mergeSha: string): (sha: string) => boolean;
  stop(): Promise<void>;
}

/** Simulator + git repo on the base, synced and rolled out at 6.6.2-apache, plus a watcher. */
export async function startHarness(tool: Tool): Promise<Harness> {
  const repo = new GitRepo();
  const sim = await startSimulator({ clock: "fast" });
  const tracker = changeTracker(sim);
  const connections = singleClusterConnections(sim.kubeConfig);
  const all: { watcher: ClusterRolloutWatcher; informers: SharedInformers }[] = [];
  const newWatcher = (): { watcher: ClusterRolloutWatcher; informers: SharedInformers } => {
    const informers = createSharedInformers({ connections, delay: noDelay });
    const watcher = createRolloutWatcher({ connections, clock: simClock(sim), informers, delay: noDelay });
    all.push({ watcher, informers });
    return { watcher, informers };
  };
  const first = newWatcher();
  const syncRef =
    tool === "argocd"
      ? ({ kind: "Application", namespace: "argocd", name: "wordpress-prod" } as const)
      : ({ kind: "Kustomization", namespace: "flux-system", name: "wordpress-prod" } as const);
  const inSync = (): boolean => all.every((w) => tracker.inSync(w.informers) && w.watcher.stats().pending === 0);
  // Simulated time does not move until every informer and watcher has caught up, however long
  // that takes on a busy machine; only one that never does fails.
  const catchUp = async (): Promise<void> => {
    await eventually(inSync, 120_000, "the informers and watchers did not catch up with the simulator");
    await new Promise((r) => setImmediate(r)); // the watchers' coalesced classifications
  };
  const harness: Harness = {
    sim,
    repo,
    tool,
    sync: tool === "argocd" ? ARGO : FLUX,
    informers: first.informers,
    watcher: first.watcher,
    newWatcher,
    commitTag: (tag, extra = "") => repo.commit({ "overlays/prod/kustomization.yaml": overlay(tag, extra) }, `prod on ${tag}`),
    syncNow: () => {
      sim.gitops.sync(syncRef);
    },
    inSync,
    catchUp,
    isLaterCommit: (mergeSha) => (sha) => {
      if (sha === mergeSha) return false;
      try {
        repo.git("merge-base", "--is-ancestor", mergeSha, sha);
        return true;
      } catch {
        return false;
      }
    },
    async runToVerdict(promise, maxSimulatedMs = 900_000) {
      let settled: { value: TerminalVerdict } | { error: unknown } | undefined;
      promise.then(
        (value) => (settled = { value }),
        (error: unknown) => (settled = { error }),
      );
      await sim.clock.runUntil(() => settled !== undefined, {
        maxSimulatedMs,
        beforeStep: catchUp,
      });
      if (!settled) throw new Error("runUntil returned before the watch settled");
      if ("error" in settled) throw settled.error;
      return settled.value;
    },
    async stop() {
      for (const w of all) {
        await w.watcher.close();
        await w.informers.close();
      }
      tracker.stop();
      await sim.stop();
      repo.remove();
    },
  };
  harness.commitTag("6.6.2-apache");
  if (tool === "argocd") {
    sim.apply(argoApplication(repo));
    harness.syncNow();
  } else {
    sim.apply(fluxObjects(repo));
  }
  await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")) && rolloutComplete(deployment(sim, "wordpress-mysql")));
  return harness;
}

/** Pods of the namespace running this image in their first container. */
export function podsWithImage(sim: Simulator, image: string): Pod[] {
  return sim.store.list<Pod>({ apiVersion: "v1", kind: "Pod", namespace: NAMESPACE }).filter((p) => p.spec.containers[0]?.image === image);
}

export function containerStartedAt(pod: Pod): number {
  const state = pod.status?.containerStatuses?.[0]?.state;
  if (!state || !("running" in state)) throw new Error(`pod ${pod.metadata.name} is not running`);
  return Date.parse(state.running.startedAt);
}
