// Pods behave as their image says, in the status shapes a real kubelet writes.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getCondition } from "./conditions.ts";
import { NAMESPACE, isReady } from "./helpers.ts";
import { startSimulator, type Simulator } from "./index.ts";
import { behaviourOf, normalizeImage } from "./pod-behaviour.ts";
import type { ContainerStatus, CoreEvent, Pod, Probe } from "./types.ts";

let sim: Simulator;

beforeEach(async () => {
  sim = await startSimulator({ clock: "fast" });
});
afterEach(async () => {
  await sim.stop();
});

function runPod(image: string, probe?: Probe, extra: Partial<Pod["spec"]["containers"][number]> = {}): void {
  sim.apply({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "app", namespace: NAMESPACE },
    spec: {
      containers: [
        { name: "main", image, ports: [{ name: "http", containerPort: 8080 }], ...(probe ? { readinessProbe: probe } : {}), ...extra },
      ],
    },
  });
}

function pod(): Pod {
  const p = sim.store.get<Pod>({ apiVersion: "v1", kind: "Pod", namespace: NAMESPACE, name: "app" });
  if (!p) throw new Error("pod is gone");
  return p;
}

function container(): ContainerStatus {
  const c = pod().status?.containerStatuses?.[0];
  if (!c) throw new Error("no container status yet");
  return c;
}

