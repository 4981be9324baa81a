// Deployment rollouts as a user watching `kubectl get pods -w` would see them.
import { AppsV1Api, ApiException, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getCondition } from "./conditions.ts";
import { deployment, isReady, NAMESPACE, podsOf, renderBase, rolloutComplete } from "./helpers.ts";
import { startSimulator, type Simulator } from "./index.ts";
import type { Deployment, ReplicaSet } from "./types.ts";

let sim: Simulator;
let apps: AppsV1Api;

beforeEach(async () => {
  sim = await startSimulator({ clock: "fast" });
  apps = sim.kubeConfig.makeApiClient(AppsV1Api);
});
afterEach(async () => {
  await sim.stop();
});

const WORDPRESS = { app: "wordpress", tier: "frontend" };

interface Sample {
  at: number;
  existing: number;
  withTerminating: number;
  ready: number;
  availableReplicas: number;
  newRsReplicas: number;
}

/** Samples the pods and the Deployment after every single change in the cluster. */
function recordRollout(name: string, selector: Record<string, string>, newRsName: () => string | undefined): Sample[] {
  const samples: Sample[] = [];
  sim.store.onChange(() => {
    const pods = podsOf(sim, selector);
    const live = pods.filter((p) => !p.metadata.deletionTimestamp);
    const rsName = newRsName();
    const rs = rsName
      ? sim.store.get<ReplicaSet>({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: NAMESPACE, name: rsName })
      : undefined;
    samples.push({
      at: sim.clock.elapsed(),
      existing: live.length,
      withTerminating: pods.length,
      ready: live.filter(isReady).length,
      availableReplicas: deployment(sim, name).status?.availableReplicas ?? 0,
      newRsReplicas: rs?.spec.replicas ?? 0,
    });
  });
  return samples;
}

function newReplicaSet(d: Deployment): ReplicaSet | undefined {
  return sim.store
    .list<ReplicaSet>({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: d.metadata.namespace })
    .find(
      (rs) =>
        rs.metadata.annotations?.["deployment.kubernetes.io/revision"] === d.metadata.annotations?.["deployment.kubernetes.io/revision"],
    );
}

function replicaSetWithImage(image: string): ReplicaSet | undefined {
  return sim.store
    .list<ReplicaSet>({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: NAMESPACE })
    .find((rs) => rs.spec.template.spec.containers[0]?.image === image);
}

async function applyBaseAndWait(): Promise<void> {
  sim.apply(renderBase());
  await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")) && rolloutComplete(deployment(sim, "wordpress-mysql")));
}

