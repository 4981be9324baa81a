// A @kubernetes/client-node informer against the simulator survives dropped watches and 410 Gone
// and ends with the cache the cluster has.
import { AppsV1Api, CoreV1Api, ListWatch, makeInformer, Watch, type V1Pod } from "@kubernetes/client-node";
import { afterEach, beforeEach, expect, it } from "vitest";
import { deployment, deploymentRef, eventually, NAMESPACE, renderBase, rolloutComplete } from "./helpers.ts";
import { startSimulator, type Simulator } from "./index.ts";
import type { Deployment, Pod } from "./types.ts";

let sim: Simulator;
let core: CoreV1Api;
const PODS = `/api/v1/namespaces/${NAMESPACE}/pods`;

beforeEach(async () => {
  sim = await startSimulator({ clock: "fast" });
  core = sim.kubeConfig.makeApiClient(CoreV1Api);
  sim.apply(renderBase());
  await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")) && rolloutComplete(deployment(sim, "wordpress-mysql")));
});
afterEach(async () => {
  await sim.stop();
});

/** "name@resourceVersion", sorted, from the cluster and from an informer cache. */
function clusterPods(): string[] {
  return sim.store
    .list<Pod>({ apiVersion: "v1", kind: "Pod", namespace: NAMESPACE })
    .map((p) => `${p.metadata.name}@${p.metadata.resourceVersion}`)
    .sort();
}
function cachedPods(cache: { list(namespace?: string): ReadonlyArray<V1Pod> }): string[] {
  return cache
    .list(NAMESPACE)
    .map((p) => `${p.metadata?.name}@${p.metadata?.resourceVersion}`)
    .sort();
}
function inSync(cache: { list(namespace?: string): ReadonlyArray<V1Pod> }): boolean {
  return JSON.stringify(cachedPods(cache)) === JSON.stringify(clusterPods());
}
function watchRequests(): string[] {
  return sim
    .requests()
    .filter((r) => r.watch && r.path.startsWith(PODS))
    .map((r) => new URL(r.path, sim.url).searchParams.get("resourceVersion") ?? "");
}

/** Rolls wordpress to an image and lets the old pods drain, synchronously: no client can
 *  observe anything (or reconnect) until the test yields. */
function rollTo(image: string): void {
  sim.store.mutate<Deployment>(deploymentRef("wordpress"), (d) => {
    d.spec.template.spec.containers[0]!.image = image;
  });
  sim.clock.advance(60_000);
  expect(rolloutComplete(deployment(sim, "wordpress"))).toBe(true);
}

it("resumes after a dropped watch and relists after 410 Gone, ending with the cluster's pods", async () => {
  let lists = 0;
  const informer = makeInformer(sim.kubeConfig, PODS, () => {
    lists++;
    return core.listNamespacedPod({ namespace: NAMESPACE });
  });
  if (!(informer instanceof ListWatch)) throw new Error("makeInformer returns a ListWatch");
  const errors: unknown[] = [];
  informer.on("error", (e) => errors.push(e));
  await informer.start();
  await eventually(() => sim.openWatches().length === 1);
  expect(cachedPods(informer)).toEqual(clusterPods());

  // 1. The API server closes the watch; while it is down the Deployment scales to 5.
  const rvBeforeOutage = informer.latestResourceVersion();
  expect(sim.faults.dropWatches()).toBe(1);
  sim.store.mutate<Deployment>(deploymentRef("wordpress"), (d) => {
    d.spec.replicas = 5;
  });
  sim.clock.advance(30_000);
  expect(rolloutComplete(deployment(sim, "wordpress"))).toBe(true);
  await eventually(() => inSync(informer));
  expect(cachedPods(informer)).toHaveLength(6);
  expect(lists).toBe(1); // resumed from its resourceVersion, no relist
  expect(watchRequests()).toEqual([rvBeforeOutage, rvBeforeOutage]);

  // 2. The watch drops again and etcd compacts the history meanwhile: resuming gets 410 Gone
  //    (an ERROR event, as a real API server sends it), so the informer lists again.
  await eventually(() => sim.openWatches().length === 1);
  const rvBeforeCompaction = informer.latestResourceVersion();
  sim.faults.dropWatches();
  rollTo("wordpress:5.4.2-apache");
  sim.faults.compact();
  // client-node waits its 1 s reconnect back-off before relisting (makeInformer takes no delayFn).
  await eventually(() => lists === 2, 5000);
  await eventually(() => inSync(informer));
  expect(Object.values(informer.list(NAMESPACE)).filter((p) => p.spec?.containers[0]?.image === "wordpress:5.4.2-apache")).toHaveLength(5);
  // The third watch resumed from the old resourceVersion and got 410; the fourth follows the relist.
  await eventually(() => sim.openWatches().length === 1);
  const watches = watchRequests();
  expect(watches).toHaveLength(4);
  expect(watches[2]).toBe(rvBeforeCompaction);
  expect(Number(watches[3])).toBeGreaterThan(Number(rvBeforeCompaction));
  expect(errors).toEqual([]);

  // 3. After the relist it keeps following changes.
  await eventually(() => sim.openWatches().length === 1);
  rollTo("wordpress:6.0-apache");
  await eventually(() => inSync(informer));
  await informer.stop();
});