function events(): CoreEvent[] {
  return sim.store
    .list<CoreEvent>({ apiVersion: "v1", kind: "Event", namespace: NAMESPACE })
    .filter((e) => e.involvedObject.name === "app")
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

const PROBE: Probe = { tcpSocket: { port: "http" }, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 };

describe("image conventions", () => {
  it.each([
    ["wordpress:5.3.2-apache", "healthy"],
    ["wordpress:bad", "bad"],
    ["guangzhengli/hellok8s:bad", "bad"],
    ["registry.example.com:5000/team/app:v2-bad", "bad"],
    ["app:crashloop", "crashloop"],
    ["app:oom", "oom"],
    ["app:pullfail", "pullfail"],
    ["ghcr.io/acme/does-not-exist:1.0", "pullfail"],
    ["app:configerror", "configerror"],
    ["app:slow", "slow"],
    ["app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "healthy"],
    ["localhost:5000/app", "healthy"],
  ])("%s is %s", (image, kind) => {
    expect(behaviourOf(image).kind).toBe(kind);
  });

  it("reads the extra delay of slow-N", () => {
    expect(behaviourOf("app:slow-120")).toEqual({ kind: "slow", extraSeconds: 120 });
    expect(behaviourOf("app:slow")).toEqual({ kind: "slow", extraSeconds: 60 });
  });

  it("names images as the container runtime does", () => {
    expect(normalizeImage("nginx")).toBe("docker.io/library/nginx:latest");
    expect(normalizeImage("guangzhengli/hellok8s:bad")).toBe("docker.io/guangzhengli/hellok8s:bad");
    expect(normalizeImage("ghcr.io/acme/app:1")).toBe("ghcr.io/acme/app:1");
  });
});

describe("healthy", () => {
  it("is Ready at pull + initialDelaySeconds + (successThreshold - 1) x periodSeconds", async () => {
    runPod("web:1.0", { ...PROBE, successThreshold: 2 });
    expect(pod().status?.phase).toBe("Pending");
    expect(container().state).toEqual({ waiting: { reason: "ContainerCreating" } });
    const took = await sim.clock.runUntil(() => isReady(pod()));
    expect(took).toBe(1000 + 5000 + 5000);
    const p = pod();
    expect(p.status?.phase).toBe("Running");
    expect(p.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual([
      "Initialized=True",
      "Ready=True",
      "ContainersReady=True",
      "PodScheduled=True",
    ]);
    expect(container()).toMatchObject({
      ready: true,
      started: true,
      restartCount: 0,
      state: { running: { startedAt: "2025-01-01T00:00:01Z" } },
    });
    expect(container().imageID).toMatch(/^docker\.io\/library\/web@sha256:[0-9a-f]{64}$/);
    expect(container().containerID).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
    expect(p.status?.podIP).toMatch(/^10\.0\.\d+\.\d+$/);
    expect(p.spec.nodeName).toMatch(/^sim-node-\d$/);
    expect(events().map((e) => e.reason)).toEqual(["Scheduled", "Pulling", "Pulled", "Created", "Started"]);
  });

  it("is Ready as soon as it starts when it has no readiness probe", async () => {
    runPod("web:1.0");
    expect(await sim.clock.runUntil(() => isReady(pod()))).toBe(1000);
  });
});

describe("bad", () => {
  it("runs but never becomes Ready, with one Unhealthy event counting the failed probes", async () => {
    runPod("hellok8s:bad", PROBE);
    sim.clock.advance(60_000);
    const p = pod();
    expect(p.status?.phase).toBe("Running");
    expect(getCondition(p.status?.conditions, "Ready")).toMatchObject({
      status: "False",
      reason: "ContainersNotReady",
      message: "containers with unready status: [main]",
    });
    expect(container()).toMatchObject({ ready: false, started: true, restartCount: 0, state: { running: {} } });
    const unhealthy = events().filter((e) => e.reason === "Unhealthy");
    expect(unhealthy).toHaveLength(1);
    // Probes at 5, 10, ..., 55 s after the start at 1 s: 11 of them by 60 s.
    expect(unhealthy[0]).toMatchObject({
      type: "Warning",
      count: 11,
      message: `Readiness probe failed: dial tcp ${p.status?.podIP}:8080: connect: connection refused`,
      firstTimestamp: "2025-01-01T00:00:06Z",
      lastTimestamp: "2025-01-01T00:00:56Z",
      source: { component: "kubelet", host: p.spec.nodeName },
    });
  });

  it("fails an HTTP probe with status 500, as the seed's hellok8s:bad does", async () => {
    runPod("guangzhengli/hellok8s:bad", { httpGet: { path: "/healthz", port: 3000 }, initialDelaySeconds: 1, periodSeconds: 10 });
    sim.clock.advance(10_000);
    expect(events().find((e) => e.reason === "Unhealthy")?.message).toBe("Readiness probe failed: HTTP probe failed with statuscode: 500");
  });
});

describe("crashloop and oom", () => {
  it("crash-loops with rising restartCount, lastState.terminated and back-off", async () => {
    runPod("app:crashloop", PROBE);
    await sim.clock.runUntil(() => container().restartCount >= 3 && "waiting" in container().state);
    const c = container();
    expect(pod().status?.phase).toBe("Running");
    expect(c.ready).toBe(false);
    expect(c.state).toEqual({
      waiting: {
        reason: "CrashLoopBackOff",
        message: expect.stringMatching(/^back-off 40s restarting failed container=main pod=app_kube-example\(.+\)$/),
      },
    });
    expect(c.lastState).toMatchObject({ terminated: { exitCode: 1, reason: "Error" } });
    expect(events().find((e) => e.reason === "BackOff")?.message).toMatch(
      /^Back-off restarting failed container main in pod app_kube-example/,
    );
    sim.clock.advance(3600_000);
    await sim.clock.runUntil(() => "waiting" in container().state);
    expect(container().restartCount).toBeGreaterThan(10);
    expect((container().state as { waiting: { message: string } }).waiting.message).toMatch(/^back-off 300s /); // capped at 5 minutes
  });

  it("shows OOMKilled, then CrashLoopBackOff", async () => {
    runPod("app:oom");
    await sim.clock.runUntil(() => "terminated" in container().state);
    expect(container().state).toMatchObject({ terminated: { reason: "OOMKilled", exitCode: 137 } });
    await sim.clock.runUntil(() => (container().state as { waiting?: { reason: string } }).waiting?.reason === "CrashLoopBackOff");
    expect(container().lastState).toMatchObject({ terminated: { reason: "OOMKilled", exitCode: 137 } });
  });
});

describe("SIM_BEHAVIOUR: configuration that breaks a good image", () => {
  it("a ConfigMap loaded with envFrom saying bad: a good image never becomes Ready; without it, Ready", async () => {
    sim.apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "app-config", namespace: NAMESPACE },
      data: { SIM_BEHAVIOUR: "bad" },
    });
    runPod("web:1.0", PROBE, { envFrom: [{ configMapRef: { name: "app-config" } }] });
    sim.clock.advance(60_000);
    expect(isReady(pod())).toBe(false);
    expect(events().find((e) => e.reason === "Unhealthy")?.message).toContain("Readiness probe failed");
  });
  it("an env value of the container wins over the ConfigMap", async () => {
    sim.apply({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "app-config", namespace: NAMESPACE },
      data: { SIM_BEHAVIOUR: "bad" },
    });
    runPod("web:1.0", PROBE, { envFrom: [{ configMapRef: { name: "app-config" } }], env: [{ name: "SIM_BEHAVIOUR", value: "crashloop" }] });
    sim.clock.advance(30_000);
    expect(container().restartCount).toBeGreaterThan(0);
  });
  it("a ConfigMap without the key: healthy", async () => {
    sim.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "app-config", namespace: NAMESPACE }, data: { OTHER: "bad" } });
    runPod("web:1.0", PROBE, { envFrom: [{ configMapRef: { name: "app-config" } }] });
    expect(await sim.clock.runUntil(() => isReady(pod()))).toBeGreaterThan(0);
  });
});

