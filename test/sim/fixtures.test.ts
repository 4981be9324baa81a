// Conformance with outside fixtures: the Argo CD health fixtures (Deployments and Pods captured
// from real clusters, ../shared/fixtures/health/argo-cd) and the kstatus cases
// (../shared/fixtures/health/kstatus/cases.yaml). Objects the simulator produces in the same
// situations must carry the same status fields and conditions (type, status, reason), and get
// the same Argo CD verdicts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { resourceHealth } from "./argo-health.ts";
import { hasSharedFixtures, rolloutComplete, sharedFixtures } from "./helpers.ts";
import { startSimulator, type Simulator } from "./index.ts";
import { isControlledBy } from "./ownership.ts";
import type { Condition, ContainerStatus, Deployment, KubeObject, Pod, ReplicaSet } from "./types.ts";
import { acceptanceFixtures } from "../helpers/acceptance-fixtures.ts";

const acceptance = acceptanceFixtures(hasSharedFixtures, "../shared/fixtures/health");

const SOURCE = hasSharedFixtures ? "../shared/fixtures/health" : "../shared/fixtures/health is not next to the repository";
const argo = (path: string): KubeObject => parse(readFileSync(join(sharedFixtures, "argo-cd", path), "utf8")) as KubeObject;

interface KstatusCase {
  source: { case: string };
  kind: string;
  object: KubeObject;
}

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator({ clock: "fast" });
});
afterEach(async () => {
  await sim.stop();
});

/** type/status/reason of each condition, sorted: what the fixtures pin down. */
function conditionKeys(conditions: Condition[] | undefined): string[] {
  return (conditions ?? []).map((c) => `${c.type}/${c.status}/${c.reason ?? ""}`).sort();
}

const COUNTS = ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"] as const;
function counts(status: Deployment["status"]): Record<string, number | undefined> {
  return Object.fromEntries(COUNTS.map((k) => [k, status?.[k]]));
}

/** Messages name the new ReplicaSet; its hash differs between clusters. */
function normalisedMessages(d: Deployment): string[] {
  return (d.status?.conditions ?? [])
    .map((c) => `${c.type}: ${(c.message ?? "").replace(new RegExp(`"${d.metadata.name}-[a-z0-9]+"`), `"${d.metadata.name}-HASH"`)}`)
    .sort();
}

/** The fixture's Deployment as a user would have applied it (no status, no server fields). */
function applyFixtureSpec(fixture: Deployment, image?: string): void {
  const spec = structuredClone(fixture.spec);
  delete spec.paused;
  if (image) spec.template.spec.containers[0]!.image = image;
  sim.apply({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: fixture.metadata.name, namespace: fixture.metadata.namespace ?? "default", labels: fixture.metadata.labels ?? {} },
    spec,
  });
}

function simDeployment(fixture: Deployment): Deployment {
  const d = sim.store.get<Deployment>({
    apiVersion: "apps/v1",
    kind: "Deployment",
    namespace: fixture.metadata.namespace ?? "default",
    name: fixture.metadata.name,
  });
  if (!d) throw new Error("deployment missing");
  return d;
}

function setImage(fixture: Deployment, image: string, paused = false): void {
  sim.store.mutate<Deployment>(
    { apiVersion: "apps/v1", kind: "Deployment", namespace: fixture.metadata.namespace ?? "default", name: fixture.metadata.name },
    (d) => {
      d.spec.template.spec.containers[0]!.image = image;
      if (paused) d.spec.paused = true;
    },
  );
}

function expectSameDeploymentStatus(actual: Deployment, fixture: Deployment): void {
  expect(counts(actual.status)).toEqual(counts(fixture.status));
  expect(actual.status?.observedGeneration).toBe(actual.metadata.generation); // as in every fixture
  expect(conditionKeys(actual.status?.conditions)).toEqual(conditionKeys(fixture.status?.conditions));
  expect(normalisedMessages(actual)).toEqual(normalisedMessages(fixture));
}

