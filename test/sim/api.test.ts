// The HTTP API as client-node sees it: discovery, CRUD in the real shapes and error Statuses,
// the three patch flavours, optimistic concurrency on Leases, watches with bookmarks and 410,
// and the injected faults.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ApiException,
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type KubernetesObject,
  type V1Deployment,
  type V1Lease,
} from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually, NAMESPACE, renderBase } from "./helpers.ts";
import { startSimulator, type Simulator } from "./index.ts";
import type { WatchEvent } from "./types.ts";

let sim: Simulator;

beforeEach(async () => {
  sim = await startSimulator({ clock: "fast" });
});
afterEach(async () => {
  await sim.stop();
});

async function failure(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ApiException)) throw new Error(`expected an ApiException, got ${String(error)}`);
  return { code: error.code, body: JSON.parse(String(error.body)) as Record<string, unknown> };
}

const deploymentBody = (name: string, image = "nginx:1.27"): V1Deployment => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: "default", labels: { app: name, team: "web" } },
  spec: {
    replicas: 2,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "web", image, ports: [{ containerPort: 80 }] }] } },
  },
});

describe("apply of the whole base render over HTTP", () => {
  it("creates every kind in `kubectl kustomize base` through KubernetesObjectApi (discovery included)", async () => {
    const client = KubernetesObjectApi.makeApiClient(sim.kubeConfig);
    const objects = loadAllYaml(renderBase()) as KubernetesObject[];
    for (const object of objects) await client.create(object);
    const kinds = objects.map((o) => o.kind).sort();
    expect(kinds).toEqual([
      "ConfigMap",
      "ConfigMap",
      "Deployment",
      "Deployment",
      "HorizontalPodAutoscaler",
      "Ingress",
      "Namespace",
      "PersistentVolumeClaim",
      "PersistentVolumeClaim",
      "PodDisruptionBudget",
      "Secret",
      "Service",
      "Service",
    ]);
    for (const object of objects) {
      const read = await client.read({
        apiVersion: object.apiVersion,
        kind: object.kind,
        metadata: { name: object.metadata?.name ?? "", namespace: object.metadata?.namespace ?? "" },
      });
      expect(read.metadata?.uid).toBeTruthy();
      expect(read.metadata?.resourceVersion).toBeTruthy();
    }
    // The API server turns stringData into base64 data.
    const secret = await sim.kubeConfig.makeApiClient(CoreV1Api).readNamespacedSecret({ name: "wordpress-db-pwd", namespace: NAMESPACE });
    expect(secret.data).toEqual({ dbpwd: Buffer.from("wordpress").toString("base64") });
    expect(secret.stringData).toBeUndefined();
    // Deployments were defaulted as the API server does.
    const wordpress = await sim.kubeConfig.makeApiClient(AppsV1Api).readNamespacedDeployment({ name: "wordpress", namespace: NAMESPACE });
    expect(wordpress.metadata?.generation).toBe(1);
    expect(wordpress.spec?.template.spec?.containers[0]?.readinessProbe?.successThreshold).toBe(1);
    expect(wordpress.spec?.template.spec?.restartPolicy).toBe("Always");
  });
});

