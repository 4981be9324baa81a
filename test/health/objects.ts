// Small inline Kubernetes objects for the health unit tests. Timestamps are strings here, as
// in JSON; tests that need client-node's Date fields convert them with withDates().
import type {
  ArgoApplication,
  Condition,
  ContainerState,
  Deployment,
  FluxKustomization,
  KubeEvent,
  Pod,
  Probe,
  ReplicaSet,
} from "../../src/health/index.ts";

export const SHA = "3f2c9e1b7d4a5c6e8f9012345678abcdef012345";
export const OTHER_SHA = "0123456789abcdef0123456789abcdef01234567";

/** 2025-01-01T10:00:00Z, the container start in most tests. */
export const T0 = Date.parse("2025-01-01T10:00:00Z");
export const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

/** The base WordPress readiness probe: window 5 + 2 x 5 + 1 = 16 s. */
export const BASE_PROBE: Probe = { initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 };

const available = (status: "True" | "False"): Condition => ({ type: "Available", status, reason: "MinimumReplicasAvailable" });

export function deployment(
  options: {
    replicas?: number;
    generation?: number;
    observedGeneration?: number;
    updated?: number;
    ready?: number;
    availableReplicas?: number;
    statusReplicas?: number;
    progressing?: Condition;
    availableStatus?: "True" | "False";
    paused?: boolean;
  } = {},
): Deployment {
  const replicas = options.replicas ?? 3;
  const generation = options.generation ?? 2;
  return {
    metadata: {
      name: "wordpress",
      namespace: "prod",
      uid: "dep-uid",
      generation,
      annotations: { "deployment.kubernetes.io/revision": "2" },
    },
    spec: { replicas, progressDeadlineSeconds: 600, ...(options.paused ? { paused: true } : {}) },
    status: {
      observedGeneration: options.observedGeneration ?? generation,
      replicas: options.statusReplicas ?? replicas,
      updatedReplicas: options.updated ?? replicas,
      readyReplicas: options.ready ?? replicas,
      availableReplicas: options.availableReplicas ?? replicas,
      conditions: [
        available(options.availableStatus ?? "True"),
        options.progressing ?? { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" },
      ],
    },
  };
}

/** A Deployment half-way through a rolling update: 1 of 3 updated, an old pod still up. */
export function rollingDeployment(): Deployment {
  return deployment({
    updated: 1,
    statusReplicas: 4,
    ready: 3,
    availableReplicas: 3,
    progressing: { type: "Progressing", status: "True", reason: "ReplicaSetUpdated" },
  });
}

export function replicaSet(name: string, revision: string, hash: string): ReplicaSet {
  return {
    metadata: {
      name,
      uid: `${name}-uid`,
      labels: { app: "wordpress", "pod-template-hash": hash },
      annotations: { "deployment.kubernetes.io/revision": revision },
      ownerReferences: [{ kind: "Deployment", name: "wordpress", uid: "dep-uid", controller: true }],
    },
    spec: { replicas: 3 },
    status: { replicas: 1, readyReplicas: 0, availableReplicas: 0, fullyLabeledReplicas: 1 },
  };
}

export interface PodOptions {
  phase?: string;
  ready?: boolean;
  started?: boolean;
  state?: ContainerState;
  lastState?: ContainerState;
  restartCount?: number;
  probe?: Probe | null;
  startupProbe?: Probe;
  memoryLimit?: string;
  owner?: string;
  hash?: string;
  deleting?: boolean;
  podReason?: string;
  init?: { state: ContainerState; lastState?: ContainerState };
}

/** A WordPress pod; by default Running, not ready, container `wordpress` started at T0. */
export function pod(name: string, o: PodOptions = {}): Pod {
  const ready = o.ready ?? false;
  return {
    metadata: {
      name,
      namespace: "prod",
      uid: `${name}-uid`,
      labels: { app: "wordpress", ...(o.hash ? { "pod-template-hash": o.hash } : {}) },
      ...(o.owner ? { ownerReferences: [{ kind: "ReplicaSet", name: o.owner, uid: `${o.owner}-uid`, controller: true }] } : {}),
      ...(o.deleting ? { deletionTimestamp: at(100) } : {}),
    },
    spec: {
      restartPolicy: "Always",
      ...(o.init ? { initContainers: [{ name: "migrate", image: "wordpress-cli:6" }] } : {}),
      containers: [
        {
          name: "wordpress",
          image: "wordpress:6.5-apache",
          ...(o.probe === null ? {} : { readinessProbe: o.probe ?? BASE_PROBE }),
          ...(o.startupProbe ? { startupProbe: o.startupProbe } : {}),
          resources: { limits: { cpu: "500m", memory: o.memoryLimit ?? "256Mi" } },
        },
      ],
    },
    status: {
      phase: o.phase ?? "Running",
      ...(o.podReason ? { reason: o.podReason, message: "The node was low on resource: memory." } : {}),
      conditions: [{ type: "Ready", status: ready ? "True" : "False" }],
      ...(o.init
        ? {
            initContainerStatuses: [
              { name: "migrate", ready: false, restartCount: 1, state: o.init.state, lastState: o.init.lastState ?? {} },
            ],
          }
        : {}),
      containerStatuses: [
        {
          name: "wordpress",
          ready,
          restartCount: o.restartCount ?? 0,
          ...(o.started === undefined ? {} : { started: o.started }),
          state: o.state ?? { running: { startedAt: at(0) } },
          lastState: o.lastState ?? {},
        },
      ],
    },
  };
}

export function podEvent(podName: string, reason: string, message: string, seconds: number, container = "wordpress"): KubeEvent {
  return {
    metadata: { name: `${podName}.${seconds}`, namespace: "prod" },
    involvedObject: { kind: "Pod", name: podName, namespace: "prod", uid: `${podName}-uid`, fieldPath: `spec.containers{${container}}` },
    reason,
    message,
    type: "Warning",
    lastTimestamp: at(seconds),
  };
}

export function argoApp(status: NonNullable<ArgoApplication["status"]>): ArgoApplication {
  return { apiVersion: "argoproj.io/v1alpha1", kind: "Application", metadata: { name: "wordpress-prod", namespace: "argocd" }, status };
}

export function fluxKustomization(status: NonNullable<FluxKustomization["status"]>, suspend = false): FluxKustomization {
  return {
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "wordpress-prod", namespace: "flux-system", generation: 1 },
    spec: suspend ? { suspend: true } : {},
    status: { observedGeneration: 1, ...status },
  };
}

export const ready = (status: "True" | "False" | "Unknown", reason: string, message = ""): Condition => ({
  type: "Ready",
  status,
  reason,
  message,
});

/** The same object with every RFC 3339 string turned into a Date, as client-node informers deliver. */
export function withDates<T>(value: T): T {
  if (typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(value)) return new Date(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => withDates(v)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDates(v)])) as T;
  }
  return value;
}
