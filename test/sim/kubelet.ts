// The kubelet of every simulated node: starts the containers of bound pods, replays their
// image-decided timelines (pod-behaviour.ts) into pod status and Events, and stops pods being
// deleted after their preStop hook (bounded by the grace period).
import { rfc3339 as iso, type SimClock } from "./clock.ts";
import { getCondition } from "./conditions.ts";
import { deepEqual } from "./json.ts";
import type { EventRecorder } from "./events.ts";
import type { Ids } from "./ids.ts";
import { containerTimeline, type ContainerSnapshot, type TimelineStep } from "./pod-behaviour.ts";
import { qosClass } from "./replicaset-controller.ts";
import type { SimNode } from "./scheduler.ts";
import type { ObjectStore } from "./store.ts";
import { refOf } from "./store.ts";
import type { Condition, Container, ContainerStatus, KubeObject, Pod, PodStatus } from "./types.ts";

interface ContainerRuntime {
  container: Container;
  timeline: Generator<TimelineStep>;
  next: TimelineStep | undefined;
  snapshot: ContainerSnapshot | undefined;
}

interface PodRuntime {
  ip: string;
  startTime: number;
  containers: ContainerRuntime[];
  stopAt?: number;
  /**
   * The pod as it was when its last sync wrote nothing: while it is the same object and no
   * container step is due (`wake`), a sync would write nothing again.
   */
  unchanged?: { pod: Pod; wake: number | undefined };
}

export interface KubeletOptions {
  pullSeconds: number;
}

/** Seconds a preStop hook keeps the container alive: lifecycle.preStop.sleep or `sleep N`. */
export function preStopSeconds(container: Container): number {
  const preStop = container.lifecycle?.preStop;
  if (!preStop) return 0;
  if (preStop.sleep) return preStop.sleep.seconds;
  const m = /\bsleep\s+(\d+)/.exec((preStop.exec?.command ?? []).join(" "));
  return m ? Number(m[1]) : 0;
}

function missingRef(container: Container): string | undefined {
  for (const e of container.env ?? []) {
    if (e.valueFrom?.secretKeyRef) return `secret "${e.valueFrom.secretKeyRef.name}" not found`;
    if (e.valueFrom?.configMapKeyRef) return `configmap "${e.valueFrom.configMapKeyRef.name}" not found`;
  }
  for (const e of container.envFrom ?? []) {
    if (e.secretRef) return `secret "${e.secretRef.name}" not found`;
    if (e.configMapRef) return `configmap "${e.configMapRef.name}" not found`;
  }
  return undefined;
}

/**
 * The container's SIM_BEHAVIOUR (or another SIM_ setting): its own env value, else a key of a
 * ConfigMap it loads with envFrom (pod-behaviour.ts).
 */
function configuredBehaviour(
  container: Container,
  configMap: (name: string) => Record<string, string> | undefined,
  setting = "SIM_BEHAVIOUR",
): string | undefined {
  const own = container.env?.find((e) => e.name === setting && e.value !== undefined)?.value;
  if (own) return own;
  for (const e of container.envFrom ?? []) {
    const value = e.configMapRef ? configMap(e.configMapRef.name)?.[setting] : undefined;
    if (value) return value;
  }
  return undefined;
}

export class Kubelet {
  private readonly store: ObjectStore;
  private readonly clock: SimClock;
  private readonly events: EventRecorder;
  private readonly ids: Ids;
  private readonly nodes: Map<string, SimNode>;
  private readonly options: KubeletOptions;
  private readonly runtimes = new Map<string, PodRuntime>();
  private nextIp = 5;

  constructor(store: ObjectStore, clock: SimClock, events: EventRecorder, ids: Ids, nodes: SimNode[], options: KubeletOptions) {
    this.store = store;
    this.clock = clock;
    this.events = events;
    this.ids = ids;
    this.nodes = new Map(nodes.map((n) => [n.name, n]));
    this.options = options;
  }

  /** Syncs every pod bound to a simulated node, yielding after each (see Controller in clock.ts). */
  *sync(): Generator<undefined, number | undefined, boolean> {
    let wake: number | undefined;
    const now = this.clock.now();
    const seen = new Set<string>();
    for (const listed of this.store.scan<Pod>({ apiVersion: "v1", kind: "Pod" })) {
      if (!listed.spec.nodeName || !this.nodes.has(listed.spec.nodeName)) continue;
      const pod = (yield) ? this.store.peek<Pod>(refOf(listed)) : listed;
      if (!pod) continue;
      const uid = pod.metadata.uid ?? "";
      seen.add(uid);
      const known = this.runtimes.get(uid)?.unchanged;
      let w: number | undefined;
      if (known?.pod === pod && (known.wake === undefined || now < known.wake)) {
        w = known.wake;
      } else {
        const before = this.store.resourceVersion();
        w = this.syncPod(pod);
        const runtime = this.runtimes.get(uid);
        if (runtime && this.store.resourceVersion() === before && !pod.metadata.deletionTimestamp) runtime.unchanged = { pod, wake: w };
      }
      if (w !== undefined) wake = wake === undefined ? w : Math.min(wake, w);
    }
    for (const uid of this.runtimes.keys()) if (!seen.has(uid)) this.runtimes.delete(uid);
    return wake;
  }

  private allocateIp(): string {
    const n = this.nextIp++;
    return `10.0.${Math.floor(n / 250)}.${n % 250}`;
  }

