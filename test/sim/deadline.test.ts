// A bad image: the new ReplicaSet never becomes ready and the Deployment reports
// ProgressDeadlineExceeded at progressDeadlineSeconds, in simulated time.
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { afterEach, beforeEach, expect, it } from "vitest";
import { getCondition } from "./conditions.ts";
import { deployment, isReady, NAMESPACE, podsOf, renderBase, rolloutComplete } from "./helpers.ts";
import { startSimulator, type Simulator } from "./index.ts";
import type { ReplicaSet } from "./types.ts";

let sim: Simulator;

beforeEach(async () => {
  sim = await startSimulator({ clock: "fast" });
  sim.apply(renderBase());
  await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")));
});
afterEach(async () => {
  await sim.stop();
});

it("leaves the new ReplicaSet unready and exceeds the 600 s progress deadline in simulated time, jumping from one wake-up to the next", async () => {
  const apps = sim.kubeConfig.makeApiClient(AppsV1Api);
  const core = sim.kubeConfig.makeApiClient(CoreV1Api);
  await apps.patchNamespacedDeployment({
    name: "wordpress",
    namespace: NAMESPACE,
    body: [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: "wordpress:bad" }],
  });
  const changedAt = sim.clock.now();

  let steps = 0;
  const simulated = await sim.clock.runUntil(
    () => getCondition(deployment(sim, "wordpress").status?.conditions, "Progressing")?.reason === "ProgressDeadlineExceeded",
    { onStep: () => void steps++ },
  );

  // The deadline counts from the last progress (the new pod being created, at the change) and
  // the controller looks again one second after it passes, as requeueStuckDeployment does.
  expect(simulated).toBeGreaterThanOrEqual(600_000);
  expect(simulated).toBeLessThanOrEqual(601_000);
  // Fast without waiting for anything real: the clock jumps from one wake-up to the next (the
  // readiness probe every 5 s), never through the simulated seconds in between.
  expect(steps).toBeLessThanOrEqual(simulated / 5000 + 5);

  const d = await apps.readNamespacedDeployment({ name: "wordpress", namespace: NAMESPACE });
  const progressing = d.status?.conditions?.find((c) => c.type === "Progressing");
  expect(progressing?.status).toBe("False");
  expect(progressing?.reason).toBe("ProgressDeadlineExceeded");
  expect(progressing?.message).toMatch(/^ReplicaSet "wordpress-\w+" has timed out progressing\.$/);
  expect(progressing?.lastTransitionTime?.getTime()).toBe(Math.floor((changedAt + simulated) / 1000) * 1000);
  expect(d.status?.conditions?.find((c) => c.type === "Available")?.reason).toBe("MinimumReplicasAvailable");
  expect(d.status).toMatchObject({ replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1 });

  // The old pods keep serving; the new one runs but is not ready.
  const pods = podsOf(sim, { app: "wordpress", tier: "frontend" });
  const bad = pods.filter((p) => p.spec.containers[0]?.image === "wordpress:bad");
  expect(bad).toHaveLength(1);
  expect(pods.filter(isReady)).toHaveLength(3);
  const status = bad[0]?.status;
  expect(status?.phase).toBe("Running");
  expect(status?.containerStatuses?.[0]).toMatchObject({ ready: false, started: true, restartCount: 0, state: { running: {} } });
  const newRs = sim.store
    .list<ReplicaSet>({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: NAMESPACE })
    .find((rs) => rs.spec.template.spec.containers[0]?.image === "wordpress:bad");
  expect(newRs?.status).toMatchObject({ replicas: 1, observedGeneration: 1 });
  expect(newRs?.status?.readyReplicas ?? 0).toBe(0);

  // The kubelet's evidence, as `kubectl describe pod` shows it.
  const events = await core.listNamespacedEvent({
    namespace: NAMESPACE,
    fieldSelector: `involvedObject.name=${bad[0]?.metadata.name},reason=Unhealthy`,
  });
  expect(events.items).toHaveLength(1);
  const unhealthy = events.items[0];
  expect(unhealthy?.type).toBe("Warning");
  expect(unhealthy?.message).toBe(`Readiness probe failed: dial tcp ${status?.podIP}:80: connect: connection refused`);
  expect(unhealthy?.involvedObject.fieldPath).toBe("spec.containers{wordpress}");
  expect(unhealthy?.source?.component).toBe("kubelet");
  // Probes every 5 s from initialDelaySeconds (5 s) after the container started (1 s pull).
  const started = Date.parse((status?.containerStatuses?.[0]?.state as { running: { startedAt: string } }).running.startedAt);
  expect(unhealthy?.firstTimestamp?.getTime()).toBe(started + 5000);
  expect(unhealthy?.count).toBe(Math.floor((changedAt + simulated - (started + 5000)) / 5000) + 1);
});

it("reports the failed probes before the deadline, at initialDelaySeconds + (failureThreshold - 1) x periodSeconds", async () => {
  sim.store.mutate({ apiVersion: "apps/v1", kind: "Deployment", namespace: NAMESPACE, name: "wordpress" }, (d) => {
    (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image = "hellok8s:bad";
  });
  const start = sim.clock.now();
  // 1 s pull, then probes at 5 s, 10 s, 15 s after the container started.
  await sim.clock.runUntil(() => {
    const e = sim.store.list({ apiVersion: "v1", kind: "Event", namespace: NAMESPACE }).find((x) => x["reason"] === "Unhealthy");
    return (e?.["count"] as number | undefined) === 3;
  });
  expect(sim.clock.now() - start).toBe(1000 + 5000 + 2 * 5000);
  expect(getCondition(deployment(sim, "wordpress").status?.conditions, "Progressing")?.reason).toBe("ReplicaSetUpdated");
});

it("rolls back to the previous ReplicaSet when the image is reverted, after the deadline", async () => {
  const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: NAMESPACE, name: "wordpress" };
  const setImage = (image: string): void => {
    sim.store.mutate(ref, (d) => {
      (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image = image;
    });
  };
  const hashes = (): string[] =>
    sim.store
      .list<ReplicaSet>({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: NAMESPACE })
      .filter((rs) => rs.metadata.name.startsWith("wordpress-") && !rs.metadata.name.startsWith("wordpress-mysql"))
      .map((rs) => rs.metadata.labels?.["pod-template-hash"] ?? "")
      .sort();
  const original = podsOf(sim, { app: "wordpress", tier: "frontend" })[0]?.metadata.labels?.["pod-template-hash"];
  setImage("wordpress:bad");
  await sim.clock.runUntil(
    () => getCondition(deployment(sim, "wordpress").status?.conditions, "Progressing")?.reason === "ProgressDeadlineExceeded",
  );
  setImage("wordpress:5.3.2-apache"); // what kustodian's revert commit makes Argo CD / Flux apply
  await sim.clock.runUntil(
    () => rolloutComplete(deployment(sim, "wordpress")) && podsOf(sim, { app: "wordpress", tier: "frontend" }).length === 3,
  );
  const d = deployment(sim, "wordpress");
  expect(d.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
  expect(hashes()).toHaveLength(2); // the old ReplicaSet came back; no third one
  expect(podsOf(sim, { app: "wordpress", tier: "frontend" }).every((p) => p.metadata.labels?.["pod-template-hash"] === original)).toBe(
    true,
  );
  expect(getCondition(d.status?.conditions, "Progressing")).toMatchObject({ status: "True", reason: "NewReplicaSetAvailable" });
});
