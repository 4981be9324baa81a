// Issue 15: 1,000 rollouts watched at once, the simulator in its own process: the measuring
// process, started by bench/watcher-scale.ts with the server's Node settings
// (scripts/node-runtime.ts). Prints ratios, asserts nothing.
//
// The simulator (test/sim/main.ts --control, real time) runs in a child process; this process
// holds only the rollout watcher (src/watch with shared informers, the real @kubernetes/client-node
// over loopback HTTP, the wall clock), so its RSS is the watcher's (plus Node and client-node).
// Setup: 1,000 one-replica Deployments in 10 namespaces, one Flux Kustomization per namespace
// (suspended: the bench writes its status as Flux would). The merge changes every image (70% good,
// 20% never ready, 5% crash-looping, 5% unpullable) and reports the new revision on every
// Kustomization, in one turn of the simulator's event loop.
//
// Verdict latency, on the clock both processes share (sharedNow, test/sim/shared-clock.ts):
// - decided by a change: verdict time - the time the simulator wrote the deciding change to its
//   watch stream. The deciding change is the last change of that rollout (or of its namespace's
//   Kustomization) the informers delivered before the verdict: the watcher classifies after every
//   delivered burst, so the verdict follows from that change (or from the Deployment re-read it
//   started). Served times come from the simulator (control op "served").
// - decided by the watcher's timer (readiness window, at the classifier's nextCheckAt): verdict
//   time - the instant the timer was due.
// RSS: process.memoryUsage().rss sampled every 50 ms from before the informers start to the last
// verdict; the peak is reported.
//
// WATCHER_SCALE_IMPORT_ONLY=1: load the modules and stop (the launcher fills the compile cache
// with it, as the image build does).
import { KubeConfig } from "@kubernetes/client-node";
import { cpus, loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { singleClusterConnections } from "../../src/cluster/connections.ts";
import { createSharedInformers } from "../../src/cluster/shared-informers.ts";
import { ownerKey } from "../../src/cluster/watched-kinds.ts";
import { systemClock } from "../../src/clock/system-clock.ts";
import type { Clock } from "../../src/clock/clock.ts";
import type { Log } from "../../src/log/log.ts";
import { createRolloutWatcher } from "../../src/watch/rollout-watcher.ts";
import type { RolloutTarget, TerminalVerdict } from "../../src/watch/types.ts";
import { forkSimulator } from "../../test/sim/control-client.ts";
import type { ControlState, PatchRequest } from "../../test/sim/control.ts";
import { sharedNow } from "../../test/sim/shared-clock.ts";
import type { KubeObject } from "../../test/sim/types.ts";

const ROLLOUTS = Number(process.env["ROLLOUTS"] ?? 1000);
const NAMESPACES = Number(process.env["NAMESPACES"] ?? 10);
const RSS_GOAL_MB = 200;
const P99_GOAL_MS = 1000;
const OLD_SHA = "a".repeat(40);
const NEW_SHA = "b".repeat(40);

type Kind = "good" | "bad" | "crashloop" | "pullfail";
function kindOf(i: number): Kind {
  const m = i % 20;
  if (m < 14) return "good";
  if (m < 18) return "bad";
  return m === 18 ? "crashloop" : "pullfail";
}
const TAG: Record<Kind, string> = { good: "v2", bad: "v2-bad", crashloop: "v2-crashloop", pullfail: "v2-pullfail" };
const EXPECTED: Record<Kind, string> = { good: "Healthy", bad: "ReadinessTimeout", crashloop: "CrashLoop", pullfail: "ImagePullFailed" };

interface Rollout {
  namespace: string;
  name: string;
  kind: Kind;
}
const rollouts: Rollout[] = Array.from({ length: ROLLOUTS }, (_, i) => ({
  namespace: `apps-${i % NAMESPACES}`,
  name: `app-${i}`,
  kind: kindOf(i),
}));
const namespaces = [...new Set(rollouts.map((r) => r.namespace))];
const keyOf = (namespace: string, name: string): string => `${namespace}/${name}`;

function app(r: Rollout): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: r.name, namespace: r.namespace, labels: { app: r.name } },
    spec: {
      replicas: 1,
      progressDeadlineSeconds: 600,
      selector: { matchLabels: { app: r.name } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: { app: r.name } },
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

function fluxStatus(namespace: string, revision: string): PatchRequest {
  const applied = `main@sha1:${revision}`;
  return {
    ref: { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: "flux-system", name: `apps-${namespace}` },
    type: "merge",
    patch: {
      status: {
        observedGeneration: 1,
        lastAppliedRevision: applied,
        lastAttemptedRevision: applied,
        conditions: [
          {
            type: "Ready",
            status: "True",
            reason: "ReconciliationSucceeded",
            message: `Applied revision: ${applied}`,
            lastTransitionTime: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
          },
        ],
      },
    },
  };
}

function newImage(r: Rollout): PatchRequest {
  return {
    ref: { apiVersion: "apps/v1", kind: "Deployment", namespace: r.namespace, name: r.name },
    type: "json",
    patch: [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: `registry.example/app:${TAG[r.kind]}` }],
  };
}

