// Cluster half of the issue-6 benchmarks. Prints ratios, asserts nothing.
//
// (a) Bad merge -> Failed verdict, in simulated time, against the readiness-window lower bound:
//     the real base WordPress (probes 5/5/1/3 -> 16 s window) synced by Argo CD and by Flux from
//     a git repository, image tagged `bad`.
// (b) 1,000 rollouts watched at once: 1,000 one-replica Deployments in 10 namespaces, one Flux
//     Kustomization per namespace, a merge that changes every image (70% good, 20% never ready,
//     5% crash-looping, 5% unpullable). The simulator runs in a worker thread. Reports the
//     watcher's memory (main-thread heapUsed deltas), its watch connections and API reads, and
//     the verdict latency in real time from the change that decided a rollout (or, for
//     timer-decided verdicts, from the moment simulated time reached the deadline) to the verdict.
//
// Run: npx node bench/verdict-latency.ts   (Node 24; `npx` puts node_modules/.bin/node first)
//      ROLLOUTS=200 npx node bench/verdict-latency.ts   for a quicker run
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { setTimeout as sleep } from "node:timers/promises";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { singleClusterConnections } from "../src/cluster/connections.ts";
import { createSharedInformers } from "../src/cluster/shared-informers.ts";
import { createRolloutWatcher } from "../src/watch/rollout-watcher.ts";
import type { Clock } from "../src/clock/clock.ts";
import type { RolloutTarget, TerminalVerdict } from "../src/watch/types.ts";
import { startSimulator } from "../test/sim/index.ts";
import { makeKubeConfig } from "../test/sim/kubeconfig.ts";
import type { KubeObject, Pod } from "../test/sim/types.ts";
import { containerStartedAt, noDelay, podsWithImage, startHarness, target, type Tool } from "../test/watch/helpers.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}
function mb(bytes: number): string {
  return `${bytes < 0 ? "-" : "+"}${fmt(Math.abs(bytes) / 1024 / 1024, 1)} MB`;
}
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
function memory(): { heap: number; rss: number } {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

// ---------------------------------------------------------------------------------------------
// (a) bad merge -> Failed, against the readiness window

async function badMerge(tool: Tool): Promise<void> {
  const h = await startHarness(tool);
  try {
    const sha = h.commitTag("6.7.0-bad");
    const verdict = h.watcher.watch(target(sha, h.sync));
    await h.catchUp();
    const syncedAt = h.sim.clock.now();
    h.syncNow();
    const result = await h.runToVerdict(verdict);
    const started = Math.min(...podsWithImage(h.sim, "wordpress:6.7.0-bad").map(containerStartedAt));
    const window = 16_000;
    const decided = result.decidedAt.getTime();
    const lowerBound = started - syncedAt + window; // sync -> container start is the cluster's, not ours
    console.log(
      `${tool.padEnd(6)} ${result.status} ${result.status === "Failed" ? result.reason : ""}: ` +
        `sync->verdict ${fmt((decided - syncedAt) / 1000, 0)} s, lower bound ${fmt(lowerBound / 1000, 0)} s ` +
        `(sync->container start ${fmt((started - syncedAt) / 1000, 0)} s + window 16 s) -> ratio ${fmt((decided - syncedAt) / lowerBound)}; ` +
        `container start->verdict / window = ${fmt((decided - started) / window, 3)} (limit 1.15 + 2 s slack = ${fmt(1.15 + 2 / 16, 3)}); ` +
        `vs the 600 s progress deadline: ${fmt((decided - syncedAt) / 600_000, 3)}`,
    );
  } finally {
    await h.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// (b) 1,000 rollouts at once. The simulator runs in a worker thread (its own event loop and V8
// heap) so that the main thread's heapUsed is the watcher's, and the simulator's controller work
// runs beside the watcher instead of delaying it. The main thread moves simulated time: it asks
// the worker to step to the next wake-up (the simulator's or one of the watcher's timers), after
// every informer has received every change (the worker reports the last resourceVersion per
// kind and namespace) and the watcher has no read in flight.

const ROLLOUTS = Number(process.env["ROLLOUTS"] ?? 1000);
const NAMESPACES = Number(process.env["NAMESPACES"] ?? 10);
const OLD_SHA = "a".repeat(40);
const NEW_SHA = "b".repeat(40);
const BAD_TAG = "v2-bad";

type Kind = "good" | "bad" | "crashloop" | "pullfail";
function kindOf(i: number): Kind {
  const m = i % 20;
  if (m < 14) return "good";
  if (m < 18) return "bad";
  return m === 18 ? "crashloop" : "pullfail";
}
const TAG: Record<Kind, string> = { good: "v2", bad: BAD_TAG, crashloop: "v2-crashloop", pullfail: "v2-pullfail" };
const EXPECTED: Record<Kind, string> = { good: "Healthy", bad: "ReadinessTimeout", crashloop: "CrashLoop", pullfail: "ImagePullFailed" };

interface Rollout {
  namespace: string;
  name: string;
  kind: Kind;
}
function rolloutsOf(count: number, namespaces: number): Rollout[] {
  return Array.from({ length: count }, (_, i) => ({ namespace: `apps-${i % namespaces}`, name: `app-${i}`, kind: kindOf(i) }));
}
const rolloutKey = (namespace: string, name: string): string => `${namespace}/${name}`;
/** Absolute high-resolution time, comparable across threads. */
const realNow = (): number => performance.timeOrigin + performance.now();

interface SimState {
  now: number;
  nextWakeAt: number | undefined;
  /** `<kind> <namespace>` -> resourceVersion of its last change (pod Events only). */
  lastRv: [string, number][];
}
type Request =
  { id: number; op: "merge" } | { id: number; op: "step"; to: number } | { id: number; op: "report" } | { id: number; op: "stop" };
interface Report {
  /** rollout -> [simulated instant, real time of its first and of its last change at that instant][] */
  instants: [string, [number, number, number][]][];
  /** rollout -> container start of its new (bad) pod */
  badStarts: [string, number][];
  settleMs: number;
  /** simulated instant -> real time at which the simulator had finished it (its watch writes flush then) */
  instantEnds: [number, number][];
}

function app(name: string, namespace: string): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: { app: name } },
    spec: {
      replicas: 1,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: name } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: "app",
              image: "registry.example/app:v1",
              resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "10m", memory: "16Mi" } },
              readinessProbe: {
                httpGet: { path: "/", port: 8080 },
                initialDelaySeconds: 5,
                periodSeconds: 5,
                timeoutSeconds: 1,
                failureThreshold: 3,
              },
            },
          ],
        },
      },
    },
  };
}

