// The Deployment controller, following k8s.io/kubernetes pkg/controller/deployment (sync.go,
// rolling.go, recreate.go, progress.go): a ReplicaSet per pod-template hash, RollingUpdate
// within maxSurge/maxUnavailable, Recreate, proportional scaling, pause, revision history, and
// the Available/Progressing conditions with their reasons and timestamps.
import type { SimClock } from "./clock.ts";
import { getCondition, newCondition, removeCondition, setCondition } from "./conditions.ts";
import type { EventRecorder } from "./events.ts";
import { fnv32a, safeEncode } from "./ids.ts";
import { canonicalJson, clone, deepEqual } from "./json.ts";
import { byCreation, newControllerRef } from "./ownership.ts";
import { isRollingUpdate, maxSurge, maxUnavailable } from "./rollout-math.ts";
import type { ObjectStore } from "./store.ts";
import { refOf } from "./store.ts";
import type { Deployment, DeploymentStatus, Pod, PodTemplateSpec, ReplicaSet } from "./types.ts";

export const POD_TEMPLATE_HASH = "pod-template-hash";
export const REVISION = "deployment.kubernetes.io/revision";
const DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
const MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
const SKIPPED_ANNOTATIONS = new Set([
  "kubectl.kubernetes.io/last-applied-configuration",
  REVISION,
  "deployment.kubernetes.io/revision-history",
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  "deprecated.deployment.rollback.to",
]);

const SOURCE = { component: "deployment-controller" };

/** controller.ComputeHash: a hash of the pod template (without the hash label) and collisionCount. */
export function podTemplateHash(template: PodTemplateSpec, collisionCount?: number): string {
  const text = canonicalJson(withoutHash(template)) + (collisionCount ? String(collisionCount) : "");
  return safeEncode(fnv32a(text));
}

function withoutHash(template: PodTemplateSpec): PodTemplateSpec {
  const copy = clone(template);
  if (copy.metadata?.labels) {
    delete copy.metadata.labels[POD_TEMPLATE_HASH];
    if (Object.keys(copy.metadata.labels).length === 0) delete copy.metadata.labels;
  }
  return copy;
}

/** EqualIgnoreHash, without copying the templates. */
function equalIgnoreHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  if (!deepEqual(a.spec, b.spec)) return false;
  const { labels: la, ...restA } = a.metadata ?? {};
  const { labels: lb, ...restB } = b.metadata ?? {};
  if (!deepEqual(restA, restB)) return false;
  const keysA = Object.keys(la ?? {}).filter((k) => k !== POD_TEMPLATE_HASH);
  const keysB = Object.keys(lb ?? {}).filter((k) => k !== POD_TEMPLATE_HASH);
  return keysA.length === keysB.length && keysA.every((k) => la?.[k] === lb?.[k]);
}

