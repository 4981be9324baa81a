import { describe, expect, it } from "vitest";
import { classifyPod, HealthInputError, type PodHealth } from "../../src/health/index.ts";
import { T0, at, pod, podEvent, withDates, type PodOptions } from "./objects.ts";

const NOW = T0 + 5_000; // 5 s after container start: inside the 16 s + 2 s readiness window.

function failed(h: PodHealth): Extract<PodHealth, { status: "Failed" }> {
  if (h.status !== "Failed") throw new Error(`expected Failed, got ${JSON.stringify(h)}`);
  return h;
}

describe("classifyPod: failures proven on first sight", () => {
  const cases: Array<{ name: string; pod: PodOptions; reason: string; quoted: string; message: RegExp }> = [
    {
      name: "ImagePullBackOff",
      pod: { phase: "Pending", state: { waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "wordpress:6.9-nope"' } } },
      reason: "ImagePullFailed",
      quoted: "ImagePullBackOff",
      message: /Back-off pulling image "wordpress:6.9-nope"/,
    },
    {
      name: "ErrImagePull",
      pod: { phase: "Pending", state: { waiting: { reason: "ErrImagePull", message: "rpc error: manifest unknown" } } },
      reason: "ImagePullFailed",
      quoted: "ErrImagePull",
      message: /manifest unknown/,
    },
    {
      name: "InvalidImageName",
      pod: { phase: "Pending", state: { waiting: { reason: "InvalidImageName", message: 'couldn\'t parse image name "Wordpress:"' } } },
      reason: "ImagePullFailed",
      quoted: "InvalidImageName",
      message: /couldn't parse image name/,
    },
    {
      name: "CrashLoopBackOff after an error exit",
      pod: {
        restartCount: 2,
        state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container=wordpress" } },
        lastState: { terminated: { exitCode: 1, reason: "Error", message: "PHP Fatal error: database unreachable" } },
      },
      reason: "CrashLoop",
      quoted: "CrashLoopBackOff",
      message: /back-off 20s restarting failed container=wordpress; last termination: exit code 1 \(Error\): PHP Fatal error/,
    },
    {
      name: "CrashLoopBackOff after OOMKilled",
      pod: {
        memoryLimit: "128Mi",
        state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s" } },
        lastState: { terminated: { exitCode: 137, reason: "OOMKilled" } },
      },
      reason: "OOMKilled",
      quoted: "CrashLoopBackOff",
      message: /exit code 137 \(OOMKilled\); memory limit 128Mi/,
    },
    {
      name: "CrashLoopBackOff because the command cannot start",
      pod: {
        state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s" } },
        lastState: {
          terminated: { exitCode: 128, reason: "StartError", message: 'exec: "apache2-foreground2": executable file not found in $PATH' },
        },
      },
      reason: "ContainerConfigError",
      quoted: "CrashLoopBackOff",
      message: /executable file not found/,
    },
    {
      name: "CreateContainerConfigError",
      pod: { phase: "Pending", state: { waiting: { reason: "CreateContainerConfigError", message: 'secret "wordpress-db" not found' } } },
      reason: "ContainerConfigError",
      quoted: "CreateContainerConfigError",
      message: /secret "wordpress-db" not found/,
    },
    {
      name: "CreateContainerError",
      pod: { phase: "Pending", state: { waiting: { reason: "CreateContainerError", message: "failed to reserve container name" } } },
      reason: "ContainerConfigError",
      quoted: "CreateContainerError",
      message: /failed to reserve/,
    },
    {
      name: "any other Err*/…Error waiting reason (gitops-engine calls it Degraded)",
      pod: { phase: "Pending", state: { waiting: { reason: "PostStartHookError", message: "hook failed" } } },
      reason: "ContainerConfigError",
      quoted: "PostStartHookError",
      message: /hook failed/,
    },
    {
      name: "container just exited non-zero (the crash CrashLoopBackOff follows)",
      pod: { restartCount: 2, state: { terminated: { exitCode: 1, reason: "Error" } } },
      reason: "CrashLoop",
      quoted: "Error",
      message: /^exit code 1 \(Error\)$/,
    },
    {
      name: "container just OOMKilled",
      pod: { state: { terminated: { exitCode: 137, reason: "OOMKilled" } } },
      reason: "OOMKilled",
      quoted: "OOMKilled",
      message: /memory limit 256Mi/,
    },
    {
      name: "init container in CrashLoopBackOff",
      pod: {
        phase: "Pending",
        state: { waiting: { reason: "PodInitializing" } },
        init: {
          state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s" } },
          lastState: { terminated: { exitCode: 2, reason: "Error" } },
        },
      },
      reason: "CrashLoop",
      quoted: "CrashLoopBackOff",
      message: /exit code 2/,
    },
  ];

  it.each(cases)("$name -> $reason", ({ pod: options, reason, quoted, message }) => {
    const health = failed(classifyPod(pod("wordpress-7d9f-abcde", options), { now: NOW }));
    expect(health.reason).toBe(reason);
    const [evidence] = health.evidence;
    expect(evidence).toMatchObject({ object: "Pod/wordpress-7d9f-abcde", pod: "wordpress-7d9f-abcde", reason: quoted });
    expect(evidence?.container).toBe(options.init ? "migrate" : "wordpress");
    expect(evidence?.message).toMatch(message);
  });

  it("quotes the kubelet pull error from the pod Events for ImagePullBackOff", () => {
    const p = pod("wp-1", {
      phase: "Pending",
      state: { waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "wordpress:nope"' } },
    });
    const events = [
      podEvent("wp-1", "Failed", 'Failed to pull image "wordpress:nope": rpc error: code = NotFound desc = manifest unknown', 3),
      podEvent("wp-1", "Failed", "Error: ErrImagePull", 2),
      podEvent("wp-2", "Failed", 'Failed to pull image "other"', 9),
    ];
    expect(failed(classifyPod(p, { now: NOW, events })).evidence[0]?.message).toBe(
      'Failed to pull image "wordpress:nope": rpc error: code = NotFound desc = manifest unknown',
    );
  });

  it("names the most specific reason first and keeps every failing container as evidence", () => {
    const p = pod("wp-1", {
      state: { waiting: { reason: "CrashLoopBackOff" } },
      init: { state: { waiting: { reason: "ErrImagePull", message: "not found" } } },
    });
    const health = failed(classifyPod(p, { now: NOW }));
    expect(health.reason).toBe("ImagePullFailed");
    expect(health.evidence.map((e) => e.reason)).toEqual(["ErrImagePull", "CrashLoopBackOff"]);
  });
});

describe("classifyPod: nothing proven yet", () => {
  const cases: Array<{ name: string; pod: PodOptions; status: PodHealth["status"] }> = [
    { name: "ContainerCreating", pod: { phase: "Pending", state: { waiting: { reason: "ContainerCreating" } } }, status: "NotReady" },
    { name: "PodInitializing", pod: { phase: "Pending", state: { waiting: { reason: "PodInitializing" } } }, status: "NotReady" },
    { name: "running, inside the readiness window", pod: {}, status: "NotReady" },
    { name: "running and ready", pod: { ready: true }, status: "Ready" },
    { name: "running, not ready, no readiness probe (Running is ready)", pod: { probe: null }, status: "NotReady" },
    {
      name: "restarted once, running again (lastState alone proves nothing)",
      pod: { restartCount: 1, lastState: { terminated: { exitCode: 1, reason: "Error" } } },
      status: "NotReady",
    },
    {
      name: "terminating pod in CrashLoopBackOff",
      pod: { deleting: true, state: { waiting: { reason: "CrashLoopBackOff" } } },
      status: "NotReady",
    },
    {
      name: "evicted pod (the ReplicaSet replaces it)",
      pod: { phase: "Failed", podReason: "Evicted", state: { terminated: { exitCode: 137, reason: "ContainerStatusUnknown" } } },
      status: "Terminal",
    },
    { name: "container exited 0", pod: { state: { terminated: { exitCode: 0, reason: "Completed" } } }, status: "NotReady" },
  ];
  it.each(cases)("$name -> $status", ({ pod: options, status }) => {
    expect(classifyPod(pod("wp-1", options), { now: NOW }).status).toBe(status);
  });

  it("says why a pending pod waits (unschedulable is not a failure: capacity may come)", () => {
    const p = pod("wp-1", { phase: "Pending", state: { waiting: { reason: "ContainerCreating" } } });
    p.status!.conditions = [
      { type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient cpu." },
    ];
    expect(classifyPod(p, { now: NOW })).toEqual({
      status: "NotReady",
      detail: "Pending: Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.",
    });
  });
});

describe("classifyPod: readiness window (base probe 5/5/1/3 -> 16 s, slack 2 s)", () => {
  const events = [
    podEvent("wp-1", "Unhealthy", "Readiness probe failed: dial tcp 10.0.0.7:80: i/o timeout", 10),
    podEvent("wp-1", "Unhealthy", "Readiness probe failed: dial tcp 10.0.0.7:80: connect: connection refused", 15),
    podEvent("wp-1", "Unhealthy", "Liveness probe failed: nope", 16),
    podEvent("wp-1", "BackOff", "Back-off restarting failed container", 17),
  ];

  it("is NotReady until start + 18 s, with nextCheckAt at that instant", () => {
    const h = classifyPod(pod("wp-1"), { now: T0 + 17_999, events });
    expect(h).toMatchObject({ status: "NotReady", nextCheckAt: new Date(T0 + 18_000) });
  });

  it("fails at start + 18 s quoting the latest readiness probe message", () => {
    const h = failed(classifyPod(pod("wp-1"), { now: T0 + 18_000, events }));
    expect(h.reason).toBe("ReadinessTimeout");
    expect(h.evidence).toEqual([
      {
        object: "Pod/wp-1",
        pod: "wp-1",
        container: "wordpress",
        reason: "Unhealthy",
        message:
          "Readiness probe failed: dial tcp 10.0.0.7:80: connect: connection refused (not Ready 18 s after start; readiness window 16 s + 2 s slack)",
      },
    ]);
  });

  it("honours a configured slack", () => {
    expect(classifyPod(pod("wp-1"), { now: T0 + 16_000, slackSeconds: 0 }).status).toBe("Failed");
    expect(classifyPod(pod("wp-1"), { now: T0 + 20_000, slackSeconds: 5 })).toMatchObject({ nextCheckAt: new Date(T0 + 21_000) });
  });

  it("uses Kubernetes defaults for an empty probe (21 s)", () => {
    expect(classifyPod(pod("wp-1", { probe: {} }), { now: T0 + 22_999 }).status).toBe("NotReady");
    expect(classifyPod(pod("wp-1", { probe: {} }), { now: T0 + 23_000 }).status).toBe("Failed");
  });

  it("without a probe event the evidence states the timing", () => {
    const h = failed(classifyPod(pod("wp-1"), { now: T0 + 30_000 }));
    expect(h.evidence[0]).toMatchObject({
      reason: "ContainersNotReady",
      message: "not Ready 30 s after start; readiness window 16 s + 2 s slack",
    });
  });

  it("waits while the startup probe has not passed", () => {
    const p = pod("wp-1", { startupProbe: { failureThreshold: 30, periodSeconds: 5 }, started: false });
    expect(classifyPod(p, { now: T0 + 600_000 })).toEqual({ status: "NotReady", detail: "Running: containers not ready" });
  });

  it("gives the same verdict for client-node objects (Date timestamps) as for JSON strings", () => {
    for (const now of [T0 + 17_000, T0 + 19_000, new Date(T0 + 19_000)]) {
      expect(classifyPod(withDates(pod("wp-1")), { now, events: withDates(events) })).toEqual(classifyPod(pod("wp-1"), { now, events }));
    }
  });

  it("rejects an invalid now", () => {
    expect(() => classifyPod(pod("wp-1"), { now: new Date("nope") })).toThrow(HealthInputError);
  });
});

describe("classifyPod: event matching", () => {
  it("ignores events of other pods, other containers and other kinds", () => {
    const events = [
      podEvent("wp-2", "Unhealthy", "Readiness probe failed: other pod", 14),
      podEvent("wp-1", "Unhealthy", "Readiness probe failed: sidecar", 14, "metrics"),
      { ...podEvent("wp-1", "Unhealthy", "Readiness probe failed: a node", 14), involvedObject: { kind: "Node", name: "wp-1" } },
      podEvent("wp-1", "Unhealthy", "Readiness probe failed: ours", 3),
    ];
    expect(failed(classifyPod(pod("wp-1"), { now: T0 + 20_000, events })).evidence[0]?.message).toMatch(/^Readiness probe failed: ours/);
  });

  it("reads events.k8s.io/v1 style events (regarding, note, eventTime)", () => {
    const events = [
      {
        regarding: { kind: "Pod", name: "wp-1", namespace: "prod", fieldPath: "spec.containers{wordpress}" },
        reason: "Unhealthy",
        note: "Readiness probe failed: HTTP probe failed with statuscode: 503",
        eventTime: new Date(T0 + 12_000),
      },
    ];
    expect(failed(classifyPod(pod("wp-1"), { now: T0 + 20_000, events })).evidence[0]?.message).toMatch(/statuscode: 503/);
  });

  it("reads the repeat time of a series (series.lastObservedTime)", () => {
    const old = { ...podEvent("wp-1", "Unhealthy", "Readiness probe failed: first", 2), series: { lastObservedTime: at(17), count: 3 } };
    const events = [podEvent("wp-1", "Unhealthy", "Readiness probe failed: second", 10), old];
    expect(failed(classifyPod(pod("wp-1"), { now: T0 + 20_000, events })).evidence[0]?.message).toMatch(/first/);
  });
});
