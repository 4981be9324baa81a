import type { Deployment, ObjectMeta, Pod, PodTemplate, ReplicaSet } from "./types.ts";
import { toMillis } from "./time.ts";

const REVISION = "deployment.kubernetes.io/revision";
const HASH = "pod-template-hash";

function ownedBy(meta: ObjectMeta | undefined, owner: ObjectMeta | undefined, kind: string): boolean {
  const refs = meta?.ownerReferences;
  // Objects without ownerReferences (hand-built input) are taken as the caller's selection.
  if (!refs || refs.length === 0) return true;
  return refs.some((r) => (r.uid && owner?.uid ? r.uid === owner.uid : r.kind === kind && r.name === owner?.name));
}

// Canonical JSON: sorted keys, Dates as ISO strings, undefined dropped, pod-template-hash label removed.
function canonical(value: unknown, path: string): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => canonical(v, path));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined || (path === "metadata.labels" && key === HASH)) continue;
    out[key] = canonical(v, path === "" ? key : `${path}.${key}`);
  }
  return out;
}

/** The controller's own test for "this ReplicaSet runs the Deployment's template" (EqualIgnoreHash). */
export function templatesEqualIgnoringHash(a: PodTemplate, b: PodTemplate): boolean {
  return JSON.stringify(canonical(a, "")) === JSON.stringify(canonical(b, ""));
}

function revision(meta: ObjectMeta | undefined): number | undefined {
  const value = meta?.annotations?.[REVISION];
  return value === undefined ? undefined : Number(value);
}

/**
 * The ReplicaSet that runs the Deployment's current template. Like the Deployment controller,
 * match templates when both are known (oldest match wins); otherwise the ReplicaSet carrying
 * the Deployment's revision annotation; otherwise the highest revision. Matching templates
 * first keeps a paused Deployment's old ReplicaSet from being judged as the new one.
 */
export function findNewReplicaSet(deployment: Deployment, replicaSets: readonly ReplicaSet[]): ReplicaSet | undefined {
  const owned = replicaSets.filter((rs) => ownedBy(rs.metadata, deployment.metadata, "Deployment"));
  const template = deployment.spec?.template;
  if (template && owned.some((rs) => rs.spec?.template)) {
    return owned
      .filter((rs) => rs.spec?.template && templatesEqualIgnoringHash(rs.spec.template, template))
      .sort((a, b) => (toMillis(a.metadata?.creationTimestamp) ?? 0) - (toMillis(b.metadata?.creationTimestamp) ?? 0))[0];
  }
  const wanted = revision(deployment.metadata);
  if (wanted !== undefined) return owned.find((rs) => revision(rs.metadata) === wanted);
  return owned.reduce<ReplicaSet | undefined>(
    (best, rs) => ((revision(rs.metadata) ?? -1) > (revision(best?.metadata) ?? -1) ? rs : best),
    undefined,
  );
}

/** Pods of a ReplicaSet, by ownerReference or, failing that, by pod-template-hash label. */
export function podsOfReplicaSet(rs: ReplicaSet, pods: readonly Pod[]): Pod[] {
  const hash = rs.metadata?.labels?.[HASH];
  return pods.filter((pod) => {
    const refs = pod.metadata?.ownerReferences;
    if (refs && refs.length > 0) return ownedBy(pod.metadata, rs.metadata, "ReplicaSet");
    return hash !== undefined && pod.metadata?.labels?.[HASH] === hash;
  });
}

/** The new ReplicaSet's pods: all `pods` when no ReplicaSets are given (the caller already chose them). */
export function newReplicaSetPods(
  deployment: Deployment,
  replicaSets: readonly ReplicaSet[],
  pods: readonly Pod[],
): { replicaSet?: ReplicaSet; pods: Pod[] } {
  if (replicaSets.length === 0) return { pods: [...pods] };
  const replicaSet = findNewReplicaSet(deployment, replicaSets);
  return replicaSet ? { replicaSet, pods: podsOfReplicaSet(replicaSet, pods) } : { pods: [] };
}
