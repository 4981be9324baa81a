// Background cascading deletion: a ReplicaSet or Pod whose controller owner is gone is deleted
// (pods gracefully), as the garbage collector does after `kubectl delete deployment`.
import { controllerRef } from "./ownership.ts";
import type { ObjectStore } from "./store.ts";
import { refOf } from "./store.ts";

const DEPENDENT_KINDS = [
  { apiVersion: "apps/v1", kind: "ReplicaSet" },
  { apiVersion: "v1", kind: "Pod" },
];

export class GarbageCollector {
  private readonly store: ObjectStore;

  constructor(store: ObjectStore) {
    this.store = store;
  }

  sync(): undefined {
    for (const kind of DEPENDENT_KINDS) {
      for (const object of this.store.scan(kind)) {
        const owner = controllerRef(object);
        if (!owner || object.metadata.deletionTimestamp) continue;
        const found = this.store.peek({
          apiVersion: owner.apiVersion,
          kind: owner.kind,
          namespace: object.metadata.namespace,
          name: owner.name,
        });
        if (!found || found.metadata.uid !== owner.uid) this.store.delete(refOf(object));
      }
    }
    return undefined;
  }
}
