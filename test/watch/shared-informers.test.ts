// Shared informers against the simulator: reference counting, restart backoff (delays injected
// and asserted, not slept), the owner index and the pod-events field selector.
import { KubeConfig } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { backoffDelay } from "../../src/cluster/backoff.ts";
import { kubeConfigConnections, singleClusterConnections, UnknownContextError } from "../../src/cluster/connections.ts";
import { createSharedInformers, type SharedInformers } from "../../src/cluster/shared-informers.ts";
import { renderBase, rolloutComplete, deployment } from "../sim/helpers.ts";
import { startSimulator, type Simulator } from "../sim/index.ts";
import { eventually, NAMESPACE } from "./helpers.ts";

let sim: Simulator;
let informers: SharedInformers;
let delays: number[];

beforeEach(async () => {
  sim = await startSimulator({ clock: "fast" });
  sim.apply(renderBase());
  await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")));
  delays = [];
  informers = createSharedInformers({
    connections: singleClusterConnections(sim.kubeConfig),
    backoff: { initialMs: 500, factor: 2, maxMs: 3000 },
    delay: async (ms) => {
      delays.push(ms);
    },
  });
});
afterEach(async () => {
  await informers.close();
  await sim.stop();
});

const PODS = { context: "any", kind: "Pod", namespace: NAMESPACE } as const;

it("starts one informer per (context, kind, namespace) on first use and stops it with the last release", async () => {
  const a = informers.acquire(PODS);
  const b = informers.acquire(PODS);
  const other = informers.acquire({ ...PODS, namespace: "default" });
  await Promise.all([a.synced, b.synced, other.synced]);
  await eventually(() => sim.openWatches().length === 2);
  expect(informers.stats().map((s) => [s.key.namespace, s.refs])).toEqual([
    [NAMESPACE, 2],
    ["default", 1],
  ]);
  expect(a.list()).toHaveLength(4); // 3 wordpress + 1 mysql
  a.release();
  a.release(); // idempotent
  expect(informers.stats().map((s) => s.refs)).toEqual([1, 1]);
  b.release();
  other.release();
  expect(informers.stats()).toEqual([]);
  await eventually(() => sim.openWatches().length === 0);
});

it("restarts an informer stopped by an error after an exponential backoff, and resets it after a success", async () => {
  const pods = informers.acquire(PODS);
  await pods.synced;
  await eventually(() => sim.openWatches().length === 1);
  // The connection is reset and the next two watch requests fail: client-node stops each time.
  sim.faults.failNext(2, { path: /\/pods\?watch=true/ });
  sim.faults.dropWatches({ mode: "reset" });
  await eventually(() => sim.openWatches().length === 1);
  expect(delays).toEqual([500, 1000, 2000]);
  expect(informers.stats()[0]).toMatchObject({ restarts: 3, synced: true });
  expect(backoffDelay(4, { initialMs: 500, factor: 2, maxMs: 3000 })).toBe(3000); // the cap, had it failed again

  sim.faults.dropWatches({ mode: "reset" });
  await eventually(() => sim.openWatches().length === 1);
  expect(delays).toEqual([500, 1000, 2000, 500]);
  // It resumed from its resourceVersion each time: one list in all.
  const lists = sim.requests().filter((r) => !r.path.includes("watch=true") && r.path.startsWith(`/api/v1/namespaces/${NAMESPACE}/pods`));
  expect(lists).toHaveLength(1);
  pods.release();
});

it("keeps retrying a first list that fails, and is synced once it succeeds", async () => {
  sim.faults.failNext(2, { path: `/api/v1/namespaces/${NAMESPACE}/pods`, method: "GET" });
  const pods = informers.acquire(PODS);
  await pods.synced;
  expect(delays).toEqual([500, 1000]);
  expect(pods.list()).toHaveLength(4);
  pods.release();
});