describe("kubeconfig", () => {
  it("writes a kubeconfig file that client-node loads and uses", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kustodian-sim-kc-"));
    try {
      const kc = new KubeConfig();
      kc.loadFromFile(sim.writeKubeconfig(join(dir, "config")));
      expect(kc.getCurrentCluster()?.server).toBe(sim.url);
      const pods = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: "default" });
      expect(pods.items).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("custom resources", () => {
  it("serves the kinds of a CustomResourceDefinition once it is created", async () => {
    const client = KubernetesObjectApi.makeApiClient(sim.kubeConfig);
    await client.create({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "rollouts.argoproj.io" },
      spec: {
        group: "argoproj.io",
        scope: "Namespaced",
        names: { kind: "Rollout", plural: "rollouts", singular: "rollout" },
        versions: [{ name: "v1alpha1", served: true, storage: true, subresources: { status: {} } }],
      },
    } as KubernetesObject);
    await client.create({ apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", metadata: { name: "web", namespace: "default" } });
    const list = await client.list("argoproj.io/v1alpha1", "Rollout", "default");
    expect(list.items.map((r) => r.metadata?.name)).toEqual(["web"]);
  });
});

describe("reads", () => {
  it("lists with label and field selectors, in the List shape", async () => {
    const apps = sim.kubeConfig.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: "default", body: deploymentBody("web") });
    await apps.createNamespacedDeployment({
      namespace: "default",
      body: { ...deploymentBody("api"), metadata: { name: "api", namespace: "default", labels: { app: "api" } } },
    });
    const byLabel = await apps.listNamespacedDeployment({ namespace: "default", labelSelector: "team=web" });
    expect(byLabel.items.map((d) => d.metadata?.name)).toEqual(["web"]);
    expect(
      (await apps.listNamespacedDeployment({ namespace: "default", labelSelector: "app in (api,web),!team" })).items.map(
        (d) => d.metadata?.name,
      ),
    ).toEqual(["api"]);
    const byName = await apps.listDeploymentForAllNamespaces({ fieldSelector: "metadata.name=api" });
    expect(byName.items.map((d) => d.metadata?.name)).toEqual(["api"]);
    expect(Number(byName.metadata?.resourceVersion)).toBeGreaterThan(0);

    const raw = (await (await fetch(`${sim.url}/apis/apps/v1/namespaces/default/deployments`)).json()) as {
      kind: string;
      items: Record<string, unknown>[];
    };
    expect(raw.kind).toBe("DeploymentList");
    expect(raw.items[0]?.["kind"]).toBeUndefined(); // as a real API server: items carry no kind
  });

  it("answers 404 NotFound and 409 AlreadyExists with Status objects", async () => {
    const apps = sim.kubeConfig.makeApiClient(AppsV1Api);
    const missing = await failure(apps.readNamespacedDeployment({ name: "nope", namespace: "default" }));
    expect(missing.code).toBe(404);
    expect(missing.body).toMatchObject({
      kind: "Status",
      status: "Failure",
      reason: "NotFound",
      code: 404,
      message: 'deployments.apps "nope" not found',
    });
    await apps.createNamespacedDeployment({ namespace: "default", body: deploymentBody("web") });
    const twice = await failure(apps.createNamespacedDeployment({ namespace: "default", body: deploymentBody("web") }));
    expect(twice.code).toBe(409);
    expect(twice.body).toMatchObject({ reason: "AlreadyExists" });
  });
});

describe("writes", () => {
  it("applies JSON patch, merge patch, strategic merge patch and server-side apply", async () => {
    const apps = sim.kubeConfig.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: "default", body: deploymentBody("web") });
    const jsonPatched = await apps.patchNamespacedDeployment({
      name: "web",
      namespace: "default",
      body: [{ op: "replace", path: "/spec/replicas", value: 3 }],
    });
    expect(jsonPatched.spec?.replicas).toBe(3);
    const merged = await apps.patchNamespacedDeployment(
      { name: "web", namespace: "default", body: { metadata: { labels: { team: null, tier: "front" } } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.labels).toEqual({ app: "web", tier: "front" });
    const strategic = await apps.patchNamespacedDeployment(
      { name: "web", namespace: "default", body: { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.28" }] } } } } },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    expect(strategic.spec?.template.spec?.containers).toHaveLength(1);
    expect(strategic.spec?.template.spec?.containers[0]).toMatchObject({ image: "nginx:1.28", ports: [{ containerPort: 80 }] });
    expect(strategic.metadata?.generation).toBe(3);

    const applied = await apps.patchNamespacedDeployment(
      { name: "fresh", namespace: "default", body: deploymentBody("fresh"), fieldManager: "kustodian" },
      setHeaderOptions("Content-Type", PatchStrategy.ServerSideApply),
    );
    expect(applied.metadata?.uid).toBeTruthy();
  });

  it("keeps status out of spec writes and spec out of status writes (status subresource)", async () => {
    const apps = sim.kubeConfig.makeApiClient(AppsV1Api);
    const created = await apps.createNamespacedDeployment({
      namespace: "default",
      body: { ...deploymentBody("web"), status: { replicas: 99 } },
    });
    expect(created.status?.replicas).toBeUndefined();
    sim.clock.advance(10_000);
    const current = await apps.readNamespacedDeployment({ name: "web", namespace: "default" });
    expect(current.status?.availableReplicas).toBe(2);
    const statusWrite = await apps.replaceNamespacedDeploymentStatus({
      name: "web",
      namespace: "default",
      body: { ...current, spec: { ...current.spec!, replicas: 7 }, status: { ...current.status, availableReplicas: 1 } },
    });
    expect(statusWrite.spec?.replicas).toBe(2);
    expect(statusWrite.status?.availableReplicas).toBe(1);
  });

  it("refuses a Lease update from a stale resourceVersion with 409 Conflict (leader election)", async () => {
    const leases = sim.kubeConfig.makeApiClient(CoordinationV1Api);
    const lease: V1Lease = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: "kustodian-watcher", namespace: "default" },
      spec: {
        holderIdentity: "pod-a",
        leaseDurationSeconds: 15,
        acquireTime: new Date(sim.clock.now()),
        renewTime: new Date(sim.clock.now()),
      },
    };
    const created = await leases.createNamespacedLease({ namespace: "default", body: lease });
    const a = await leases.readNamespacedLease({ name: "kustodian-watcher", namespace: "default" });
    const b = await leases.readNamespacedLease({ name: "kustodian-watcher", namespace: "default" });
    const renewed = await leases.replaceNamespacedLease({
      name: "kustodian-watcher",
      namespace: "default",
      body: { ...a, spec: { ...a.spec, renewTime: new Date(sim.clock.now() + 5000) } },
    });
    expect(Number(renewed.metadata?.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
    const stolen = await failure(
      leases.replaceNamespacedLease({
        name: "kustodian-watcher",
        namespace: "default",
        body: { ...b, spec: { ...b.spec, holderIdentity: "pod-b" } },
      }),
    );
    expect(stolen.code).toBe(409);
    expect(stolen.body).toMatchObject({ reason: "Conflict" });
    expect((await leases.readNamespacedLease({ name: "kustodian-watcher", namespace: "default" })).spec?.holderIdentity).toBe("pod-a");
  });
});

describe("watch", () => {
  async function collect(
    path: string,
    query: Record<string, string>,
  ): Promise<{ events: WatchEvent[]; done: unknown[]; abort: () => void }> {
    const events: WatchEvent[] = [];
    const done: unknown[] = [];
    const controller = await new Watch(sim.kubeConfig).watch(
      path,
      query,
      (type, object) => events.push({ type: type as WatchEvent["type"], object }),
      (err) => done.push(err ?? "closed"),
    );
    return { events, done, abort: () => controller.abort() };
  }

  it("sends BOOKMARKs with the current resourceVersion when asked, every simulated minute", async () => {
    const w = await collect("/api/v1/namespaces/default/pods", {
      allowWatchBookmarks: "true",
      resourceVersion: sim.store.resourceVersion(),
    });
    sim.clock.advance(60_000);
    await eventually(() => w.events.length === 1);
    expect(w.events[0]).toEqual({
      type: "BOOKMARK",
      object: { apiVersion: "v1", kind: "Pod", metadata: { name: "", resourceVersion: sim.store.resourceVersion() } },
    });
    w.abort();
  });

  it("answers a too-old resourceVersion with an ERROR event carrying 410 Expired, then closes", async () => {
    const apps = sim.kubeConfig.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: "default", body: deploymentBody("web") });
    sim.faults.compact();
    const w = await collect("/apis/apps/v1/namespaces/default/deployments", { resourceVersion: "101" });
    await eventually(() => w.done.length === 1);
    expect(w.events).toHaveLength(1);
    expect(w.events[0]?.type).toBe("ERROR");
    expect(w.events[0]?.object).toMatchObject({
      kind: "Status",
      code: 410,
      reason: "Expired",
      message: expect.stringMatching(/^too old resource version: 101 \(\d+\)$/),
    });
  });

  it("turns a label change that leaves the selector into DELETED for that watch", async () => {
    const apps = sim.kubeConfig.makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({ namespace: "default", body: deploymentBody("web") });
    const w = await collect("/apis/apps/v1/namespaces/default/deployments", { labelSelector: "team=web" });
    await eventually(() => w.events.length === 1);
    expect(w.events[0]?.type).toBe("ADDED"); // no resourceVersion: current objects first
    await apps.patchNamespacedDeployment({ name: "web", namespace: "default", body: [{ op: "remove", path: "/metadata/labels/team" }] });
    await eventually(() => w.events.some((e) => e.type === "DELETED"));
    w.abort();
  });
});

describe("faults", () => {
  it("fails the next requests with 500, only on the matching path", async () => {
    const apps = sim.kubeConfig.makeApiClient(AppsV1Api);
    const core = sim.kubeConfig.makeApiClient(CoreV1Api);
    sim.faults.failNext(2, { path: "/deployments" });
    await core.listNamespacedPod({ namespace: "default" });
    expect((await failure(apps.listNamespacedDeployment({ namespace: "default" }))).code).toBe(500);
    expect((await failure(apps.listNamespacedDeployment({ namespace: "default" }))).body).toMatchObject({
      reason: "InternalError",
      code: 500,
    });
    await apps.listNamespacedDeployment({ namespace: "default" });
  });

  it("delays responses", async () => {
    const core = sim.kubeConfig.makeApiClient(CoreV1Api);
    sim.faults.delay(50, { count: 1 });
    const start = performance.now();
    await core.listNamespacedPod({ namespace: "default" });
    expect(performance.now() - start).toBeGreaterThanOrEqual(45);
    await core.listNamespacedPod({ namespace: "default" });
    // count: 1 — the second request went through undelayed.
    expect(sim.faults.delayed).toEqual([{ method: "GET", path: "/api/v1/namespaces/default/pods", ms: 50 }]);
  });
});