describe.skipIf(acceptance.skip)(`Argo CD Deployment fixtures [${SOURCE}]`, () => {
  it("complete rollout = deployments/nginx-healthy.yaml (Healthy)", async () => {
    const fixture = argo("deployments/nginx-healthy.yaml") as Deployment;
    applyFixtureSpec(fixture);
    await sim.clock.runUntil(() => rolloutComplete(simDeployment(fixture)));
    expectSameDeploymentStatus(simDeployment(fixture), fixture);
    expect(resourceHealth(simDeployment(fixture)).status).toBe("Healthy");
  });

  it("rollout under way = deployments/deployment-progressing.yaml (Progressing)", async () => {
    const fixture = argo("deployments/deployment-progressing.yaml") as Deployment;
    applyFixtureSpec(fixture, "gcr.io/heptio-images/ks-guestbook-demo:0.2");
    await sim.clock.runUntil(() => rolloutComplete(simDeployment(fixture)));
    setImage(fixture, "gcr.io/heptio-images/ks-guestbook-demo:0.3");
    sim.settle(); // the new pod exists, not ready yet
    expectSameDeploymentStatus(simDeployment(fixture), fixture);
    expect(resourceHealth(simDeployment(fixture)).status).toBe("Progressing");
  });

  it("deadline exceeded = deployments/deployment-degraded.yaml (Degraded)", async () => {
    const fixture = argo("deployments/deployment-degraded.yaml") as Deployment;
    applyFixtureSpec(fixture, "gcr.io/heptio-images/ks-guestbook-demo:0.2");
    await sim.clock.runUntil(() => rolloutComplete(simDeployment(fixture)));
    // The fixture has no readiness probe, so a pod that never becomes Ready is one whose image
    // cannot be pulled.
    setImage(fixture, "gcr.io/heptio-images/does-not-exist:0.3");
    await sim.clock.runUntil(
      () => simDeployment(fixture).status?.conditions?.some((c) => c.reason === "ProgressDeadlineExceeded") ?? false,
    );
    expectSameDeploymentStatus(simDeployment(fixture), fixture);
    expect(resourceHealth(simDeployment(fixture)).status).toBe("Degraded");
  });

  it("paused mid-rollout = deployments/deployment-suspended.yaml (Suspended), except the Progressing reason", async () => {
    const fixture = argo("deployments/deployment-suspended.yaml") as Deployment;
    applyFixtureSpec(fixture, "gcr.io/heptio-images/ks-guestbook-demo:0.2");
    await sim.clock.runUntil(() => rolloutComplete(simDeployment(fixture)));
    setImage(fixture, "gcr.io/heptio-images/ks-guestbook-demo:0.3");
    sim.settle();
    sim.store.mutate<Deployment>({ apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: fixture.metadata.name }, (d) => {
      d.spec.paused = true;
    });
    sim.settle();
    const d = simDeployment(fixture);
    expect(d.spec.paused).toBe(true);
    expect(counts(d.status)).toEqual(counts(fixture.status));
    expect(resourceHealth(d).status).toBe("Suspended");
    // The fixture was made by adding `paused: true` to the progressing one by hand, so it still
    // says ReplicaSetUpdated. The real controller (checkPausedConditions in
    // pkg/controller/deployment/sync.go) writes Progressing=Unknown/DeploymentPaused on its next
    // sync, and so does the simulator; Available is the same in both.
    expect(conditionKeys(fixture.status?.conditions)).toEqual([
      "Available/True/MinimumReplicasAvailable",
      "Progressing/True/ReplicaSetUpdated",
    ]);
    expect(conditionKeys(d.status?.conditions)).toEqual([
      "Available/True/MinimumReplicasAvailable",
      "Progressing/Unknown/DeploymentPaused",
    ]);
  });

  it("classifies the fixture files themselves as expected.yaml says (the Argo CD health behind Application status)", () => {
    const expected = parse(readFileSync(join(sharedFixtures, "argo-cd/expected.yaml"), "utf8")) as { deployments: Record<string, string> };
    for (const [path, verdict] of Object.entries(expected.deployments))
      expect([path, resourceHealth(argo(path)).status]).toEqual([path, verdict]);
  });
});

