// Applies manifests to the store the way `kubectl apply` leaves them: new objects are created,
// existing ones get the applied metadata labels/annotations and every other top-level field
// (spec, data, ...) replaced, keeping what the server owns (uid, status, ...).
import { prepareCreate, prepareUpdate } from "./admission.ts";
import { parseManifests } from "./git-render.ts";
import { clone } from "./json.ts";
import type { ObjectStore } from "./store.ts";
import { refOf } from "./store.ts";
import type { KubeObject } from "./types.ts";

export interface ApplyOptions {
  /** Namespace for namespaced objects that name none. Default "default". */
  namespace?: string;
  /** Force this namespace on every namespaced object (Flux targetNamespace). */
  targetNamespace?: string;
  /** Extra labels / annotations on every applied object (GitOps tracking). */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface AppliedObject {
  object: KubeObject;
  action: "created" | "configured" | "unchanged";
}

const SERVER_FIELDS = new Set(["apiVersion", "kind", "metadata", "status"]);

export function applyManifests(store: ObjectStore, input: string | KubeObject | KubeObject[], options: ApplyOptions = {}): AppliedObject[] {
  const objects = typeof input === "string" ? parseManifests(input) : Array.isArray(input) ? input : [input];
  // Namespaces first, as kubectl orders them, so that later objects find theirs.
  const ordered = [...objects].sort((a, b) => Number(b.kind === "Namespace") - Number(a.kind === "Namespace"));
  return ordered.map((raw) => applyOne(store, raw, options));
}

function applyOne(store: ObjectStore, raw: KubeObject, options: ApplyOptions): AppliedObject {
  const desired = clone(raw);
  desired.metadata = { ...desired.metadata };
  // Unknown kinds are taken as namespaced unless they name no namespace and look cluster-wide.
  const clusterWide = desired.metadata.namespace === undefined && /^Cluster/.test(desired.kind);
  const type = store.typeOf({ apiVersion: desired.apiVersion, kind: desired.kind, metadata: { namespace: clusterWide ? undefined : "" } });
  if (type.namespaced) {
    desired.metadata.namespace = options.targetNamespace ?? desired.metadata.namespace ?? options.namespace ?? "default";
  } else {
    delete desired.metadata.namespace;
  }
  if (options.labels) desired.metadata.labels = { ...desired.metadata.labels, ...options.labels };
  if (options.annotations) desired.metadata.annotations = { ...desired.metadata.annotations, ...options.annotations };
  const existing = store.get(refOf(desired));
  if (!existing) return { object: store.create(prepareCreate(type, desired)), action: "created" };

  const merged: KubeObject = { apiVersion: existing.apiVersion, kind: existing.kind, metadata: { ...existing.metadata } };
  if (existing.status !== undefined) merged.status = existing.status;
  for (const [key, value] of Object.entries(desired)) if (!SERVER_FIELDS.has(key)) merged[key] = value;
  if (!type.statusSubresource && desired.status !== undefined) merged.status = desired.status;
  merged.metadata.labels = desired.metadata.labels;
  merged.metadata.annotations = desired.metadata.annotations;
  if (!merged.metadata.labels) delete merged.metadata.labels;
  if (!merged.metadata.annotations) delete merged.metadata.annotations;
  merged.metadata.resourceVersion = undefined;
  const updated = store.update(prepareUpdate(type, merged, existing));
  return { object: updated, action: updated.metadata.resourceVersion === existing.metadata.resourceVersion ? "unchanged" : "configured" };
}
