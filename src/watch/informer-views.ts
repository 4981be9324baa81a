// Routing informer changes to the rollouts they concern. A view groups the shared informers a
// rollout reads in one place and maps every change to one key:
// - workload view (context, namespace): Deployments, ReplicaSets, Pods, Events, keyed by the
//   Deployment they belong to (RS -> Deployment, Pod -> RS -> Deployment, Event -> Pod -> ...);
// - sync view (context, kind, namespace): Argo CD Applications or Flux Kustomizations, by name.
// A view holds one subscription per informer however many rollouts use it, and releases its
// informers when its last rollout leaves, so 1,000 rollouts cost one dictionary lookup per change.
import type { KubernetesObject } from "@kubernetes/client-node";
import type { InformerHandle, SharedInformers } from "../cluster/shared-informers.ts";
import { ownerKey, type WatchedKind } from "../cluster/watched-kinds.ts";

export interface Subscriber {
  changed(): void;
}

export const WORKLOAD_KINDS: readonly WatchedKind[] = ["Deployment", "ReplicaSet", "Pod", "Event"];

type Route = (view: View, kind: WatchedKind, object: KubernetesObject) => string | undefined;

/** `<deployment>-<hash>` -> `<deployment>`; `<rs>-<suffix>` -> `<rs>`: controller-made names. */
function stripGeneratedSuffix(name: string): string | undefined {
  const dash = name.lastIndexOf("-");
  return dash > 0 ? name.slice(0, dash) : undefined;
}

function deploymentOfReplicaSet(view: View, rsName: string): string | undefined {
  const rs = view.handle("ReplicaSet").get(rsName);
  return (rs && ownerKey("ReplicaSet", rs)) ?? stripGeneratedSuffix(rsName);
}

function deploymentOfPod(view: View, podName: string, pod: KubernetesObject | undefined): string | undefined {
  const known = pod ?? view.handle("Pod").get(podName);
  const rsName = known ? ownerKey("Pod", known) : stripGeneratedSuffix(podName);
  return rsName === undefined ? undefined : deploymentOfReplicaSet(view, rsName);
}

export const routeWorkload: Route = (view, kind, object) => {
  switch (kind) {
    case "Deployment":
      return object.metadata?.name;
    case "ReplicaSet":
      return ownerKey("ReplicaSet", object);
    case "Pod":
      return deploymentOfPod(view, object.metadata?.name ?? "", object);
    case "Event": {
      const pod = ownerKey("Event", object);
      return pod === undefined ? undefined : deploymentOfPod(view, pod, undefined);
    }
    default:
      return object.metadata?.name;
  }
};

export const routeByName: Route = (_view, _kind, object) => object.metadata?.name;

export class View {
  readonly id: string;
  private readonly handles = new Map<WatchedKind, InformerHandle>();
  private readonly routes = new Map<string, Set<Subscriber>>();
  private subscribers = 0;

  constructor(id: string, informers: SharedInformers, context: string, namespace: string, kinds: readonly WatchedKind[], route: Route) {
    this.id = id;
    for (const kind of kinds) {
      const handle = informers.acquire({ context, kind, namespace });
      this.handles.set(kind, handle);
      handle.subscribe((_event, object) => {
        const key = route(this, kind, object);
        if (key === undefined) return;
        const subscribers = this.routes.get(key);
        if (subscribers) for (const s of subscribers) s.changed();
      });
    }
  }

  handle(kind: WatchedKind): InformerHandle {
    const handle = this.handles.get(kind);
    if (!handle) throw new Error(`view ${this.id} does not watch ${kind}`);
    return handle;
  }

  synced(): boolean {
    for (const handle of this.handles.values()) if (!handle.isSynced()) return false;
    return true;
  }

  whenSynced(): Promise<void> {
    return Promise.all([...this.handles.values()].map((h) => h.synced)).then(() => undefined);
  }

  add(key: string, subscriber: Subscriber): void {
    let set = this.routes.get(key);
    if (!set) this.routes.set(key, (set = new Set()));
    if (!set.has(subscriber)) {
      set.add(subscriber);
      this.subscribers++;
    }
  }

  /** True when the view has no subscriber left. */
  remove(key: string, subscriber: Subscriber): boolean {
    const set = this.routes.get(key);
    if (set?.delete(subscriber)) {
      this.subscribers--;
      if (set.size === 0) this.routes.delete(key);
    }
    return this.subscribers === 0;
  }

  release(): void {
    for (const handle of this.handles.values()) handle.release();
    this.handles.clear();
  }
}

/** Views by id, made on first use and released when their last subscriber leaves. */
export class Views {
  private readonly views = new Map<string, View>();
  private readonly informers: SharedInformers;

  constructor(informers: SharedInformers) {
    this.informers = informers;
  }

  workload(context: string, namespace: string): View {
    return this.get(`workload\u0000${context}\u0000${namespace}`, context, namespace, WORKLOAD_KINDS, routeWorkload);
  }

  sync(context: string, kind: "Application" | "Kustomization", namespace: string): View {
    return this.get(`sync\u0000${context}\u0000${kind}\u0000${namespace}`, context, namespace, [kind], routeByName);
  }

  leave(view: View, key: string, subscriber: Subscriber): void {
    if (view.remove(key, subscriber) && this.views.get(view.id) === view) {
      this.views.delete(view.id);
      view.release();
    }
  }

  size(): number {
    return this.views.size;
  }

  private get(id: string, context: string, namespace: string, kinds: readonly WatchedKind[], route: Route): View {
    let view = this.views.get(id);
    if (!view) {
      view = new View(id, this.informers, context, namespace, kinds, route);
      this.views.set(id, view);
    }
    return view;
  }
}