const fmt = (n: number, digits = 2): string => n.toFixed(digits);
const mb = (bytes: number): string => `${fmt(bytes / 1024 / 1024, 0)} MB`;
function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const percentiles = (list: number[]): string =>
  `p50 ${fmt(percentile(list, 50), 0)}, p90 ${fmt(percentile(list, 90), 0)}, p99 ${fmt(percentile(list, 99), 0)}, max ${fmt(list.at(-1) ?? NaN, 0)} ms`;

/** The last change of each rollout the informers delivered: [delivery order, resourceVersion]. */
class Deliveries {
  private seq = 0;
  private readonly byRollout = new Map<string, [number, string]>();
  private readonly bySync = new Map<string, [number, string]>();

  workload(namespace: string, deployment: string, rv: string): void {
    this.byRollout.set(keyOf(namespace, deployment), [++this.seq, rv]);
  }
  sync(namespace: string, rv: string): void {
    this.bySync.set(namespace, [++this.seq, rv]);
  }
  /** The resourceVersion of the last change delivered for the rollout, its own or its sync's. */
  last(namespace: string, name: string): string | undefined {
    const own = this.byRollout.get(keyOf(namespace, name));
    const sync = this.bySync.get(namespace);
    if (!own || !sync) return (own ?? sync)?.[1];
    return own[0] > sync[0] ? own[1] : sync[1];
  }
}

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * This process's CPU time against the shared clock, sampled every 10 ms: the CPU time the
 * watcher spent between two instants, which on a loaded machine is what its latency would be
 * with a core to itself (the wall-clock latency then mostly measures the wait for a core).
 */
class CpuTimeline {
  private readonly times: number[] = [];
  private readonly cpu: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), 10);
  }
  stop(): void {
    clearInterval(this.timer);
    this.sample();
  }
  sample(): void {
    this.times.push(sharedNow());
    this.cpu.push(cpuMs());
  }
  /** CPU ms at shared-clock instant t (interpolated). */
  at(t: number): number {
    const { times, cpu } = this;
    if (times.length === 0 || t <= times[0]!) return cpu[0] ?? 0;
    let lo = 0;
    let hi = times.length - 1;
    if (t >= times[hi]!) return cpu[hi]!;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if (times[mid]! <= t) lo = mid;
      else hi = mid;
    }
    const f = (t - times[lo]!) / (times[hi]! - times[lo]! || 1);
    return cpu[lo]! + f * (cpu[hi]! - cpu[lo]!);
  }
}

interface Decision {
  /** Shared clock at the decision. */
  at: number;
  /** This process's CPU ms at the decision. */
  cpu: number;
  /** The watcher's timer that decided it: when it was due (Date.now ms) and when it ran. */
  timer?: { due: number; ran: number };
  /** The last change delivered for the rollout before the decision. */
  rv: string | undefined;
}

