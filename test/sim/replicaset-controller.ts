// The ReplicaSet controller: keeps spec.replicas active pods, deleting the least useful pods
// first (as controller.ActivePods ranks them), and reports replicas / readyReplicas /
// availableReplicas (ready for minReadySeconds) in status.
import type { SimClock } from "./clock.ts";
import { getCondition } from "./conditions.ts";
import type { EventRecorder } from "./events.ts";
import { clone, deepEqual } from "./json.ts";
import { byCreation, newControllerRef } from "./ownership.ts";
import { selectorMatches } from "./selectors.ts";
import type { ObjectStore } from "./store.ts";
import { refOf } from "./store.ts";
import type { Pod, ReplicaSet, ReplicaSetStatus } from "./types.ts";

const SOURCE = { component: "replicaset-controller" };

export function isPodActive(pod: Pod): boolean {
  return !pod.metadata.deletionTimestamp && pod.status?.phase !== "Succeeded" && pod.status?.phase !== "Failed";
}

export function isPodReady(pod: Pod): boolean {
  return getCondition(pod.status?.conditions, "Ready")?.status === "True";
}

/** Ready for at least minReadySeconds at `now`; returns the time it becomes available otherwise. */
export function availableAt(pod: Pod, minReadySeconds: number): number | undefined {
  const ready = getCondition(pod.status?.conditions, "Ready");
  if (ready?.status !== "True") return undefined;
  return Date.parse(ready.lastTransitionTime ?? "") + minReadySeconds * 1000;
}

const PHASE_RANK: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

/** controller.ActivePods ordering: the pods to delete first sort first. */
function deletionOrder(a: Pod, b: Pod): number {
  const assigned = (p: Pod): number => (p.spec.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phase = (p: Pod): number => PHASE_RANK[p.status?.phase ?? "Pending"] ?? 0;
  if (phase(a) !== phase(b)) return phase(a) - phase(b);
  const ready = (p: Pod): number => (isPodReady(p) ? 1 : 0);
  if (ready(a) !== ready(b)) return ready(a) - ready(b);
  if (isPodReady(a) && isPodReady(b)) {
    const since = (p: Pod): string => getCondition(p.status?.conditions, "Ready")?.lastTransitionTime ?? "";
    const cmp = since(b).localeCompare(since(a)); // ready for less time first
    if (cmp !== 0) return cmp;
  }
  const restarts = (p: Pod): number => Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount));
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  return -byCreation(a, b); // newer first
}

export class ReplicaSetController {
  private readonly store: ObjectStore;
  private readonly clock: SimClock;
  private readonly events: EventRecorder;
  /**
   * ReplicaSets whose last sync wrote nothing, with their pods' ownedVersion then: while neither
   * changes and no pod becomes available (`wake`), a sync would write nothing again.
   */
  private readonly unchanged = new WeakMap<ReplicaSet, { owned: number; wake: number | undefined }>();

  constructor(store: ObjectStore, clock: SimClock, events: EventRecorder) {
    this.store = store;
    this.clock = clock;
    this.events = events;
  }

  /** Syncs every ReplicaSet once, yielding after each (see Controller in clock.ts). */
  *sync(): Generator<undefined, number | undefined, boolean> {
    let wake: number | undefined;
    const now = this.clock.now();
    for (const listed of this.store.scan<ReplicaSet>({ apiVersion: "apps/v1", kind: "ReplicaSet" })) {
      const rs = (yield) ? this.store.peek<ReplicaSet>(refOf(listed)) : listed;
      if (!rs || rs.metadata.deletionTimestamp) continue;
      const owned = this.store.ownedVersion(rs.metadata.uid);
      const known = this.unchanged.get(rs);
      let w: number | undefined;
      if (known && known.owned === owned && (known.wake === undefined || now < known.wake)) {
        w = known.wake;
      } else {
        const before = this.store.resourceVersion();
        w = this.syncReplicaSet(rs);
        if (this.store.resourceVersion() === before) this.unchanged.set(rs, { owned, wake: w });
      }
      if (w !== undefined) wake = wake === undefined ? w : Math.min(wake, w);
    }
    return wake;
  }

  private podsOf(rs: ReplicaSet): Pod[] {
    return this.store.scanOwned<Pod>({ apiVersion: "v1", kind: "Pod", namespace: rs.metadata.namespace }, rs.metadata.uid);
  }

  private syncReplicaSet(rs: ReplicaSet): number | undefined {
    const desired = rs.spec.replicas ?? 1;
    const active = this.podsOf(rs).filter(isPodActive);
    if (active.length < desired) {
      for (let i = active.length; i < desired; i++) this.createPod(rs);
    } else if (active.length > desired) {
      for (const pod of [...active].sort(deletionOrder).slice(0, active.length - desired)) {
        this.store.delete(refOf(pod));
        this.events.record(rs, {
          type: "Normal",
          reason: "SuccessfulDelete",
          message: `Deleted pod: ${pod.metadata.name}`,
          source: SOURCE,
        });
      }
    }
    return this.updateStatus(rs);
  }

  private createPod(rs: ReplicaSet): void {
    const template = clone(rs.spec.template);
    const pod: Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        name: "",
        generateName: `${rs.metadata.name}-`,
        namespace: rs.metadata.namespace ?? "default",
        labels: { ...template.metadata?.labels },
        ownerReferences: [newControllerRef(rs)],
      },
      spec: template.spec,
      status: { phase: "Pending", qosClass: qosClass(template.spec.containers) },
    };
    if (template.metadata?.annotations) pod.metadata.annotations = { ...template.metadata.annotations };
    const created = this.store.create(pod);
    this.events.record(rs, {
      type: "Normal",
      reason: "SuccessfulCreate",
      message: `Created pod: ${created.metadata.name}`,
      source: SOURCE,
    });
  }

  private updateStatus(rs: ReplicaSet): number | undefined {
    const minReady = rs.spec.minReadySeconds ?? 0;
    const now = this.clock.now();
    const active = this.podsOf(rs).filter(isPodActive);
    let wake: number | undefined;
    let available = 0;
    for (const pod of active) {
      const at = availableAt(pod, minReady);
      if (at === undefined) continue;
      if (at <= now) available++;
      else wake = wake === undefined ? at : Math.min(wake, at);
    }
    const status: ReplicaSetStatus = {
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) =>
        selectorMatches({ matchLabels: rs.spec.template.metadata?.labels ?? {} }, p.metadata.labels),
      ).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: available,
      observedGeneration: rs.metadata.generation ?? 1,
    };
    // omitempty, as the API serialises it (replicas is always present).
    for (const key of ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"] as const) if (status[key] === 0) delete status[key];
    if (!deepEqual(this.store.peek<ReplicaSet>(refOf(rs))?.status, status)) {
      this.store.mutate<ReplicaSet>(refOf(rs), (x) => {
        x.status = status;
      });
    }
    return wake;
  }
}

/** Guaranteed when every container's requests equal its limits, BestEffort when none has any. */
export function qosClass(containers: Pod["spec"]["containers"]): string {
  const all = containers.map((c) => c.resources ?? {});
  if (all.every((r) => !Object.keys(r.requests ?? {}).length && !Object.keys(r.limits ?? {}).length)) return "BestEffort";
  const guaranteed = all.every((r) => {
    const limits = r.limits ?? {};
    const requests = { ...limits, ...r.requests };
    return ["cpu", "memory"].every((k) => limits[k] !== undefined && requests[k] === limits[k]);
  });
  return guaranteed ? "Guaranteed" : "Burstable";
}