  private runtimeFor(pod: Pod): PodRuntime {
    const uid = pod.metadata.uid ?? "";
    let runtime = this.runtimes.get(uid);
    if (runtime) return runtime;
    const ip = this.allocateIp();
    const startTime = this.clock.now();
    runtime = {
      ip,
      startTime,
      containers: pod.spec.containers.map((container) => {
        const ref = missingRef(container);
        const namespace = pod.metadata.namespace ?? "default";
        const configMap = (name: string) =>
          this.store.get<KubeObject & { data?: Record<string, string> }>({ apiVersion: "v1", kind: "ConfigMap", namespace, name })?.data;
        const configured = configuredBehaviour(container, configMap);
        const probeMessage = configuredBehaviour(container, configMap, "SIM_PROBE_MESSAGE");
        const timeline = containerTimeline({
          container,
          pod: { name: pod.metadata.name, namespace: pod.metadata.namespace ?? "default", uid, ip },
          startAt: startTime,
          pullSeconds: this.options.pullSeconds,
          newContainerId: () => `containerd://${this.ids.hex(64)}`,
          ...(ref ? { missingRef: ref } : {}),
          ...(configured ? { configuredBehaviour: configured } : {}),
          ...(probeMessage ? { probeMessage } : {}),
        });
        const first = timeline.next();
        return { container, timeline, next: first.done ? undefined : first.value, snapshot: undefined };
      }),
    };
    this.runtimes.set(uid, runtime);
    return runtime;
  }

  private syncPod(pod: Pod): number | undefined {
    const runtime = this.runtimeFor(pod);
    const now = this.clock.now();
    const node = this.nodes.get(pod.spec.nodeName ?? "");

    if (pod.metadata.deletionTimestamp) {
      if (runtime.stopAt === undefined) {
        const running = runtime.containers.filter((c) => c.snapshot && "running" in c.snapshot.state);
        const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
        const seconds = running.length === 0 ? 0 : Math.min(grace, Math.max(...running.map((c) => preStopSeconds(c.container))) + 1);
        runtime.stopAt = now + seconds * 1000;
        for (const c of running) {
          this.events.record(pod, {
            type: "Normal",
            reason: "Killing",
            message: `Stopping container ${c.container.name}`,
            fieldPath: `spec.containers{${c.container.name}}`,
            source: { component: "kubelet", ...(node ? { host: node.name } : {}) },
          });
        }
      }
      if (now >= runtime.stopAt) {
        this.store.remove(refOf(pod));
        this.runtimes.delete(pod.metadata.uid ?? "");
        return undefined;
      }
      return runtime.stopAt;
    }

    for (const c of runtime.containers) {
      while (c.next && c.next.at <= now) {
        const step = c.next;
        if (step.snapshot) c.snapshot = step.snapshot;
        for (const e of step.events) {
          this.events.record(pod, {
            ...e,
            at: step.at,
            fieldPath: `spec.containers{${c.container.name}}`,
            source: { component: "kubelet", ...(node ? { host: node.name } : {}) },
          });
        }
        const n = c.timeline.next();
        c.next = n.done ? undefined : n.value;
      }
    }
    const status = this.podStatus(pod, runtime, node);
    if (!deepEqual(pod.status, status)) {
      this.store.mutate<Pod>(refOf(pod), (p) => {
        p.status = status;
      });
    }
    const wakes = runtime.containers.map((c) => c.next?.at).filter((w): w is number => w !== undefined);
    return wakes.length ? Math.min(...wakes) : undefined;
  }

  private podStatus(pod: Pod, runtime: PodRuntime, node: SimNode | undefined): PodStatus {
    const now = this.clock.iso();
    const previous = pod.status?.conditions ?? [];
    const keep = (c: Condition): Condition => {
      const old = getCondition(previous, c.type);
      return old && old.status === c.status && old.reason === c.reason && old.message === c.message ? old : c;
    };
    const statuses: ContainerStatus[] = runtime.containers.map((c) => {
      const s = c.snapshot;
      const status: ContainerStatus = {
        name: c.container.name,
        image: c.container.image,
        imageID: s?.imageID ?? "",
        ready: s?.ready ?? false,
        started: s?.started ?? false,
        restartCount: s?.restartCount ?? 0,
        state: s?.state ?? { waiting: { reason: "ContainerCreating" } },
        lastState: s?.lastState ?? {},
      };
      if (s?.containerID) status.containerID = s.containerID;
      return status;
    });
    const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
    const readyCondition = (type: string): Condition =>
      unready.length === 0
        ? { type, status: "True", lastProbeTime: null, lastTransitionTime: now }
        : {
            type,
            status: "False",
            reason: "ContainersNotReady",
            message: `containers with unready status: [${unready.join(" ")}]`,
            lastProbeTime: null,
            lastTransitionTime: now,
          };
    const scheduled = getCondition(previous, "PodScheduled") ?? {
      type: "PodScheduled",
      status: "True" as const,
      lastProbeTime: null,
      lastTransitionTime: now,
    };
    const conditions: Condition[] = [
      keep({ type: "Initialized", status: "True", lastProbeTime: null, lastTransitionTime: iso(runtime.startTime) }),
      keep(readyCondition("Ready")),
      keep(readyCondition("ContainersReady")),
      scheduled,
    ];
    const everStarted = runtime.containers.every((c) => c.snapshot?.everStarted);
    const status: PodStatus = {
      phase: everStarted ? "Running" : "Pending",
      conditions,
      podIP: runtime.ip,
      podIPs: [{ ip: runtime.ip }],
      startTime: iso(runtime.startTime),
      qosClass: pod.status?.qosClass ?? qosClass(pod.spec.containers),
      containerStatuses: statuses,
    };
    if (node) status.hostIP = node.ip;
    return status;
  }
}