describe("RollingUpdate of the base WordPress (replicas 3, maxSurge 1, maxUnavailable 0)", () => {
  it("rolls to a good image in 3 waves, never fewer than 3 available pods and never more than 4 pods", async () => {
    await applyBaseAndWait();
    const before = deployment(sim, "wordpress");
    const samples = recordRollout("wordpress", WORDPRESS, () => replicaSetWithImage("wordpress:5.4.2-apache")?.metadata.name);

    await apps.patchNamespacedDeployment({
      name: "wordpress",
      namespace: NAMESPACE,
      body: [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "wordpress:5.4.2-apache" }],
    });
    const took = await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")));

    const after = deployment(sim, "wordpress");
    expect(after.metadata.generation).toBe((before.metadata.generation ?? 0) + 1);
    expect(after.status?.observedGeneration).toBe(after.metadata.generation);
    // Waves: the new ReplicaSet grows one pod at a time (maxSurge 1), 0 -> 1 -> 2 -> 3.
    const growth = samples.map((s) => s.newRsReplicas).filter((n, i, all) => i === 0 || n !== all[i - 1]);
    expect(growth).toEqual([0, 1, 2, 3]);
    // Availability never drops below replicas - maxUnavailable = 3, at any change.
    expect(Math.min(...samples.map((s) => s.ready))).toBeGreaterThanOrEqual(3);
    expect(Math.min(...samples.map((s) => s.availableReplicas))).toBeGreaterThanOrEqual(3);
    // At most replicas + maxSurge = 4 pods that are not terminating (Kubernetes does not count
    // terminating pods; they linger for the 20 s preStop drain).
    expect(Math.max(...samples.map((s) => s.existing))).toBe(4);
    expect(Math.max(...samples.map((s) => s.withTerminating))).toBeGreaterThan(4);
    // Each wave: 1 s image pull + 5 s initialDelaySeconds before the first readiness probe passes.
    expect(took).toBe(18_000);

    const pods = podsOf(sim, WORDPRESS).filter((p) => !p.metadata.deletionTimestamp);
    expect(pods.map((p) => p.spec.containers[0]?.image)).toEqual(Array(3).fill("wordpress:5.4.2-apache"));
    const rsNew = newReplicaSet(after);
    expect(pods.every((p) => p.metadata.labels?.["pod-template-hash"] === rsNew?.metadata.labels?.["pod-template-hash"])).toBe(true);
    expect(pods.every((p) => p.metadata.ownerReferences?.[0]?.name === rsNew?.metadata.name)).toBe(true);
    expect(after.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");

    const events = sim.store
      .list({ apiVersion: "v1", kind: "Event", namespace: NAMESPACE })
      .filter((e) => (e["reason"] as string) === "ScalingReplicaSet" && (e["involvedObject"] as { name: string }).name === "wordpress")
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)) // <object>.<hex nanos>: creation order
      .map((e) => e["message"] as string);
    expect(events).toEqual([
      expect.stringMatching(/^Scaled up replica set wordpress-\w+ to 3$/),
      `Scaled up replica set ${rsNew?.metadata.name} to 1`,
      expect.stringMatching(/^Scaled down replica set wordpress-\w+ to 2 from 3$/),
      `Scaled up replica set ${rsNew?.metadata.name} to 2 from 1`,
      expect.stringMatching(/^Scaled down replica set wordpress-\w+ to 1 from 2$/),
      `Scaled up replica set ${rsNew?.metadata.name} to 3 from 2`,
      expect.stringMatching(/^Scaled down replica set wordpress-\w+ to 0 from 1$/),
    ]);

    // Terminating pods go away after the preStop sleep (20 s) plus shutdown.
    await sim.clock.runUntil(() => podsOf(sim, WORDPRESS).length === 3, { maxSimulatedMs: 30_000 });
  });

  it("reports Progressing reasons in the order the real controller does, with its timestamps", async () => {
    await applyBaseAndWait();
    const seen: string[] = [];
    sim.store.onChange((c) => {
      if (c.object.kind !== "Deployment" || c.object.metadata.name !== "wordpress") return;
      const reason = getCondition((c.object as Deployment).status?.conditions, "Progressing")?.reason ?? "";
      if (seen.at(-1) !== reason) seen.push(reason);
    });
    const started = sim.clock.iso();
    sim.store.mutate<Deployment>({ apiVersion: "apps/v1", kind: "Deployment", namespace: NAMESPACE, name: "wordpress" }, (d) => {
      d.spec.template.spec.containers[0]!.image = "wordpress:5.4.2-apache";
    });
    await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")));
    // The first write is the spec change itself, still carrying the previous rollout's condition.
    expect(seen).toEqual(["NewReplicaSetAvailable", "NewReplicaSetCreated", "ReplicaSetUpdated", "NewReplicaSetAvailable"]);
    const progressing = getCondition(deployment(sim, "wordpress").status?.conditions, "Progressing");
    // Status stayed True throughout, so lastTransitionTime is the first rollout's; lastUpdateTime moved.
    expect(progressing?.lastTransitionTime).toBe("2025-01-01T00:00:00Z");
    expect(progressing?.lastUpdateTime).toBe(new Date(Date.parse(started) + 18_000).toISOString().replace(".000", ""));
    expect(progressing?.message).toMatch(/^ReplicaSet "wordpress-\w+" has successfully progressed\.$/);
  });
});

describe("rolling-update arithmetic", () => {
  it("rounds maxSurge up and maxUnavailable down (25% of 10 replicas: 3 extra, 2 unavailable)", async () => {
    sim.apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas: 10,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            containers: [{ name: "web", image: "nginx:1.27", readinessProbe: { httpGet: { path: "/", port: 80 }, periodSeconds: 2 } }],
          },
        },
      },
    });
    await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "web", "default")));
    const samples: { existing: number; ready: number }[] = [];
    sim.store.onChange(() => {
      const live = podsOf(sim, { app: "web" }, "default").filter((p) => !p.metadata.deletionTimestamp);
      samples.push({ existing: live.length, ready: live.filter(isReady).length });
    });
    sim.store.mutate<Deployment>({ apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "web" }, (d) => {
      d.spec.template.spec.containers[0]!.image = "nginx:1.28";
    });
    await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "web", "default")));
    expect(Math.max(...samples.map((s) => s.existing))).toBe(13);
    expect(Math.min(...samples.map((s) => s.ready))).toBe(8);
  });

  it("refuses maxSurge 0 with maxUnavailable 0 with 422 Invalid, as the API server validates", async () => {
    const body = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "stuck", namespace: "default" },
      spec: {
        replicas: 2,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
        selector: { matchLabels: { app: "stuck" } },
        template: { metadata: { labels: { app: "stuck" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } },
      },
    };
    const error = await apps.createNamespacedDeployment({ namespace: "default", body }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    const apiError = error as ApiException<string>;
    expect(apiError.code).toBe(422);
    expect(String(apiError.body)).toContain("may not be 0 when `maxSurge` is 0");
  });
});

