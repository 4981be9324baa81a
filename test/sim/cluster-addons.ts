// The parts of a cluster outside the core controllers that GitOps health checks look at: a
// volume provisioner that binds PersistentVolumeClaims and an ingress controller that gives
// Ingresses an address. Without them Argo CD would call the app Progressing forever.
import type { ObjectStore } from "./store.ts";
import { refOf } from "./store.ts";
import type { KubeObject } from "./types.ts";

interface Pvc extends KubeObject {
  spec: { accessModes?: string[]; resources?: { requests?: { storage?: string } } };
  status?: { phase?: string; accessModes?: string[]; capacity?: Record<string, string> };
}

interface Ingress extends KubeObject {
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

export class ClusterAddons {
  private readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
  }

  sync(): undefined {
    for (const pvc of this.store.scan<Pvc>({ apiVersion: "v1", kind: "PersistentVolumeClaim" })) {
      if (pvc.status?.phase === "Bound") continue;
      this.store.mutate<Pvc>(refOf(pvc), (p) => {
        const status: NonNullable<Pvc["status"]> = { phase: "Bound", accessModes: p.spec?.accessModes ?? ["ReadWriteOnce"] };
        const storage = p.spec?.resources?.requests?.storage;
        if (storage) status.capacity = { storage };
        p.status = status;
      });
    }
    for (const ing of this.store.scan<Ingress>({ apiVersion: "networking.k8s.io/v1", kind: "Ingress" })) {
      if (ing.status?.loadBalancer?.ingress?.length) continue;
      this.store.mutate<Ingress>(refOf(ing), (i) => {
        i.status = { loadBalancer: { ingress: [{ ip: "192.168.49.100" }] } };
      });
    }
    return undefined;
  }
}