describe.skipIf(acceptance.skip)(`Argo CD Pod fixtures [${SOURCE}]`, () => {
  function runFixturePod(
    path: string,
    image: string,
    probe?: Pod["spec"]["containers"][number]["readinessProbe"],
  ): { fixture: Pod; pod: () => Pod } {
    const fixture = argo(path) as Pod;
    const container = { name: fixture.spec.containers[0]?.name ?? "main", image, ...(probe ? { readinessProbe: probe } : {}) };
    sim.apply({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: fixture.metadata.name, namespace: fixture.metadata.namespace ?? "default" },
      spec: { containers: [container] },
    });
    const pod = (): Pod =>
      sim.store.get<Pod>({
        apiVersion: "v1",
        kind: "Pod",
        namespace: fixture.metadata.namespace ?? "default",
        name: fixture.metadata.name,
      }) as Pod;
    return { fixture, pod };
  }
  function stateReason(c: ContainerStatus | undefined): string {
    const s = c?.state as Record<string, { reason?: string }> | undefined;
    const key = Object.keys(s ?? {})[0] ?? "";
    return `${key}/${s?.[key]?.reason ?? ""}`;
  }
  function expectSamePod(actual: Pod, fixture: Pod): void {
    expect(actual.status?.phase).toBe(fixture.status?.phase);
    // Fixtures from 2018 clusters lack ContainersReady (added in Kubernetes 1.12); the rest match.
    const ours = conditionKeys(actual.status?.conditions).filter((k) => !k.startsWith("ContainersReady/"));
    expect(ours).toEqual(conditionKeys(fixture.status?.conditions));
    expect(getReadyMessage(actual)).toBe(
      getReadyMessage(fixture).replace(fixture.spec.containers[0]?.name ?? "", actual.spec.containers[0]?.name ?? ""),
    );
    const [a, f] = [actual.status?.containerStatuses?.[0], fixture.status?.containerStatuses?.[0]];
    expect(stateReason(a)).toBe(stateReason(f));
    expect(a?.ready).toBe(f?.ready);
    expect(Object.keys(a?.lastState ?? {})).toEqual(Object.keys(f?.lastState ?? {}));
  }
  function getReadyMessage(p: Pod): string {
    return p.status?.conditions?.find((c) => c.type === "Ready")?.message ?? "";
  }

  it("crash loop = pods/pod-crashloop.yaml", async () => {
    const { fixture, pod } = runFixturePod("pods/pod-crashloop.yaml", "alpine:crashloop");
    await sim.clock.runUntil(
      () =>
        (pod().status?.containerStatuses?.[0]?.restartCount ?? 0) >= 3 &&
        stateReason(pod().status?.containerStatuses?.[0]) === "waiting/CrashLoopBackOff",
    );
    expectSamePod(pod(), fixture);
    // "Back-off 40s restarting failed container=main pod=my-pod_argocd(<uid>)" at restartCount 3
    // (newer kubelets write "back-off"); the uid differs.
    const waiting = (c: ContainerStatus | undefined): string =>
      ((c?.state as { waiting?: { message?: string } }).waiting?.message ?? "").replace(/\(.*\)$/, "").replace(/^[Bb]ack-off/, "back-off");
    expect(pod().status?.containerStatuses?.[0]?.restartCount).toBe(fixture.status?.containerStatuses?.[0]?.restartCount);
    expect(waiting(pod().status?.containerStatuses?.[0])).toBe(waiting(fixture.status?.containerStatuses?.[0]));
    expect((pod().status?.containerStatuses?.[0]?.lastState as { terminated?: { reason: string } }).terminated?.reason).toBe("Error");
  });

  it("image pull back-off = pods/pod-imagepullbackoff.yaml", async () => {
    const { fixture, pod } = runFixturePod("pods/pod-imagepullbackoff.yaml", "gcr.io/heptio-images/does-not-exist:0.3");
    await sim.clock.runUntil(() => stateReason(pod().status?.containerStatuses?.[0]) === "waiting/ImagePullBackOff");
    expectSamePod(pod(), fixture);
    expect(pod().status?.containerStatuses?.[0]?.state).toEqual({
      waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "gcr.io/heptio-images/does-not-exist:0.3"' },
    });
    expect(fixture.status?.containerStatuses?.[0]?.state).toEqual({
      waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "gcr.io/heptio-images/ks-guestbook-demo:0.3"' },
    });
  });

  it("running, not ready = pods/pod-running-not-ready.yaml", async () => {
    // A bad image fails its readiness probe (without one it would be Ready, as in Kubernetes).
    const { fixture, pod } = runFixturePod("pods/pod-running-not-ready.yaml", "alpine:bad", {
      exec: { command: ["cat", "/tmp/ready"] },
      periodSeconds: 5,
    });
    sim.clock.advance(30_000);
    expectSamePod(pod(), fixture);
  });
});