describe("pullfail, configerror, slow", () => {
  it("fails to pull: ErrImagePull, then ImagePullBackOff, pod Pending", async () => {
    runPod("ghcr.io/acme/does-not-exist:1.0");
    await sim.clock.runUntil(() => (container().state as { waiting?: { reason: string } }).waiting?.reason === "ErrImagePull");
    expect((container().state as { waiting: { message: string } }).waiting.message).toContain(
      'failed to pull and unpack image "ghcr.io/acme/does-not-exist:1.0"',
    );
    await sim.clock.runUntil(() => (container().state as { waiting?: { reason: string } }).waiting?.reason === "ImagePullBackOff");
    expect(container().state).toEqual({
      waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "ghcr.io/acme/does-not-exist:1.0"' },
    });
    expect(pod().status?.phase).toBe("Pending");
    expect(container()).toMatchObject({ ready: false, started: false, restartCount: 0, imageID: "" });
    expect(
      events()
        .filter((e) => e.reason === "Failed")
        .map((e) => e.message),
    ).toContain("Error: ImagePullBackOff");
  });

  it("cannot create the container when a referenced Secret is missing", async () => {
    runPod("app:configerror", undefined, { env: [{ name: "PASSWORD", valueFrom: { secretKeyRef: { name: "db-pwd", key: "pwd" } } }] });
    sim.clock.advance(5000);
    expect(container().state).toEqual({ waiting: { reason: "CreateContainerConfigError", message: 'secret "db-pwd" not found' } });
    expect(pod().status?.phase).toBe("Pending");
    expect(events().find((e) => e.reason === "Failed")?.message).toBe('Error: secret "db-pwd" not found');
  });

  it("is Ready 60 s late when the image is slow to pull", async () => {
    runPod("app:slow", PROBE);
    expect(await sim.clock.runUntil(() => isReady(pod()))).toBe(61_000 + 5000);
    expect(events().find((e) => e.reason === "Pulled")?.message).toBe(
      'Successfully pulled image "app:slow" in 1m1s (1m1s including waiting)',
    );
  });
});

describe("termination", () => {
  it("keeps a deleted pod Terminating for its preStop sleep, then removes it", async () => {
    runPod("web:1.0", undefined, { lifecycle: { preStop: { exec: { command: ["/bin/sh", "-c", "sleep 20"] } } } });
    await sim.clock.runUntil(() => isReady(pod()));
    const deletedAt = sim.clock.now();
    sim.store.delete({ apiVersion: "v1", kind: "Pod", namespace: NAMESPACE, name: "app" });
    sim.settle();
    expect(pod().metadata.deletionTimestamp).toBe(new Date(deletedAt + 30_000).toISOString().replace(".000", ""));
    expect(pod().metadata.deletionGracePeriodSeconds).toBe(30);
    expect(events().find((e) => e.reason === "Killing")?.message).toBe("Stopping container main");
    await sim.clock.runUntil(() => !sim.store.get({ apiVersion: "v1", kind: "Pod", namespace: NAMESPACE, name: "app" }));
    expect(sim.clock.now() - deletedAt).toBe(21_000);
  });
});