function kustomization(namespace: string): KubeObject {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: `apps-${namespace}`, namespace: "flux-system" },
    // Suspended: the simulator's Flux emulation leaves it alone; the bench writes its status as Flux would.
    spec: { interval: "60m", path: `./${namespace}`, prune: true, suspend: true, sourceRef: { kind: "GitRepository", name: "apps" } },
  };
}

function fluxStatus(revision: string): Record<string, unknown> {
  return {
    observedGeneration: 1,
    lastAppliedRevision: `main@sha1:${revision}`,
    lastAttemptedRevision: `main@sha1:${revision}`,
    conditions: [
      {
        type: "Ready",
        status: "True",
        reason: "ReconciliationSucceeded",
        message: `Applied revision: main@sha1:${revision}`,
        lastTransitionTime: "2025-01-01T00:00:00Z",
      },
    ],
  };
}

/** The Deployment a stored object belongs to (Deployment, its ReplicaSets, their Pods, pod Events). */
function deploymentOf(object: KubeObject): string | undefined {
  const strip = (name: string): string => name.slice(0, name.lastIndexOf("-"));
  switch (object.kind) {
    case "Deployment":
      return object.metadata.name;
    case "ReplicaSet":
      return strip(object.metadata.name);
    case "Pod":
      return strip(strip(object.metadata.name));
    case "Event": {
      const involved = (object as { involvedObject?: { kind?: string; name?: string } }).involvedObject;
      return involved?.kind === "Pod" && involved.name ? strip(strip(involved.name)) : undefined;
    }
    default:
      return undefined;
  }
}