describe.skipIf(acceptance.skip)(`kstatus cases [${SOURCE}]`, () => {
  const cases = (): KstatusCase[] => parse(readFileSync(join(sharedFixtures, "kstatus/cases.yaml"), "utf8")) as KstatusCase[];
  const byName = (name: string): KubeObject => {
    const found = cases().find((c) => c.source.case === name);
    if (!found) throw new Error(`no kstatus case ${name}`);
    return found.object;
  };

  it("a complete rollout has the status of depOK (Current), its ReplicaSet that of rsOK2, its pods that of podReady", async () => {
    sim.apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "test", namespace: "qual" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "t" } },
        template: { metadata: { labels: { app: "t" } }, spec: { containers: [{ name: "c", image: "nginx:1.27" }] } },
      },
    });
    await sim.clock.runUntil(() =>
      rolloutComplete(
        sim.store.get<Deployment>({ apiVersion: "apps/v1", kind: "Deployment", namespace: "qual", name: "test" }) as Deployment,
      ),
    );
    const d = sim.store.get<Deployment>({ apiVersion: "apps/v1", kind: "Deployment", namespace: "qual", name: "test" }) as Deployment;
    const depOK = byName("depOK") as Deployment;
    expect(d.status).toMatchObject({ ...depOK.status, conditions: expect.anything() });
    expect(conditionKeys(d.status?.conditions).map((k) => k.replace(/\/MinimumReplicasAvailable$/, "/"))).toEqual(
      conditionKeys(depOK.status?.conditions),
    );

    const rs = sim.store
      .list<ReplicaSet>({ apiVersion: "apps/v1", kind: "ReplicaSet", namespace: "qual" })
      .find((r) => isControlledBy(r, d)) as ReplicaSet;
    const rsOK2 = byName("rsOK2") as ReplicaSet;
    expect(Object.keys(rs.status ?? {}).sort()).toEqual(Object.keys(rsOK2.status ?? {}).sort());
    expect(rs.status).toMatchObject({
      replicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      fullyLabeledReplicas: 1,
      observedGeneration: 1,
    });

    const pod = sim.store.list<Pod>({ apiVersion: "v1", kind: "Pod", namespace: "qual" })[0] as Pod;
    const podReady = byName("podReady") as Pod;
    expect(pod.status?.phase).toBe(podReady.status?.phase);
    expect(conditionKeys(pod.status?.conditions)).toEqual(expect.arrayContaining(conditionKeys(podReady.status?.conditions)));
  });

  it("a crash-looping container has the waiting reason of podCrashLooping (Failed)", async () => {
    sim.apply({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "test", namespace: "qual" },
      spec: { containers: [{ name: "nginx", image: "nginx:crashloop" }] },
    });
    const read = (): Pod => sim.store.get<Pod>({ apiVersion: "v1", kind: "Pod", namespace: "qual", name: "test" }) as Pod;
    await sim.clock.runUntil(
      () =>
        "waiting" in (read().status?.containerStatuses?.[0]?.state ?? {}) && (read().status?.containerStatuses?.[0]?.restartCount ?? 0) > 0,
    );
    const pod = read();
    const expected = byName("podCrashLooping") as Pod;
    expect(pod.status?.phase).toBe(expected.status?.phase);
    expect(pod.status?.containerStatuses?.[0]?.state).toMatchObject(expected.status?.containerStatuses?.[0]?.state ?? {});
  });
});