async function main(): Promise<void> {
  let peakRss = process.memoryUsage().rss;
  let peakHeap = process.memoryUsage().heapUsed;
  let atPeak = process.memoryUsage();
  const sample = (): void => {
    const m = process.memoryUsage();
    if (m.rss > peakRss) atPeak = m;
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  };
  const startRss = process.memoryUsage().rss;

  const setupStart = performance.now();
  const sim = await forkSimulator(["--nodes", String(Math.max(3, Math.ceil(ROLLOUTS / 20))), "--history-limit", "500000"]);
  try {
    await sim.request({ op: "apply", objects: rollouts.map(app) });
    await sim.request({ op: "apply", objects: namespaces.map(kustomization) });
    await sim.request({ op: "patch", patches: namespaces.map((ns) => fluxStatus(ns, OLD_SHA)) });
    await sim.request({ op: "wait-rolled-out" });
    console.log(
      `simulator (process ${sim.pid}, real time): ${ROLLOUTS} Deployments (1 replica) in ${NAMESPACES} namespaces rolled out in ` +
        `${fmt((performance.now() - setupStart) / 1000, 1)} s`,
    );

    // The watcher. Its clock is the wall clock; the wrapper only notes which timer is running.
    let running: { due: number; ran: number } | undefined;
    const clock: Clock = {
      now: () => systemClock.now(),
      at: (due, fn) =>
        systemClock.at(due, () => {
          running = { due, ran: Date.now() };
          try {
            fn();
          } finally {
            running = undefined;
          }
        }),
    };
    const deliveries = new Deliveries();
    const decisions = new Map<string, Decision>();
    const note = (meta: object): void => {
      const environment = (meta as { environment?: string }).environment ?? "";
      const [namespace = "", name = ""] = environment.split("/");
      decisions.set(environment, {
        at: sharedNow(),
        cpu: cpuMs(),
        ...(running ? { timer: running } : {}),
        rv: deliveries.last(namespace, name),
      });
    };
    const ignore = (): void => {};
    // The watcher logs each verdict synchronously where it decides it (rollout-watcher.ts).
    const log: Log = {
      debug: (meta, message) => {
        if (message === "watch reached a verdict") note(meta);
      },
      warn: (meta, message) => console.log(`watcher warning: ${message} ${JSON.stringify(meta).slice(0, 300)}`),
      error: (meta, message) => console.log(`watcher error: ${message} ${JSON.stringify(meta).slice(0, 300)}`),
      info: ignore,
    };
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "sim", server: sim.url, skipTLSVerify: true }],
      users: [{ name: "bench", token: "bench" }],
      contexts: [{ name: "bench", cluster: "sim", user: "bench" }],
      currentContext: "bench",
    });
    const connections = singleClusterConnections(kc);
    const sampler = setInterval(sample, 50);
    const beforeRss = process.memoryUsage().rss;
    const informers = createSharedInformers({ connections, log });
    const watcher = createRolloutWatcher({ connections, clock, informers, log });

    const results: { r: Rollout; verdict?: TerminalVerdict; error?: unknown }[] = [];
    const watchStart = performance.now();
    const mergedAt = new Date();
    for (const r of rollouts) {
      const target: RolloutTarget = {
        environment: keyOf(r.namespace, r.name),
        context: "bench",
        namespace: r.namespace,
        deployments: [r.name],
        sync: { tool: "flux", kustomization: `apps-${r.namespace}`, namespace: "flux-system" },
        mergeSha: NEW_SHA,
        slackSeconds: 2,
        mergedAt,
      };
      watcher.watch(target).then(
        (verdict) => results.push({ r, verdict }),
        (error: unknown) => results.push({ r, error }),
      );
    }
    // What the informers deliver, per rollout (subscribed after the watcher's views, same informers).
    const observers = informers.stats().map((s) => informers.acquire(s.key));
    for (const handle of observers) {
      const { kind, namespace } = handle.key;
      handle.subscribe((_event, object) => {
        const rv = object.metadata?.resourceVersion ?? "";
        if (kind === "Kustomization") {
          deliveries.sync((object.metadata?.name ?? "").replace(/^apps-/, ""), rv);
          return;
        }
        const deployment = deploymentOf(kind, object.metadata?.name ?? "", object);
        if (deployment) deliveries.workload(namespace, deployment, rv);
      });
    }
    while (!informers.stats().every((s) => s.synced) || watcher.stats().pending > 0) await sleep(10);
    await sleep(200);
    sample();
    const watchingRss = process.memoryUsage().rss;
    console.log(
      `watching ${ROLLOUTS} rollouts: ${informers.stats().length} informers (watch connections) listed in ` +
        `${fmt((performance.now() - watchStart) / 1000, 2)} s; RSS ${mb(startRss)} at start, ${mb(beforeRss)} with the simulator up, ` +
        `${mb(watchingRss)} watching`,
    );

    const cpuTimeline = new CpuTimeline();
    cpuTimeline.start();
    const mergeStart = performance.now();
    const mergeCpu = cpuMs();
    await sim.request({ op: "patch", patches: [...rollouts.map(newImage), ...namespaces.map((ns) => fluxStatus(ns, NEW_SHA))] });
    const deadline = performance.now() + 300_000;
    let report = performance.now() + 30_000;
    while (results.length < ROLLOUTS && performance.now() < deadline) {
      await sleep(20);
      if (performance.now() > report) {
        report += 30_000;
        const s = await sim.request<ControlState>({ op: "state" });
        console.log(
          `  ${fmt((performance.now() - mergeStart) / 1000, 0)} s: ${results.length} verdicts; simulator at resourceVersion ${s.resourceVersion}, ` +
            `${s.openWatches} watches open; informer restarts ${informers.stats().reduce((n, i) => n + i.restarts, 0)}`,
        );
      }
    }
    sample();
    clearInterval(sampler);
    cpuTimeline.stop();
    const rolloutSeconds = (performance.now() - mergeStart) / 1000;
    const rolloutCpuSeconds = (cpuMs() - mergeCpu) / 1000;
    const reads = watcher.stats().deploymentReads;
    for (const handle of observers) handle.release();
    await watcher.close();
    await informers.close();

    // Latencies.
    const decided = [...decisions.entries()];
    const changeDecided = decided.filter(([, d]) => !d.timer && d.rv !== undefined);
    const served = await sim.request<(number | null)[]>({ op: "served", resourceVersions: changeDecided.map(([, d]) => d.rv!) });
    const byChange: number[] = [];
    const byChangeCpu: number[] = [];
    let unserved = 0;
    changeDecided.forEach(([, d], i) => {
      const at = served[i];
      if (at === null || at === undefined) unserved++;
      else {
        byChange.push(d.at - at);
        byChangeCpu.push(d.cpu - cpuTimeline.at(at));
      }
    });
    const timed = decided.filter(([, d]) => d.timer).map(([, d]) => d);
    const byTimer = timed.map((d) => d.timer!.ran - d.timer!.due);
    const byTimerCpu = timed.map((d) => d.cpu - cpuTimeline.at(d.timer!.due));
    const all = [...byChange, ...byTimer];
    const allCpu = [...byChangeCpu, ...byTimerCpu];
    for (const list of [byChange, byChangeCpu, byTimer, byTimerCpu, all, allCpu]) list.sort((a, b) => a - b);

    const counts = new Map<string, number>();
    const wrong: string[] = [];
    for (const { r, verdict, error } of results) {
      const got = verdict ? (verdict.status === "Failed" ? verdict.reason : verdict.status) : `rejected: ${String(error)}`;
      counts.set(got, (counts.get(got) ?? 0) + 1);
      if (got !== EXPECTED[r.kind]) wrong.push(`${r.namespace}/${r.name}: ${got}, expected ${EXPECTED[r.kind]}`);
    }
    const state = await sim.request<ControlState>({ op: "state" });
    console.log(
      `verdicts: ${[...counts].map(([k, v]) => `${k} ${v}`).join(", ")}; wrong ${wrong.length}; missing ${ROLLOUTS - results.length}; ` +
        `last verdict ${fmt(rolloutSeconds, 1)} s after the merge; Deployment re-reads ${reads}; ${state.served} changes served on watches`,
    );
    for (const w of wrong.slice(0, 5)) console.log(`  wrong: ${w}`);
    console.log(
      `verdict latency after the deciding change is served (${byChange.length}${unserved ? `, ${unserved} not found` : ""}): ` +
        `${percentiles(byChange)}; watcher CPU time in between: ${percentiles(byChangeCpu)}`,
    );
    console.log(
      `verdict latency after the watcher's timer was due (${byTimer.length}): ${percentiles(byTimer)}; CPU ${percentiles(byTimerCpu)}`,
    );
    const p99 = percentile(all, 99);
    const p99Cpu = percentile(allCpu, 99);
    console.log(`verdict latency, all ${all.length}: ${percentiles(all)}; watcher CPU time in between: ${percentiles(allCpu)}`);
    console.log(
      `watcher CPU: ${fmt(rolloutCpuSeconds, 1)} s over the ${fmt(rolloutSeconds, 1)} s from the merge to the last verdict ` +
        `(${fmt((100 * rolloutCpuSeconds) / rolloutSeconds, 0)}% of a core); load average ${loadavg()
          .map((l) => fmt(l, 1))
          .join(" ")} on ${cpus().length} cores`,
    );
    console.log(
      `watcher process: peak RSS ${mb(peakRss)} (then heapTotal ${mb(atPeak.heapTotal)}, heapUsed ${mb(atPeak.heapUsed)}, external ${mb(atPeak.external)}, ` +
        `arrayBuffers ${mb(atPeak.arrayBuffers)}; peak heapUsed ${mb(peakHeap)}), ${mb(process.memoryUsage().rss)} after close`,
    );
    console.log(
      `ratios: peak RSS / ${RSS_GOAL_MB} MB = ${fmt(peakRss / 1024 / 1024 / RSS_GOAL_MB)}; verdict latency p99 / 1 s = ${fmt(p99 / P99_GOAL_MS)} ` +
        `(the watcher's CPU time in it: ${fmt(p99Cpu / P99_GOAL_MS)}) (goals: < 1)`,
    );
  } finally {
    await sim.stop();
  }
}

/** The Deployment a delivered object belongs to, from the object and the names controllers give. */
function deploymentOf(kind: string, name: string, object: Parameters<typeof ownerKey>[1]): string | undefined {
  const strip = (n: string | undefined): string | undefined => (n && n.includes("-") ? n.slice(0, n.lastIndexOf("-")) : undefined);
  switch (kind) {
    case "Deployment":
      return name;
    case "ReplicaSet":
      return ownerKey("ReplicaSet", object);
    case "Pod":
      return strip(ownerKey("Pod", object));
    case "Event":
      return strip(strip(ownerKey("Event", object)));
    default:
      return undefined;
  }
}

if (process.env["WATCHER_SCALE_IMPORT_ONLY"] !== "1") await main();