async function simulatorWorker(): Promise<void> {
  const port = parentPort!;
  const { count, namespaceCount } = workerData as { count: number; namespaceCount: number };
  const rollouts = rolloutsOf(count, namespaceCount);
  const namespaces = [...new Set(rollouts.map((r) => r.namespace))];
  const sim = await startSimulator({ clock: "fast", nodes: 50, historyLimit: 200_000 });
  const setFlux = (namespace: string, revision: string): void => {
    sim.store.mutate(
      { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: "flux-system", name: `apps-${namespace}` },
      (k) => {
        k.status = fluxStatus(revision);
      },
    );
  };
  const began = performance.now();
  sim.apply(rollouts.map((r) => app(r.name, r.namespace)));
  sim.apply(namespaces.map(kustomization));
  for (const ns of namespaces) setFlux(ns, OLD_SHA);
  await sim.clock.runUntil(
    () =>
      sim.store
        .list<Pod>({ apiVersion: "v1", kind: "Pod" })
        .filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")).length === count,
    { maxSimulatedMs: 120_000 },
  );
  const setupMs = performance.now() - began;

  const lastRv = new Map<string, number>();
  const instants = new Map<string, [number, number, number][]>();
  const byNamespace = new Map<string, Rollout[]>();
  for (const r of rollouts) byNamespace.set(r.namespace, [...(byNamespace.get(r.namespace) ?? []), r]);
  const note = (key: string): void => {
    const t = sim.clock.now();
    const list = instants.get(key) ?? [];
    const real = realNow();
    const last = list.at(-1);
    if (last?.[0] === t) last[2] = real;
    else list.push([t, real, real]);
    instants.set(key, list);
  };
  sim.store.onChange((change) => {
    const o = change.object;
    const involved = (o as { involvedObject?: { kind?: string } }).involvedObject;
    if (o.kind !== "Event" || involved?.kind === "Pod") lastRv.set(`${o.kind} ${o.metadata.namespace ?? ""}`, change.rv);
    if (o.kind === "Kustomization") {
      for (const r of byNamespace.get(o.metadata.name.replace(/^apps-/, "")) ?? []) note(rolloutKey(r.namespace, r.name));
      return;
    }
    const d = o.metadata.namespace ? deploymentOf(o) : undefined;
    if (d) note(rolloutKey(o.metadata.namespace!, d));
  });
  let settleMs = 0;
  const instantEnds = new Map<number, number>();
  const state = (): SimState => ({ now: sim.clock.now(), nextWakeAt: sim.clock.nextWakeAt(), lastRv: [...lastRv] });

  port.on("message", async (request: Request) => {
    const t0 = performance.now();
    switch (request.op) {
      case "merge":
        for (const r of rollouts) {
          sim.store.mutate({ apiVersion: "apps/v1", kind: "Deployment", namespace: r.namespace, name: r.name }, (d) => {
            (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image =
              `registry.example/app:${TAG[r.kind]}`;
          });
        }
        for (const ns of namespaces) setFlux(ns, NEW_SHA);
        sim.settle();
        settleMs += performance.now() - t0;
        instantEnds.set(sim.clock.now(), realNow());
        port.postMessage({ id: request.id, state: state() });
        break;
      case "step":
        sim.clock.advanceTo(request.to);
        settleMs += performance.now() - t0;
        instantEnds.set(sim.clock.now(), realNow());
        port.postMessage({ id: request.id, state: state() });
        break;
      case "report": {
        const badStarts: [string, number][] = [];
        for (const pod of sim.store.list<Pod>({ apiVersion: "v1", kind: "Pod" })) {
          const s = pod.status?.containerStatuses?.[0]?.state;
          if (pod.spec.containers[0]?.image.endsWith(`:${BAD_TAG}`) && s && "running" in s) {
            badStarts.push([rolloutKey(pod.metadata.namespace ?? "", deploymentOf(pod) ?? ""), Date.parse(s.running.startedAt)]);
          }
        }
        const report: Report = { instants: [...instants], badStarts, settleMs, instantEnds: [...instantEnds] };
        port.postMessage({ id: request.id, report });
        break;
      }
      case "stop":
        await sim.stop();
        port.postMessage({ id: request.id });
        port.close();
        break;
    }
  });
  port.postMessage({ ready: { url: sim.url, setupMs, state: state() } });
}

/** The watcher's Clock in the main thread: simulated time as the worker last reported it. */
class MirrorClock {
  current = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  readonly clock: Clock = {
    now: () => this.current,
    at: (at, fn) => {
      const timer = { at, fn, id: this.nextId++ };
      this.timers.push(timer);
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      return () => {
        this.timers = this.timers.filter((t) => t !== timer);
      };
    },
  };
  nextAt(): number | undefined {
    return this.timers[0]?.at;
  }
  moveTo(now: number): void {
    this.current = now;
    for (;;) {
      const due = this.timers[0];
      if (!due || due.at > now) break;
      this.timers.shift();
      due.fn();
    }
  }
}

async function manyRollouts(): Promise<void> {
  const rollouts = rolloutsOf(ROLLOUTS, NAMESPACES);
  const worker = new Worker(new URL(import.meta.url), { workerData: { count: ROLLOUTS, namespaceCount: NAMESPACES } });
  const pending = new Map<number, (value: { state?: SimState; report?: Report }) => void>();
  let nextId = 0;
  const ready = new Promise<{ url: string; setupMs: number; state: SimState }>((resolve, reject) => {
    worker.on("error", reject);
    worker.on(
      "message",
      (message: { ready?: { url: string; setupMs: number; state: SimState }; id?: number; state?: SimState; report?: Report }) => {
        if (message.ready) resolve(message.ready);
        else if (message.id !== undefined) {
          pending.get(message.id)?.(message);
          pending.delete(message.id);
        }
      },
    );
  });
  const ask = (request: Omit<Request, "id"> & { to?: number }): Promise<{ state?: SimState; report?: Report }> =>
    new Promise((resolve) => {
      const id = nextId++;
      pending.set(id, resolve);
      worker.postMessage({ ...request, id });
    });

  const { url, setupMs, state: initial } = await ready;
  console.log(
    `cluster (worker thread): ${ROLLOUTS} Deployments (1 replica) in ${NAMESPACES} namespaces, rolled out in ${fmt(setupMs / 1000, 1)} s real`,
  );
  const mirror = new MirrorClock();
  let simState = initial;
  mirror.moveTo(simState.now);

  const connections = singleClusterConnections(makeKubeConfig(url));
  const before = memory();
  const informers = createSharedInformers({ connections, delay: noDelay });
  const watcher = createRolloutWatcher({ connections, clock: mirror.clock, informers, delay: noDelay });
  const caughtUp = (): boolean => {
    const last = new Map(simState.lastRv);
    return (
      watcher.stats().pending === 0 &&
      informers.stats().every((s) => s.synced && Number(s.resourceVersion) >= (last.get(`${s.key.kind} ${s.key.namespace}`) ?? 0))
    );
  };
  const catchUp = async (): Promise<void> => {
    const deadline = performance.now() + 60_000;
    while (!caughtUp() && performance.now() < deadline) await sleep(1);
    await new Promise((r) => setImmediate(r)); // the watcher's coalesced classifications
  };

  let movedAt = realNow();
  const results: { r: Rollout; verdict: TerminalVerdict; real: number; movedAt: number; delivered: number | undefined }[] = [];
  let delivered = new Map<string, number>();
  const failures: unknown[] = [];
  const watchStart = performance.now();
  for (const r of rollouts) {
    const t: RolloutTarget = {
      environment: r.name,
      context: "bench",
      namespace: r.namespace,
      deployments: [r.name],
      sync: { tool: "flux", kustomization: `apps-${r.namespace}`, namespace: "flux-system" },
      mergeSha: NEW_SHA,
      slackSeconds: 2,
      mergedAt: new Date(mirror.current),
    };
    watcher.watch(t).then(
      (verdict) => results.push({ r, verdict, real: realNow(), movedAt, delivered: delivered.get(rolloutKey(r.namespace, r.name)) }),
      (error: unknown) => failures.push(error),
    );
  }
  await catchUp();
  const watching = memory();
  // What the watcher's informers deliver, per rollout: the real time of its latest delivered change.
  delivered = new Map<string, number>();
  const observers = informers.stats().map((s) => informers.acquire(s.key));
  for (const handle of observers) {
    handle.subscribe((_event, object) => {
      const o = object as unknown as KubeObject;
      const kind = handle.key.kind;
      if (kind === "Kustomization") {
        for (const r of rollouts) if (`apps-${r.namespace}` === o.metadata.name) delivered.set(rolloutKey(r.namespace, r.name), realNow());
        return;
      }
      const d = deploymentOf({ ...o, kind });
      if (d) delivered.set(rolloutKey(handle.key.namespace, d), realNow());
    });
  }
  console.log(
    `watching ${ROLLOUTS} rollouts: informers listed and watching in ${fmt((performance.now() - watchStart) / 1000, 2)} s; ` +
      `${informers.stats().length} informers = ${informers.stats().length} watch connections (${fmt(informers.stats().length / ROLLOUTS, 3)} per rollout); ` +
      `main-thread heapUsed ${mb(watching.heap - before.heap)} (${fmt((watching.heap - before.heap) / ROLLOUTS / 1024, 1)} KB per rollout)`,
  );

  // The merge: each Deployment gets its new image, then each Kustomization reports the revision.
  const mergeSim = mirror.current;
  const rolloutStart = performance.now();
  simState = (await ask({ op: "merge" })).state!;
  mirror.moveTo(simState.now);
  let peak = watching.heap;
  let steps = 0;
  while (results.length + failures.length < ROLLOUTS) {
    await catchUp();
    if (results.length + failures.length === ROLLOUTS) break;
    const candidates = [simState.nextWakeAt, mirror.nextAt()].filter((t): t is number => t !== undefined);
    if (candidates.length === 0 || Math.min(...candidates) - mergeSim > 900_000) {
      console.log(`stuck: ${ROLLOUTS - results.length - failures.length} rollouts without a verdict`);
      break;
    }
    simState = (await ask({ op: "step", to: Math.min(...candidates) })).state!;
    movedAt = realNow();
    mirror.moveTo(simState.now); // fires the watcher's timers that are due
    steps++;
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  const rolloutReal = performance.now() - rolloutStart;
  const after = memory();
  for (const handle of observers) handle.release();
  const reads = watcher.stats().deploymentReads;
  await watcher.close();
  await informers.close();
  await sleep(500); // let the aborted watch connections close
  const closed = memory();
  const report = (await ask({ op: "report" })).report!;
  const instants = new Map(report.instants);
  const badStarts = new Map(report.badStarts);

  const instantEnds = new Map(report.instantEnds);
  const eventLatency: number[] = [];
  const ownLatency: number[] = [];
  const timerLatency: number[] = [];
  const windowRatio: number[] = [];
  const wrong: string[] = [];
  let unexplained = 0;
  const byStatus = new Map<string, number>();
  for (const { r, verdict, real, movedAt: moved, delivered: deliveredAt } of results) {
    const got = verdict.status === "Failed" ? verdict.reason : verdict.status;
    byStatus.set(got, (byStatus.get(got) ?? 0) + 1);
    if (got !== EXPECTED[r.kind]) wrong.push(`${r.name}: ${got}, expected ${EXPECTED[r.kind]}`);
    const decided = verdict.decidedAt.getTime();
    const key = rolloutKey(r.namespace, r.name);
    const cause = instants.get(key)?.find(([t]) => t === decided);
    const end = instantEnds.get(decided);
    if (cause && end !== undefined) {
      eventLatency.push(real - end);
      if (deliveredAt !== undefined) ownLatency.push(real - deliveredAt);
    } else if (got === "ReadinessTimeout") timerLatency.push(real - moved);
    else unexplained++;
    const start = badStarts.get(key);
    if (got === "ReadinessTimeout" && start !== undefined) windowRatio.push((decided - start) / 16_000);
  }
  for (const list of [eventLatency, ownLatency, timerLatency, windowRatio]) list.sort((a, b) => a - b);
  const p = (list: number[]): string =>
    `p50 ${fmt(percentile(list, 50), 1)}, p95 ${fmt(percentile(list, 95), 1)}, p99 ${fmt(percentile(list, 99), 1)}, max ${fmt(list.at(-1) ?? NaN, 1)}`;

  console.log(
    `verdicts: ${[...byStatus].map(([k, v]) => `${k} ${v}`).join(", ")}; wrong ${wrong.length}; rejected ${failures.length}; ` +
      `${fmt((mirror.current - mergeSim) / 1000, 0)} s simulated in ${steps} steps, ${fmt(rolloutReal / 1000, 1)} s real ` +
      `(simulator settling ${fmt(report.settleMs / 1000, 1)} s of it, in its own thread)`,
  );
  for (const w of wrong.slice(0, 5)) console.log(`  wrong: ${w}`);
  for (const f of failures.slice(0, 5)) console.log(`  rejected: ${String(f)}`);
  console.log(`verdict latency, decided by a change (${eventLatency.length}), real ms:`);
  console.log(
    `  from the informer delivering the rollout's last change (the watcher's own work: routing, coalescing, classification): ${p(ownLatency)}`,
  );
  console.log(
    `  from the simulator finishing the deciding instant (adds watch delivery over loopback HTTP for every rollout's changes at once): ${p(eventLatency)}`,
  );
  console.log(
    `verdict latency, decided by the watcher's timer (${timerLatency.length}; from simulated time reaching the deadline): real ms ${p(timerLatency)}`,
  );
  if (unexplained > 0) console.log(`  ${unexplained} verdicts at an instant with no change of their own`);
  console.log(
    `readiness verdicts: (verdict - container start) / 16 s window: min ${fmt(windowRatio[0] ?? NaN, 3)}, max ${fmt(windowRatio.at(-1) ?? NaN, 3)} (16 s + 2 s slack = 1.125)`,
  );
  console.log(
    `main-thread heapUsed: ${mb(watching.heap - before.heap)} watching, peak ${mb(peak - before.heap)} during the rollout, ${mb(after.heap - before.heap)} after the verdicts; ` +
      `Deployment re-reads: ${reads} (batched per namespace) for ${ROLLOUTS} rollouts`,
  );
  console.log(
    `after close: ${informers.stats().length} informers, main-thread heapUsed ${mb(closed.heap - before.heap)} vs before watching ` +
      `(the bench's own ${ROLLOUTS} verdict records and client-node code loaded on first use included); process rss (both threads) ${fmt(process.memoryUsage().rss / 1024 / 1024, 0)} MB`,
  );
  await ask({ op: "stop" });
  await worker.terminate();
}

if (isMainThread) {
  console.log("(a) bad merge -> Failed verdict vs the readiness window (simulated time, base WordPress, probes 5/5/1/3)");
  await badMerge("argocd");
  await badMerge("flux");
  console.log(`\n(b) ${ROLLOUTS} rollouts watched at once (Flux, fast clock; latencies in real time)`);
  await manyRollouts();
} else {
  await simulatorWorker();
}