it("reports a reset connection as an error and stops, and a restarted informer catches up", async () => {
  const informer = makeInformer(sim.kubeConfig, PODS, () => core.listNamespacedPod({ namespace: NAMESPACE }));
  const errors: unknown[] = [];
  informer.on("error", (e) => errors.push(e));
  await informer.start();
  await eventually(() => sim.openWatches().length === 1);

  sim.faults.dropWatches({ mode: "reset" });
  await eventually(() => errors.length === 1);
  rollTo("wordpress:5.4.2-apache");
  expect(sim.openWatches()).toHaveLength(0); // client-node stops on errors other than 410
  expect(cachedPods(informer)).not.toEqual(clusterPods());

  await informer.start(); // what a watcher must do: restart (with its own backoff)
  await eventually(() => inSync(informer));
  await informer.stop();
});

it("backs off before relisting after an HTTP 410, with the delay the caller injects", async () => {
  const delays: number[] = [];
  let lists = 0;
  const informer = new ListWatch<V1Pod>(
    PODS,
    new Watch(sim.kubeConfig),
    () => {
      lists++;
      return core.listNamespacedPod({ namespace: NAMESPACE });
    },
    false,
    undefined,
    undefined,
    {
      delayFn: async (ms) => {
        delays.push(ms);
      },
    },
  );
  await informer.start();
  await eventually(() => sim.openWatches().length === 1);
  sim.faults.goneOnNextWatch({ as: "status" });
  sim.faults.dropWatches();
  sim.store.mutate<Deployment>(deploymentRef("wordpress"), (d) => {
    d.spec.replicas = 4;
  });
  sim.clock.advance(30_000);
  await eventually(() => lists === 2 && inSync(informer));
  expect(delays).toEqual([1000]);
  expect(sim.requests().some((r) => r.watch === false && r.status === 410)).toBe(true);
  await informer.stop();
});

it("lets an informer observe each wave at the simulated time it happened (beforeStep)", async () => {
  const apps = sim.kubeConfig.makeApiClient(AppsV1Api);
  const RS = `/apis/apps/v1/namespaces/${NAMESPACE}/replicasets`;
  const informer = makeInformer(sim.kubeConfig, RS, () => apps.listNamespacedReplicaSet({ namespace: NAMESPACE }));
  const seen: { at: number; replicas: number }[] = [];
  informer.on("update", (rs) => {
    if (rs.spec?.template?.spec?.containers[0]?.image === "wordpress:5.4.2-apache")
      seen.push({ at: sim.clock.elapsed(), replicas: rs.spec.replicas ?? 0 });
  });
  informer.on("add", (rs) => {
    if (rs.spec?.template?.spec?.containers[0]?.image === "wordpress:5.4.2-apache")
      seen.push({ at: sim.clock.elapsed(), replicas: rs.spec.replicas ?? 0 });
  });
  await informer.start();
  const rsInSync = (): boolean =>
    JSON.stringify(
      informer
        .list(NAMESPACE)
        .map((r) => `${r.metadata?.name}@${r.metadata?.resourceVersion}`)
        .sort(),
    ) ===
    JSON.stringify(
      sim.store
        .list({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: NAMESPACE })
        .map((r) => `${r.metadata.name}@${r.metadata.resourceVersion}`)
        .sort(),
    );
  await eventually(rsInSync);

  const start = sim.clock.elapsed();
  sim.store.mutate<Deployment>(deploymentRef("wordpress"), (d) => {
    d.spec.template.spec.containers[0]!.image = "wordpress:5.4.2-apache";
  });
  await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")), { beforeStep: () => eventually(rsInSync) });
  await eventually(rsInSync);
  const waves = seen
    .filter((s, i) => i === 0 || s.replicas !== seen[i - 1]?.replicas)
    .map((s) => ({ at: s.at - start, replicas: s.replicas }));
  expect(waves).toEqual([
    { at: 0, replicas: 1 },
    { at: 6000, replicas: 2 },
    { at: 12_000, replicas: 3 },
  ]);
  await informer.stop();
});