describe("Recreate (the base MySQL)", () => {
  it("stops the old pod completely before the new one is created", async () => {
    await applyBaseAndWait();
    const mysql = { app: "wordpress", tier: "mysql" };
    const oldPod = podsOf(sim, mysql)[0]?.metadata.name;
    let overlap = false;
    let sawNone = false;
    sim.store.onChange(() => {
      const pods = podsOf(sim, mysql);
      if (pods.some((p) => p.metadata.name === oldPod) && pods.some((p) => p.metadata.name !== oldPod)) overlap = true;
      if (pods.length === 0) sawNone = true;
    });
    await apps.patchNamespacedDeployment(
      {
        name: "wordpress-mysql",
        namespace: NAMESPACE,
        body: { spec: { template: { spec: { containers: [{ name: "mysql", image: "mysql:5.7" }] } } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    const took = await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress-mysql")));
    expect(overlap).toBe(false);
    expect(sawNone).toBe(true);
    const pod = podsOf(sim, mysql)[0];
    expect(pod?.spec.containers[0]?.image).toBe("mysql:5.7");
    // The strategic merge patch kept the rest of the container (probe, env, resources).
    expect(pod?.spec.containers[0]?.readinessProbe?.initialDelaySeconds).toBe(10);
    // No preStop: the old container stops within a second, then pull (1 s) + first probe (10 s).
    expect(took).toBe(12_000);
  });
});

describe("pause, resume and minReadySeconds", () => {
  it("holds a paused rollout with Progressing Unknown/DeploymentPaused and resumes it", async () => {
    await applyBaseAndWait();
    const reasons: string[] = [];
    sim.store.onChange((c) => {
      if (c.object.kind !== "Deployment" || c.object.metadata.name !== "wordpress") return;
      const reason = getCondition((c.object as Deployment).status?.conditions, "Progressing")?.reason ?? "";
      if (reasons.at(-1) !== reason) reasons.push(reason);
    });
    await apps.patchNamespacedDeployment(
      {
        name: "wordpress",
        namespace: NAMESPACE,
        body: { spec: { paused: true, template: { spec: { containers: [{ name: "wordpress", image: "wordpress:6.0" }] } } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    sim.clock.advance(120_000);
    const d = deployment(sim, "wordpress");
    expect(getCondition(d.status?.conditions, "Progressing")).toMatchObject({
      status: "Unknown",
      reason: "DeploymentPaused",
      message: "Deployment is paused",
    });
    expect(d.status?.updatedReplicas ?? 0).toBe(0);
    expect(podsOf(sim, WORDPRESS).every((p) => p.spec.containers[0]?.image === "wordpress:5.3.2-apache")).toBe(true);

    await apps.patchNamespacedDeployment(
      { name: "wordpress", namespace: NAMESPACE, body: { spec: { paused: null } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")));
    expect(reasons).toEqual([
      "NewReplicaSetAvailable",
      "DeploymentPaused",
      "DeploymentResumed",
      "NewReplicaSetCreated",
      "ReplicaSetUpdated",
      "NewReplicaSetAvailable",
    ]);
  });

  it("counts a pod available only after minReadySeconds", async () => {
    sim.apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "api", namespace: "default" },
      spec: {
        replicas: 2,
        minReadySeconds: 30,
        selector: { matchLabels: { app: "api" } },
        template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ name: "api", image: "api:1" }] } },
      },
    });
    sim.clock.advance(10_000);
    const d = deployment(sim, "api", "default");
    expect(d.status).toMatchObject({ readyReplicas: 2, replicas: 2 });
    expect(d.status?.availableReplicas ?? 0).toBe(0);
    expect(getCondition(d.status?.conditions, "Available")).toMatchObject({ status: "False", reason: "MinimumReplicasUnavailable" });
    const took = await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "api", "default")));
    expect(took).toBe(21_000); // started at 1 s (pull), available 30 s later
  });

  it("scales proportionally through the scale subresource", async () => {
    await applyBaseAndWait();
    await apps.patchNamespacedDeploymentScale(
      { name: "wordpress", namespace: NAMESPACE, body: { spec: { replicas: 5 } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")));
    expect(podsOf(sim, WORDPRESS)).toHaveLength(5);
    const scale = await apps.readNamespacedDeploymentScale({ name: "wordpress", namespace: NAMESPACE });
    expect(scale.spec?.replicas).toBe(5);
    expect(scale.status?.selector).toBe("app=wordpress,tier=frontend");
  });
});
