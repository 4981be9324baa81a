// Consistent reads of Deployment generations, batched per (context, namespace).
//
// Informer streams are independent: the sync object's watch can deliver "applied <sha>" before
// the Deployment watch delivers the update that apply made. So once the sync reports the SHA,
// the watcher reads the namespace's Deployments from the API server (a LIST without
// resourceVersion is a quorum read, at least as new as the sync status write) and then only
// classifies with an informer copy whose metadata.generation has caught up with it.
//
// Rollouts that ask while a read is queued but not yet sent share it; a read already in flight
// is never joined (it may have been sent before the caller saw the sync), so every caller gets
// a read that started after it asked.
import { AppsV1Api } from "@kubernetes/client-node";
import type { Connections } from "./connections.ts";

/** Deployment name -> metadata.generation, as the API server had it when read. */
export type Generations = ReadonlyMap<string, number>;

export interface DeploymentGenerations {
  read(context: string, namespace: string): Promise<Generations>;
  /** Reads sent so far (for tests and the benchmark). */
  reads(): number;
}

export function createDeploymentGenerations(connections: Connections): DeploymentGenerations {
  const queued = new Map<string, Promise<Generations>>();
  let sent = 0;
  return {
    read(context, namespace) {
      const id = `${context}\u0000${namespace}`;
      const waiting = queued.get(id);
      if (waiting) return waiting;
      const batch = new Promise<Generations>((resolve, reject) => {
        setImmediate(() => {
          queued.delete(id);
          sent++;
          Promise.resolve()
            .then(() => connections.forContext(context).makeApiClient(AppsV1Api).listNamespacedDeployment({ namespace }))
            .then((list) => resolve(new Map(list.items.map((d) => [d.metadata?.name ?? "", d.metadata?.generation ?? 0]))), reject);
        });
      });
      queued.set(id, batch);
      return batch;
    },
    reads: () => sent,
  };
}