it("indexes ReplicaSets by Deployment, Pods by ReplicaSet and pod warnings by Pod; other Events are not watched", async () => {
  const rs = informers.acquire({ ...PODS, kind: "ReplicaSet" });
  const pods = informers.acquire(PODS);
  const events = informers.acquire({ ...PODS, kind: "Event" });
  await Promise.all([rs.synced, pods.synced, events.synced]);
  const [wordpressRs] = rs.byOwner("wordpress");
  expect(wordpressRs?.metadata?.name).toMatch(/^wordpress-[a-z0-9]+$/);
  const wordpressPods = pods.byOwner(wordpressRs?.metadata?.name ?? "");
  expect(wordpressPods).toHaveLength(3);
  const pod = wordpressPods[0]?.metadata?.name ?? "";
  sim.apply({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: `${pod}.probe`, namespace: NAMESPACE },
    involvedObject: { apiVersion: "v1", kind: "Pod", name: pod, namespace: NAMESPACE, fieldPath: "spec.containers{wordpress}" },
    type: "Warning",
    reason: "Unhealthy",
    message: "Readiness probe failed: HTTP probe failed with statuscode: 500",
  });
  await eventually(() => events.byOwner(pod).length > 0);
  expect(events.byOwner(pod).map((e) => (e as { reason?: string }).reason)).toEqual(["Unhealthy"]);
  const all = sim.store.list({ apiVersion: "v1", kind: "Event", namespace: NAMESPACE }) as {
    involvedObject?: { kind?: string };
    type?: string;
  }[];
  expect(all.some((e) => e.involvedObject?.kind === "Deployment")).toBe(true);
  expect(all.some((e) => e.involvedObject?.kind === "Pod" && e.type === "Normal")).toBe(true); // Scheduled, Started...
  expect(events.list()).toHaveLength(1);
  rs.release();
  pods.release();
  events.release();
});

describe("backoffDelay", () => {
  it("grows by the factor up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => backoffDelay(n))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });
});

describe("connections", () => {
  const kubeconfig = (): KubeConfig => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        { name: "east", server: "https://east.example:6443" },
        { name: "west", server: "https://west.example:6443" },
      ],
      users: [{ name: "bot", token: "t" }],
      contexts: [
        { name: "prod-east", cluster: "east", user: "bot" },
        { name: "prod-west", cluster: "west", user: "bot" },
      ],
      currentContext: "prod-east",
    });
    return kc;
  };

  it("maps each context of a kubeconfig to its own cluster, made once", () => {
    const connections = kubeConfigConnections(kubeconfig());
    expect(connections.forContext("prod-west").getCurrentCluster()?.server).toBe("https://west.example:6443");
    expect(connections.forContext("prod-east").getCurrentCluster()?.server).toBe("https://east.example:6443");
    expect(connections.forContext("prod-west")).toBe(connections.forContext("prod-west"));
  });

  it("refuses unknown or disallowed contexts, unless told to use the current one (in-cluster)", () => {
    expect(() => kubeConfigConnections(kubeconfig()).forContext("staging")).toThrow(UnknownContextError);
    expect(() => kubeConfigConnections(kubeconfig(), { contexts: ["prod-east"] }).forContext("prod-west")).toThrow(/not configured/);
    const inCluster = kubeConfigConnections(kubeconfig(), { unknownToCurrent: true });
    expect(inCluster.forContext("anything").getCurrentCluster()?.server).toBe("https://east.example:6443");
  });
});

it("caches objects without managedFields and kubectl's last-applied copy, listed or watched; other annotations stay", async () => {
  const bookkeeping = (name: string) => ({
    name,
    namespace: NAMESPACE,
    labels: { app: name },
    annotations: {
      "kubectl.kubernetes.io/last-applied-configuration": `{"kind":"Deployment","metadata":{"name":"${name}"}}`,
      team: "shop",
    },
    managedFields: [
      { manager: "argocd-controller", operation: "Apply", apiVersion: "apps/v1", fieldsType: "FieldsV1", fieldsV1: { "f:spec": {} } },
    ],
  });
  const app = (name: string) => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: bookkeeping(name),
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "app", image: "registry.example/app:v1" }] } },
    },
  });
  sim.apply(app("listed"));
  const deployments = informers.acquire({ context: "any", kind: "Deployment", namespace: NAMESPACE });
  await deployments.synced;
  sim.apply(app("watched"));
  await eventually(() => deployments.get("watched") !== undefined);
  for (const name of ["listed", "watched"]) {
    const inCluster = sim.store.get({ apiVersion: "apps/v1", kind: "Deployment", namespace: NAMESPACE, name });
    expect((inCluster?.metadata as { managedFields?: unknown[] } | undefined)?.managedFields).toHaveLength(1);
    expect(inCluster?.metadata.annotations).toHaveProperty(["kubectl.kubernetes.io/last-applied-configuration"]);
    const cached = deployments.get(name) as { metadata: { managedFields?: unknown; annotations?: Record<string, string> } };
    expect(cached.metadata.managedFields).toBeUndefined();
    expect(cached.metadata.annotations).not.toHaveProperty(["kubectl.kubernetes.io/last-applied-configuration"]);
    expect(cached.metadata.annotations).toMatchObject({ team: "shop", "deployment.kubernetes.io/revision": "1" });
  }
  deployments.release();
});