const earliest = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);
const specReplicas = (rs: ReplicaSet | undefined): number => rs?.spec.replicas ?? 0;
const sum = (list: (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number): number => list.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
const revisionOf = (rs: ReplicaSet): number => Number(rs.metadata.annotations?.[REVISION] ?? "0") || 0;
const hasProgressDeadline = (d: Deployment): boolean =>
  d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2147483647;

export class DeploymentController {
  private readonly store: ObjectStore;
  private readonly clock: SimClock;
  private readonly events: EventRecorder;
  private wake: number | undefined;
  /**
   * Deployments whose last sync wrote nothing (RollingUpdate only: Recreate also reads pods),
   * with their ReplicaSets' ownedVersion then: while neither changes and the time is at most
   * `until`, a sync would write nothing again and only ask to be woken at `wake`.
   */
  private readonly unchanged = new WeakMap<Deployment, { owned: number; until: number; wake: number | undefined }>();
  private readonly templateMatch = new Map<string, { key: string; equal: boolean }>();

  constructor(store: ObjectStore, clock: SimClock, events: EventRecorder) {
    this.store = store;
    this.clock = clock;
    this.events = events;
  }

  /**
   * Syncs every Deployment once, yielding after each (see Controller in clock.ts); returns the
   * earliest time one needs another look.
   */
  *sync(): Generator<undefined, number | undefined, boolean> {
    let wake: number | undefined;
    const now = this.clock.now();
    for (const listed of this.store.scan<Deployment>({ apiVersion: "apps/v1", kind: "Deployment" })) {
      const d = (yield) ? this.store.peek<Deployment>(refOf(listed)) : listed;
      if (!d || d.metadata.deletionTimestamp) continue;
      const owned = this.store.ownedVersion(d.metadata.uid);
      const known = this.unchanged.get(d);
      if (known && known.owned === owned && now <= known.until) {
        wake = earliest(wake, known.wake);
        continue;
      }
      const before = this.store.resourceVersion();
      this.wake = undefined;
      this.syncDeployment(d);
      wake = earliest(wake, this.wake);
      if (this.store.resourceVersion() === before && isRollingUpdate(d)) {
        this.unchanged.set(d, { owned, until: this.timeMattersAfter(d), wake: this.wake });
      }
    }
    return wake;
  }

  /**
   * Until when a sync of this Deployment that wrote nothing would write nothing again, given the
   * same Deployment and ReplicaSets: its progress deadline, if it can still pass.
   */
  private timeMattersAfter(d: Deployment): number {
    if (!hasProgressDeadline(d)) return Infinity;
    const cond = getCondition(d.status?.conditions, "Progressing");
    if (!cond) return -Infinity;
    if (cond.reason === "NewReplicaSetAvailable" || cond.reason === "ProgressDeadlineExceeded") return Infinity;
    return Date.parse(cond.lastUpdateTime ?? "") + (d.spec.progressDeadlineSeconds ?? 600) * 1000;
  }

  /**
   * equalIgnoreHash(rs template, d template), remembered per ReplicaSet: a spec change bumps
   * the generation, so the same Deployment and ReplicaSet generations give the same answer.
   */
  private templateMatches(rs: ReplicaSet, d: Deployment): boolean {
    const uid = rs.metadata.uid;
    if (uid === undefined || rs.metadata.generation === undefined || d.metadata.generation === undefined) {
      return equalIgnoreHash(rs.spec.template, d.spec.template);
    }
    const key = `${d.metadata.uid ?? ""}/${d.metadata.generation}/${rs.metadata.generation}`;
    const known = this.templateMatch.get(uid);
    if (known?.key === key) return known.equal;
    const equal = equalIgnoreHash(rs.spec.template, d.spec.template);
    this.templateMatch.set(uid, { key, equal });
    return equal;
  }

  private fresh(d: Deployment): Deployment {
    return this.store.peek<Deployment>(refOf(d)) ?? d;
  }

  private replicaSetsOf(d: Deployment): ReplicaSet[] {
    return this.store
      .scanOwned<ReplicaSet>({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: d.metadata.namespace }, d.metadata.uid)
      .filter((rs) => !rs.metadata.deletionTimestamp)
      .sort(byCreation);
  }

  private syncDeployment(initial: Deployment): void {
    let d = initial;
    this.checkPausedConditions(d);
    d = this.fresh(d);
    const rsList = this.replicaSetsOf(d);
    if (d.spec.paused || this.isScalingEvent(d, rsList)) {
      this.syncScaling(d, rsList);
      return;
    }
    if (isRollingUpdate(d)) this.rolloutRolling(d, rsList);
    else this.rolloutRecreate(d, rsList);
  }

  // --- sync.go -------------------------------------------------------------------------

  private checkPausedConditions(d: Deployment): void {
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status?.conditions, "Progressing");
    if (cond?.reason === "ProgressDeadlineExceeded") return;
    const pausedCondExists = cond?.reason === "DeploymentPaused";
    let condition;
    if (d.spec.paused && !pausedCondExists) {
      condition = newCondition("Progressing", "Unknown", "DeploymentPaused", "Deployment is paused", this.clock.iso());
    } else if (!d.spec.paused && pausedCondExists) {
      condition = newCondition("Progressing", "Unknown", "DeploymentResumed", "Deployment is resumed", this.clock.iso());
    }
    if (!condition) return;
    const c = condition;
    this.store.mutate<Deployment>(refOf(d), (x) => {
      x.status = { ...x.status, conditions: setCondition(x.status?.conditions, c) };
    });
  }

  private isScalingEvent(d: Deployment, rsList: ReplicaSet[]): boolean {
    const { newRS, oldRSs } = this.split(d, rsList);
    return [...oldRSs, newRS].some((rs) => {
      if (!rs || specReplicas(rs) === 0) return false;
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
      return desired !== undefined && Number(desired) !== (d.spec.replicas ?? 1);
    });
  }

  private split(d: Deployment, rsList: ReplicaSet[]): { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] } {
    const newRS = rsList.find((rs) => this.templateMatches(rs, d));
    return { newRS, oldRSs: rsList.filter((rs) => rs !== newRS) };
  }

  /** getAllReplicaSetsAndSyncRevision + getNewReplicaSet. */
  private newAndOld(d: Deployment, rsList: ReplicaSet[], create: boolean): { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] } {
    const { newRS: existing, oldRSs } = this.split(d, rsList);
    const maxOldRevision = Math.max(0, ...oldRSs.map(revisionOf));
    const newRevision = String(maxOldRevision + 1);
    if (existing) {
      let rs = existing;
      if (revisionOf(rs) < maxOldRevision + 1 || (rs.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
        rs =
          this.store.mutate<ReplicaSet>(refOf(rs), (x) => {
            x.metadata.annotations = { ...x.metadata.annotations, [REVISION]: newRevision };
            x.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
          }) ?? rs;
      }
      const revision = rs.metadata.annotations?.[REVISION] ?? newRevision;
      const needsCondition = hasProgressDeadline(d) && !getCondition(d.status?.conditions, "Progressing");
      if (d.metadata.annotations?.[REVISION] !== revision || needsCondition) {
        this.store.mutate<Deployment>(refOf(d), (x) => {
          x.metadata.annotations = { ...x.metadata.annotations, [REVISION]: revision };
          if (needsCondition) {
            const c = newCondition(
              "Progressing",
              "True",
              "FoundNewReplicaSet",
              `Found new replica set "${rs.metadata.name}"`,
              this.clock.iso(),
            );
            x.status = { ...x.status, conditions: setCondition(x.status?.conditions, c) };
          }
        });
      }
      return { newRS: rs, oldRSs };
    }
    if (!create) return { newRS: undefined, oldRSs };

    const collisionCount = d.status?.collisionCount ?? 0;
    const hash = podTemplateHash(d.spec.template, collisionCount);
    const template = clone(d.spec.template);
    template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH]: hash } };
    const annotations: Record<string, string> = {};
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!SKIPPED_ANNOTATIONS.has(k)) annotations[k] = v;
    const replicasTarget = d.spec.replicas ?? 1;
    annotations[REVISION] = newRevision;
    annotations[DESIRED_REPLICAS] = String(replicasTarget);
    annotations[MAX_REPLICAS] = String(replicasTarget + maxSurge(d));
    const draft: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace ?? "default",
        labels: { ...template.metadata.labels },
        annotations,
        ownerReferences: [newControllerRef(d)],
      },
      spec: {
        replicas: 0,
        minReadySeconds: d.spec.minReadySeconds ?? 0,
        selector: {
          ...d.spec.selector,
          matchLabels: { ...d.spec.selector.matchLabels, [POD_TEMPLATE_HASH]: hash },
        },
        template,
      },
    };
    draft.spec.replicas = this.newRSNewReplicas(d, [...oldRSs, draft], draft);
    const created = this.store.create(draft);
    if (specReplicas(created) > 0) {
      this.events.record(d, {
        type: "Normal",
        reason: "ScalingReplicaSet",
        message: `Scaled up replica set ${created.metadata.name} to ${specReplicas(created)}`,
        source: SOURCE,
      });
    }
    this.store.mutate<Deployment>(refOf(d), (x) => {
      x.metadata.annotations = { ...x.metadata.annotations, [REVISION]: newRevision };
      if (hasProgressDeadline(x)) {
        const c = newCondition(
          "Progressing",
          "True",
          "NewReplicaSetCreated",
          `Created new replica set "${created.metadata.name}"`,
          this.clock.iso(),
        );
        x.status = { ...x.status, conditions: setCondition(x.status?.conditions, c) };
      }
    });
    return { newRS: created, oldRSs };
  }

  private newRSNewReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
    const replicas = d.spec.replicas ?? 1;
    if (!isRollingUpdate(d)) return replicas;
    const current = sum(allRSs, specReplicas);
    const maxTotal = replicas + maxSurge(d);
    if (current >= maxTotal) return specReplicas(newRS);
    const scaleUp = Math.min(maxTotal - current, replicas - specReplicas(newRS));
    return specReplicas(newRS) + scaleUp;
  }

  private scaleReplicaSet(rs: ReplicaSet, newScale: number, d: Deployment, operation?: "up" | "down"): boolean {
    const replicas = d.spec.replicas ?? 1;
    const desired = String(replicas);
    const max = String(replicas + maxSurge(d));
    const old = specReplicas(rs);
    const annotationsStale = rs.metadata.annotations?.[DESIRED_REPLICAS] !== desired || rs.metadata.annotations?.[MAX_REPLICAS] !== max;
    if (old === newScale && !annotationsStale) return false;
    this.store.mutate<ReplicaSet>(refOf(rs), (x) => {
      x.spec.replicas = newScale;
      x.metadata.annotations = { ...x.metadata.annotations, [DESIRED_REPLICAS]: desired, [MAX_REPLICAS]: max };
    });
    if (old !== newScale) {
      const op = operation ?? (newScale > old ? "up" : "down");
      this.events.record(d, {
        type: "Normal",
        reason: "ScalingReplicaSet",
        message: `Scaled ${op} replica set ${rs.metadata.name} to ${newScale} from ${old}`,
        source: SOURCE,
      });
    }
    return old !== newScale;
  }

  /** sync(): scaling events and paused deployments. */
  private syncScaling(d: Deployment, rsList: ReplicaSet[]): void {
    const { newRS, oldRSs } = this.newAndOld(d, rsList, false);
    this.scale(d, newRS, oldRSs);
    if (d.spec.paused) this.cleanupDeployment(this.fresh(d), oldRSs);
    const dNow = this.fresh(d);
    const all = this.replicaSetsOf(dNow);
    const split = this.split(dNow, all);
    this.writeStatus(dNow, this.calculateStatus(all, split.newRS, dNow));
  }

  private scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): void {
    const replicas = d.spec.replicas ?? 1;
    // FindActiveOrLatest: with one active ReplicaSet (or none), that one (or the newest) takes all.
    if (!newRS && oldRSs.length === 0) return;
    const oldNewestFirst = [...oldRSs].sort(byCreation).reverse();
    const active = [...oldNewestFirst, newRS].filter((rs): rs is ReplicaSet => !!rs && specReplicas(rs) > 0);
    if (active.length <= 1) {
      const target = active[0] ?? newRS ?? oldNewestFirst[0];
      if (target) this.scaleReplicaSet(target, replicas, d);
      return;
    }
    if (
      newRS &&
      newRS.metadata.annotations?.[DESIRED_REPLICAS] === String(replicas) &&
      (newRS.status?.availableReplicas ?? 0) === replicas
    ) {
      for (const old of oldRSs) if (specReplicas(old) > 0) this.scaleReplicaSet(old, 0, d);
      return;
    }
    if (!isRollingUpdate(d)) return;
    const allowed = replicas > 0 ? replicas + maxSurge(d) : 0;
    const toAdd = allowed - sum(active, specReplicas);
    const sorted = [...active].sort((a, b) => {
      const bySize = specReplicas(b) - specReplicas(a);
      if (bySize !== 0) return bySize;
      return toAdd > 0 ? -byCreation(a, b) : byCreation(a, b);
    });
    const sizes = new Map<string, number>();
    let added = 0;
    for (const rs of sorted) {
      let proportion = 0;
      if (toAdd !== 0 && toAdd !== added && specReplicas(rs) > 0) {
        const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS] ?? d.status?.replicas ?? 0) || 1;
        const fraction =
          replicas === 0 ? -specReplicas(rs) : Math.round((specReplicas(rs) * (replicas + maxSurge(d))) / annotated) - specReplicas(rs);
        const allowedLeft = toAdd - added;
        proportion = toAdd > 0 ? Math.min(fraction, allowedLeft) : Math.max(fraction, allowedLeft);
      }
      sizes.set(rs.metadata.name, specReplicas(rs) + proportion);
      added += proportion;
    }
    sorted.forEach((rs, i) => {
      let size = sizes.get(rs.metadata.name) ?? 0;
      if (i === 0 && toAdd !== 0) size = Math.max(0, size + toAdd - added);
      this.scaleReplicaSet(rs, size, d, toAdd > 0 ? "up" : "down");
    });
  }

  private cleanupDeployment(d: Deployment, oldRSs: ReplicaSet[]): void {
    const limit = d.spec.revisionHistoryLimit;
    if (limit === undefined) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort((a, b) => revisionOf(a) - revisionOf(b));
    const diff = cleanable.length - limit;
    for (let i = 0; i < diff; i++) {
      const rs = this.store.peek<ReplicaSet>(refOf(cleanable[i] as ReplicaSet));
      if (!rs) continue;
      if ((rs.status?.replicas ?? 0) !== 0 || specReplicas(rs) !== 0) continue;
      if ((rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      this.store.delete(refOf(rs));
    }
  }

  private calculateStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): DeploymentStatus {
    const available = sum(allRSs, (rs) => rs.status?.availableReplicas ?? 0);
    const total = sum(allRSs, specReplicas);
    const status: DeploymentStatus = {
      observedGeneration: d.metadata.generation ?? 1,
      replicas: sum(allRSs, (rs) => rs.status?.replicas ?? 0),
      updatedReplicas: newRS ? (newRS.status?.replicas ?? 0) : 0,
      readyReplicas: sum(allRSs, (rs) => rs.status?.readyReplicas ?? 0),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, total - available),
      conditions: [...(d.status?.conditions ?? [])],
    };
    if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
    const now = this.clock.iso();
    const condition =
      available >= (d.spec.replicas ?? 1) - maxUnavailable(d)
        ? newCondition("Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now)
        : newCondition("Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now);
    status.conditions = setCondition(status.conditions, condition);
    return status;
  }

  /** Drops zero counts the way the API's omitempty does, then writes if anything changed. */
  private writeStatus(d: Deployment, status: DeploymentStatus): void {
    const clean: DeploymentStatus = { ...status };
    for (const key of ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"] as const) {
      if (clean[key] === 0) delete clean[key];
    }
    if (deepEqual(d.status ?? {}, clean)) return;
    this.store.mutate<Deployment>(refOf(d), (x) => {
      x.status = clean;
    });
  }

  // --- rolling.go ----------------------------------------------------------------------

  private rolloutRolling(d: Deployment, rsList: ReplicaSet[]): void {
    const { newRS: created, oldRSs } = this.newAndOld(d, rsList, true);
    let dNow = this.fresh(d);
    const newRS = created ? (this.store.peek<ReplicaSet>(refOf(created)) ?? created) : undefined;
    if (!newRS) return;
    const all = [...oldRSs, newRS];
    if (this.reconcileNewReplicaSet(all, newRS, dNow)) return this.syncRolloutStatus(this.fresh(dNow));
    const activeOld = oldRSs.filter((rs) => specReplicas(rs) > 0);
    if (this.reconcileOldReplicaSets(all, activeOld, oldRSs, newRS, dNow)) return this.syncRolloutStatus(this.fresh(dNow));
    dNow = this.fresh(dNow);
    if (this.deploymentComplete(dNow, dNow.status ?? {})) this.cleanupDeployment(dNow, oldRSs);
    this.syncRolloutStatus(this.fresh(dNow));
  }

  private reconcileNewReplicaSet(all: ReplicaSet[], newRS: ReplicaSet, d: Deployment): boolean {
    const replicas = d.spec.replicas ?? 1;
    if (specReplicas(newRS) === replicas) return false;
    if (specReplicas(newRS) > replicas) return this.scaleReplicaSet(newRS, replicas, d);
    return this.scaleReplicaSet(newRS, this.newRSNewReplicas(d, all, newRS), d);
  }

  private reconcileOldReplicaSets(
    all: ReplicaSet[],
    activeOld: ReplicaSet[],
    oldRSs: ReplicaSet[],
    newRS: ReplicaSet,
    d: Deployment,
  ): boolean {
    if (sum(oldRSs, specReplicas) === 0) return false;
    const minAvailable = (d.spec.replicas ?? 1) - maxUnavailable(d);
    const newRSUnavailable = specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = sum(all, specReplicas) - minAvailable - newRSUnavailable;
    if (maxScaledDown <= 0) return false;

    // cleanupUnhealthyReplicas: old pods that are not available go first.
    let cleaned = 0;
    const oldSorted = [...activeOld].sort(byCreation);
    for (const rs of oldSorted) {
      if (cleaned >= maxScaledDown) break;
      const current = this.store.peek<ReplicaSet>(refOf(rs)) ?? rs;
      const unhealthy = specReplicas(current) - (current.status?.availableReplicas ?? 0);
      if (specReplicas(current) === 0 || unhealthy <= 0) continue;
      const down = Math.min(maxScaledDown - cleaned, unhealthy);
      this.scaleReplicaSet(current, specReplicas(current) - down, d, "down");
      cleaned += down;
    }

    // scaleDownOldReplicaSetsForRollingUpdate
    const fresh = (rs: ReplicaSet): ReplicaSet => this.store.peek<ReplicaSet>(refOf(rs)) ?? rs;
    const allNow = all.map(fresh);
    const available = sum(allNow, (rs) => rs.status?.availableReplicas ?? 0);
    let scaledDown = 0;
    if (available > minAvailable) {
      const total = available - minAvailable;
      for (const rs of oldSorted.map(fresh)) {
        if (scaledDown >= total) break;
        if (specReplicas(rs) === 0) continue;
        const down = Math.min(specReplicas(rs), total - scaledDown);
        this.scaleReplicaSet(rs, specReplicas(rs) - down, d, "down");
        scaledDown += down;
      }
    }
    return cleaned + scaledDown > 0;
  }

  // --- recreate.go ---------------------------------------------------------------------

  private rolloutRecreate(d: Deployment, rsList: ReplicaSet[]): void {
    const { newRS, oldRSs } = this.newAndOld(d, rsList, false);
    let scaledDown = false;
    for (const rs of oldRSs) if (specReplicas(rs) > 0 && this.scaleReplicaSet(rs, 0, d, "down")) scaledDown = true;
    if (scaledDown) return this.syncRolloutStatus(this.fresh(d));
    if (this.oldPodsRunning(newRS, oldRSs)) return this.syncRolloutStatus(this.fresh(d));
    const created = newRS ?? this.newAndOld(this.fresh(d), this.replicaSetsOf(d), true).newRS;
    const dNow = this.fresh(d);
    if (created) {
      const current = this.store.peek<ReplicaSet>(refOf(created)) ?? created;
      if (specReplicas(current) !== (dNow.spec.replicas ?? 1)) this.scaleReplicaSet(current, dNow.spec.replicas ?? 1, dNow, "up");
    }
    if (this.deploymentComplete(dNow, dNow.status ?? {})) this.cleanupDeployment(dNow, oldRSs);
    this.syncRolloutStatus(this.fresh(dNow));
  }

  private oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): boolean {
    if (sum(oldRSs, (rs) => rs.status?.replicas ?? 0) > 0) return true;
    for (const rs of oldRSs) {
      if (newRS && rs.metadata.uid === newRS.metadata.uid) continue;
      const pods = this.store.scanOwned<Pod>({ apiVersion: "v1", kind: "Pod", namespace: rs.metadata.namespace }, rs.metadata.uid);
      if (pods.some((p) => p.status?.phase !== "Failed" && p.status?.phase !== "Succeeded")) return true;
    }
    return false;
  }

  // --- progress.go ---------------------------------------------------------------------

  private deploymentComplete(d: Deployment, status: DeploymentStatus): boolean {
    const replicas = d.spec.replicas ?? 1;
    return (
      (status.updatedReplicas ?? 0) === replicas &&
      (status.replicas ?? 0) === replicas &&
      (status.availableReplicas ?? 0) === replicas &&
      (status.observedGeneration ?? 0) >= (d.metadata.generation ?? 1)
    );
  }

  private deploymentProgressing(d: Deployment, next: DeploymentStatus): boolean {
    const old = d.status ?? {};
    const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
    const newOld = (next.replicas ?? 0) - (next.updatedReplicas ?? 0);
    return (
      (next.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) ||
      newOld < oldOld ||
      (next.readyReplicas ?? 0) > (old.readyReplicas ?? 0) ||
      (next.availableReplicas ?? 0) > (old.availableReplicas ?? 0)
    );
  }

  private deploymentTimedOut(d: Deployment, next: DeploymentStatus): boolean {
    if (!hasProgressDeadline(d)) return false;
    const cond = getCondition(next.conditions, "Progressing");
    if (!cond) return false;
    if (cond.reason === "NewReplicaSetAvailable") return false;
    if (cond.reason === "ProgressDeadlineExceeded") return true;
    const from = Date.parse(cond.lastUpdateTime ?? "");
    return from + (d.spec.progressDeadlineSeconds ?? 600) * 1000 < this.clock.now();
  }

  private syncRolloutStatus(d: Deployment): void {
    const all = this.replicaSetsOf(d);
    const { newRS } = this.split(d, all);
    const next = this.calculateStatus(all, newRS, d);
    if (!hasProgressDeadline(d)) next.conditions = removeCondition(next.conditions, "Progressing");
    const currentCond = getCondition(d.status?.conditions, "Progressing");
    const isComplete = (next.replicas ?? 0) === (next.updatedReplicas ?? 0) && currentCond?.reason === "NewReplicaSetAvailable";
    const now = this.clock.iso();
    if (hasProgressDeadline(d) && !isComplete) {
      const name = newRS?.metadata.name;
      if (this.deploymentComplete(d, next)) {
        const msg = name ? `ReplicaSet "${name}" has successfully progressed.` : "Deployment has successfully progressed.";
        next.conditions = setCondition(next.conditions, newCondition("Progressing", "True", "NewReplicaSetAvailable", msg, now));
      } else if (this.deploymentProgressing(d, next)) {
        const msg = name ? `ReplicaSet "${name}" is progressing.` : "Deployment is progressing.";
        const condition = newCondition("Progressing", "True", "ReplicaSetUpdated", msg, now);
        if (currentCond) {
          if (currentCond.status === "True" && currentCond.lastTransitionTime)
            condition.lastTransitionTime = currentCond.lastTransitionTime;
          next.conditions = removeCondition(next.conditions, "Progressing");
        }
        next.conditions = setCondition(next.conditions, condition);
      } else if (this.deploymentTimedOut(d, next)) {
        const msg = name ? `ReplicaSet "${name}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
        next.conditions = setCondition(next.conditions, newCondition("Progressing", "False", "ProgressDeadlineExceeded", msg, now));
      }
    }
    next.conditions = removeCondition(next.conditions, "ReplicaFailure");
    this.writeStatus(d, next);
    this.requeueStuck(d, next);
  }

  /** requeueStuckDeployment: look again one second after the progress deadline would pass. */
  private requeueStuck(d: Deployment, next: DeploymentStatus): void {
    const cond = getCondition(next.conditions, "Progressing");
    if (!hasProgressDeadline(d) || !cond || this.deploymentComplete(d, next)) return;
    if (cond.reason === "ProgressDeadlineExceeded" || cond.reason === "NewReplicaSetAvailable") return;
    if (cond.reason === "DeploymentPaused") return;
    const at = Date.parse(cond.lastUpdateTime ?? "") + (d.spec.progressDeadlineSeconds ?? 600) * 1000 + 1000;
    if (!Number.isFinite(at)) return;
    const wake = Math.max(at, this.clock.now() + 1);
    this.wake = this.wake === undefined ? wake : Math.min(this.wake, wake);
  }
}
