// The kinds the rollout watcher follows, as data: the watch path, the list call, an optional
// field selector, and the index keys that tie an object to its owner.
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from "@kubernetes/client-node";

export type WatchedKind = "Deployment" | "ReplicaSet" | "Pod" | "Event" | "Application" | "Kustomization" | "HandOff";

/** The kinds a rollout watch follows (HandOff is the leader's own informer: src/cluster/hand-off-records.ts). */
export const WATCHED_KINDS: readonly WatchedKind[] = ["Deployment", "ReplicaSet", "Pod", "Event", "Application", "Kustomization"];

/** ConfigMaps with this label are hand-off records (src/cluster/hand-off-records.ts). */
export const HAND_OFF_LABEL = "kustodian.dev/hand-off";
const HAND_OFF_SELECTOR = `${HAND_OFF_LABEL}=merge`;

interface CustomKind {
  group: string;
  version: string;
  plural: string;
}

const CUSTOM: Partial<Record<WatchedKind, CustomKind>> = {
  Application: { group: "argoproj.io", version: "v1alpha1", plural: "applications" },
  Kustomization: { group: "kustomize.toolkit.fluxcd.io", version: "v1", plural: "kustomizations" },
};

/**
 * Only pod warnings: the classifier reads readiness-probe failures (Unhealthy) and image pull
 * failures (Failed), both of type Warning (src/health/pod-events.ts). The Normal events of a
 * rollout (Scheduled, Pulling, Pulled, Created, Started, Killing) are most of a namespace's
 * events, and an informer caches every event it lists until the API server expires it.
 */
export const EVENT_FIELD_SELECTOR = "involvedObject.kind=Pod,type=Warning";

export function watchPath(kind: WatchedKind, namespace: string): string {
  const ns = encodeURIComponent(namespace);
  switch (kind) {
    case "Deployment":
      return `/apis/apps/v1/namespaces/${ns}/deployments`;
    case "ReplicaSet":
      return `/apis/apps/v1/namespaces/${ns}/replicasets`;
    case "Pod":
      return `/api/v1/namespaces/${ns}/pods`;
    case "Event":
      return `/api/v1/namespaces/${ns}/events`;
    case "HandOff":
      return `/api/v1/namespaces/${ns}/configmaps`;
    case "Application":
    case "Kustomization": {
      const c = CUSTOM[kind]!;
      return `/apis/${c.group}/${c.version}/namespaces/${ns}/${c.plural}`;
    }
  }
}

export function fieldSelector(kind: WatchedKind): string | undefined {
  return kind === "Event" ? EVENT_FIELD_SELECTOR : undefined;
}

/** Only hand-off records among the namespace's ConfigMaps. */
export function labelSelector(kind: WatchedKind): string | undefined {
  return kind === "HandOff" ? HAND_OFF_SELECTOR : undefined;
}

export type ListFn = () => Promise<KubernetesListObject<KubernetesObject>>;

/** The list call of an informer (a consistent read: no resourceVersion). */
export function listFn(kc: KubeConfig, kind: WatchedKind, namespace: string): ListFn {
  switch (kind) {
    case "Deployment": {
      const api = kc.makeApiClient(AppsV1Api);
      return () => api.listNamespacedDeployment({ namespace });
    }
    case "ReplicaSet": {
      const api = kc.makeApiClient(AppsV1Api);
      return () => api.listNamespacedReplicaSet({ namespace });
    }
    case "Pod": {
      const api = kc.makeApiClient(CoreV1Api);
      return () => api.listNamespacedPod({ namespace });
    }
    case "Event": {
      const api = kc.makeApiClient(CoreV1Api);
      return () => api.listNamespacedEvent({ namespace, fieldSelector: EVENT_FIELD_SELECTOR });
    }
    case "HandOff": {
      const api = kc.makeApiClient(CoreV1Api);
      return () => api.listNamespacedConfigMap({ namespace, labelSelector: HAND_OFF_SELECTOR });
    }
    case "Application":
    case "Kustomization": {
      const api = kc.makeApiClient(CustomObjectsApi);
      const c = CUSTOM[kind]!;
      return async () => (await api.listNamespacedCustomObject({ ...c, namespace })) as KubernetesListObject<KubernetesObject>;
    }
  }
}

interface OwnerRef {
  kind?: string;
  name?: string;
  controller?: boolean;
}

function controllerOwner(obj: KubernetesObject, kind: string): string | undefined {
  const refs = (obj.metadata?.ownerReferences ?? []) as OwnerRef[];
  const ref = refs.find((r) => r.controller === true && r.kind === kind) ?? refs.find((r) => r.kind === kind);
  return ref?.name;
}

/**
 * The key an object is indexed under: the owning Deployment of a ReplicaSet, the owning
 * ReplicaSet of a Pod, the Pod an Event is about. undefined for kinds looked up by name.
 */
export function ownerKey(kind: WatchedKind, obj: KubernetesObject): string | undefined {
  switch (kind) {
    case "ReplicaSet":
      return controllerOwner(obj, "Deployment");
    case "Pod":
      return controllerOwner(obj, "ReplicaSet");
    case "Event":
      return (obj as { involvedObject?: { name?: string } }).involvedObject?.name;
    default:
      return undefined;
  }
}
