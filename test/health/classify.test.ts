import { describe, expect, it } from "vitest";
import {
  classifyRollout,
  HealthInputError,
  toArgoHealth,
  type ClassifyInput,
  type Deployment,
  type Verdict,
} from "../../src/health/index.ts";
import {
  OTHER_SHA,
  SHA,
  T0,
  argoApp,
  deployment,
  fluxKustomization,
  pod,
  podEvent,
  ready,
  replicaSet,
  rollingDeployment,
  withDates,
} from "./objects.ts";

const SYNCED = argoApp({ sync: { status: "Synced", revision: SHA } });
const crashing = (name: string, extra = {}) =>
  pod(name, {
    state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s" } },
    lastState: { terminated: { exitCode: 1, reason: "Error" } },
    ...extra,
  });

function classify(over: Partial<ClassifyInput>): Verdict {
  return classifyRollout({ deployment: rollingDeployment(), sync: SYNCED, mergeSha: SHA, now: T0 + 5_000, ...over });
}

describe("classifyRollout: the order of the gates", () => {
  it("waits for the sync before looking at pods", () => {
    const v = classify({ sync: argoApp({ sync: { status: "OutOfSync", revision: OTHER_SHA } }), pods: [crashing("wp-new-1")] });
    expect(v.status).toBe("WaitingForSync");
  });

  it("fails on a sync failure for the merge", () => {
    const v = classify({ sync: argoApp({ conditions: [{ type: "ComparisonError", message: "kustomize build failed" }] }) });
    expect(v).toMatchObject({ status: "Failed", reason: "SyncFailed", summary: "Argo CD ComparisonError: kustomize build failed" });
  });

  it("waits while the Deployment controller has not observed the synced generation", () => {
    const d = deployment({ generation: 3, observedGeneration: 2 });
    expect(classify({ deployment: d, pods: [crashing("wp-1")] })).toMatchObject({
      status: "Progressing",
      reason: "LatestGenerationNotObserved",
    });
    const noStatus: Deployment = { metadata: { name: "wordpress", generation: 1 }, spec: { replicas: 1 } };
    expect(classify({ deployment: noStatus })).toMatchObject({ status: "Progressing", reason: "LatestGenerationNotObserved" });
  });

  it("without a sync object (not GitOps-synced) goes straight to the Deployment", () => {
    expect(classify({ sync: null, deployment: deployment() })).toEqual({
      status: "Healthy",
      detail: "Deployment wordpress: Deployment is available. Replicas: 3",
    });
  });

  it("is Progressing while the Deployment is not in the cache", () => {
    expect(classify({ deployment: null })).toMatchObject({ status: "Progressing", reason: "DeploymentNotFound" });
  });

  it("pod evidence wins over the progress deadline", () => {
    const d = deployment({ updated: 1, progressing: { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" } });
    expect(classify({ deployment: d, pods: [crashing("wp-1")] })).toMatchObject({ reason: "CrashLoop" });
  });
});

describe("classifyRollout: failure rules firing", () => {
  it("CrashLoop with a one-line summary naming pod, container, reason and message", () => {
    const v = classify({ pods: [crashing("wp-new-1"), pod("wp-new-2", { ready: true })] });
    expect(v).toEqual({
      status: "Failed",
      reason: "CrashLoop",
      summary:
        "container is crash-looping in 1 of 2 new pods: pod wp-new-1 container wordpress: CrashLoopBackOff: back-off 10s; last termination: exit code 1 (Error)",
      evidence: [
        {
          object: "Pod/wp-new-1",
          pod: "wp-new-1",
          container: "wordpress",
          reason: "CrashLoopBackOff",
          message: "back-off 10s; last termination: exit code 1 (Error)",
        },
      ],
    });
  });

  it("picks the most specific reason across pods", () => {
    const pull = pod("wp-new-2", { phase: "Pending", state: { waiting: { reason: "ErrImagePull", message: "not found" } } });
    const v = classify({ pods: [crashing("wp-new-1"), pull] });
    expect(v).toMatchObject({ status: "Failed", reason: "ImagePullFailed" });
    if (v.status === "Failed") expect(v.evidence.map((e) => e.pod)).toEqual(["wp-new-2", "wp-new-1"]);
  });

  it("ReadinessTimeout at start + window + slack, and nextCheckAt = the earliest pending window before that", () => {
    const pods = [pod("wp-new-1"), pod("wp-new-2", { state: { running: { startedAt: new Date(T0 + 4_000).toISOString() } } })];
    const events = [podEvent("wp-new-1", "Unhealthy", "Readiness probe failed: dial tcp 10.1.2.3:80: connect: connection refused", 15)];
    expect(classify({ pods, events, now: T0 + 10_000 })).toMatchObject({
      status: "Progressing",
      reason: "LessUpdated",
      nextCheckAt: new Date(T0 + 18_000),
    });
    const v = classify({ pods, events, now: T0 + 18_000 });
    expect(v).toMatchObject({ status: "Failed", reason: "ReadinessTimeout" });
    if (v.status === "Failed") {
      expect(v.summary).toBe(
        "readiness not reached within the probe window in 1 of 2 new pods: pod wp-new-1 container wordpress: Unhealthy: Readiness probe failed: dial tcp 10.1.2.3:80: connect: connection refused (not Ready 18 s after start; readiness window 16 s + 2 s slack)",
      );
    }
  });

  it("the same rollout as client-node objects (Date timestamps) gets the same verdicts", () => {
    const pods = [pod("wp-new-1")];
    const events = [podEvent("wp-new-1", "Unhealthy", "Readiness probe failed: connection refused", 15)];
    for (const now of [T0 + 10_000, T0 + 18_000]) {
      const strings = classify({ pods, events, now });
      const dates = classify({
        pods: withDates(pods),
        events: withDates(events),
        deployment: withDates(rollingDeployment()),
        now: new Date(now),
      });
      expect(dates).toEqual(strings);
    }
  });

  it("ProgressDeadlineExceeded quotes the condition and what the new pods were doing", () => {
    const d = deployment({
      updated: 1,
      ready: 2,
      availableReplicas: 2,
      progressing: {
        type: "Progressing",
        status: "False",
        reason: "ProgressDeadlineExceeded",
        message: 'ReplicaSet "wordpress-7d9f" has timed out progressing.',
      },
    });
    const pending = pod("wp-new-1", { phase: "Pending", state: { waiting: { reason: "ContainerCreating" } } });
    const v = classify({ deployment: d, pods: [pending] });
    expect(v).toEqual({
      status: "Failed",
      reason: "ProgressDeadlineExceeded",
      summary:
        'progress deadline exceeded: Deployment/wordpress: ProgressDeadlineExceeded: ReplicaSet "wordpress-7d9f" has timed out progressing. (+1 more)',
      evidence: [
        {
          object: "Deployment/wordpress",
          reason: "ProgressDeadlineExceeded",
          message: 'ReplicaSet "wordpress-7d9f" has timed out progressing.',
        },
        {
          object: "Pod/wp-new-1",
          pod: "wp-new-1",
          container: "wordpress",
          reason: "ContainerCreating",
          message: "Pending: wordpress: ContainerCreating",
        },
      ],
    });
  });

  it("a stale ProgressDeadlineExceeded of an unobserved generation is not a failure (gitops-engine)", () => {
    const d = deployment({
      generation: 4,
      observedGeneration: 3,
      progressing: { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded" },
    });
    expect(classify({ deployment: d }).status).toBe("Progressing");
  });
});

describe("classifyRollout: which pods are new", () => {
  const oldRs = replicaSet("wordpress-5c7b", "1", "5c7b");
  const newRs = replicaSet("wordpress-7d9f", "2", "7d9f");

  it("ignores failing pods of the old ReplicaSet (by ownerReference)", () => {
    const v = classify({
      replicaSets: [oldRs, newRs],
      pods: [crashing("wp-old-1", { owner: "wordpress-5c7b" }), pod("wp-new-1", { owner: "wordpress-7d9f" })],
    });
    expect(v.status).toBe("Progressing");
    const w = classify({
      replicaSets: [oldRs, newRs],
      pods: [pod("wp-old-1", { owner: "wordpress-5c7b" }), crashing("wp-new-1", { owner: "wordpress-7d9f" })],
    });
    expect(w).toMatchObject({ status: "Failed", reason: "CrashLoop" });
  });

  it("falls back to the pod-template-hash label", () => {
    const v = classify({
      replicaSets: [oldRs, newRs],
      pods: [crashing("wp-old-1", { hash: "5c7b" }), crashing("wp-new-1", { hash: "7d9f" })],
    });
    expect(v).toMatchObject({ status: "Failed", summary: expect.stringContaining("wp-new-1") });
    if (v.status === "Failed") expect(v.evidence.map((e) => e.pod)).toEqual(["wp-new-1"]);
  });

  it("matches templates like the controller does, so a paused Deployment never judges its old pods", () => {
    const template = (image: string) => ({
      metadata: { labels: { app: "wordpress" } },
      spec: { containers: [{ name: "wordpress", image }] },
    });
    const withTemplate = (rs: typeof oldRs, image: string, hash: string) => ({
      ...rs,
      spec: { replicas: 3, template: { ...template(image), metadata: { labels: { app: "wordpress", "pod-template-hash": hash } } } },
    });
    const d = { ...deployment({ paused: true }), spec: { replicas: 3, paused: true, template: template("wordpress:6.6") } };
    const old = withTemplate(oldRs, "wordpress:6.5", "5c7b");
    const pods = [crashing("wp-old-1", { owner: "wordpress-5c7b" })];
    expect(classify({ deployment: d, replicaSets: [old], pods })).toMatchObject({ status: "Progressing", reason: "Paused" });
    const current = withTemplate(newRs, "wordpress:6.6", "7d9f");
    const newPods = [crashing("wp-new-1", { owner: "wordpress-7d9f" })];
    expect(classify({ deployment: d, replicaSets: [old, current], pods: newPods })).toMatchObject({
      status: "Failed",
      reason: "CrashLoop",
    });
  });

  it("judges no pods while the new ReplicaSet is not in the cache", () => {
    const v = classify({ replicaSets: [oldRs], pods: [crashing("wp-old-1", { owner: "wordpress-5c7b" })] });
    expect(v).toMatchObject({ status: "Progressing", detail: expect.stringContaining("no new pods yet") });
  });

  it("reports a ReplicaFailure of the new ReplicaSet (quota, admission) while progressing", () => {
    const failing = {
      ...newRs,
      status: {
        ...newRs.status,
        conditions: [
          {
            type: "ReplicaFailure",
            status: "True",
            reason: "FailedCreate",
            message: 'pods "wordpress-7d9f-x" is forbidden: exceeded quota',
          },
        ],
      },
    };
    expect(classify({ replicaSets: [oldRs, failing] })).toMatchObject({
      status: "Progressing",
      detail: expect.stringContaining("exceeded quota"),
    });
  });
});

describe("classifyRollout: Healthy follows kstatus Current", () => {
  const cases: Array<{ name: string; d: Deployment; status: Verdict["status"]; reason?: string }> = [
    { name: "all replicas updated, ready, available; NewReplicaSetAvailable; Available", d: deployment(), status: "Healthy" },
    { name: "an update still pending", d: deployment({ updated: 2 }), status: "Progressing", reason: "LessUpdated" },
    { name: "an old replica left", d: deployment({ statusReplicas: 4 }), status: "Progressing", reason: "ExtraPods" },
    { name: "updated but not available", d: deployment({ availableReplicas: 2 }), status: "Progressing", reason: "LessAvailable" },
    { name: "available but not ready", d: deployment({ ready: 2 }), status: "Progressing", reason: "LessReady" },
    { name: "Available=False", d: deployment({ availableStatus: "False" }), status: "Progressing", reason: "DeploymentNotAvailable" },
    {
      name: "no Available condition (kstatus wants Available=True)",
      d: {
        ...deployment(),
        status: { ...deployment().status, conditions: [{ type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" }] },
      },
      status: "Progressing",
      reason: "DeploymentNotAvailable",
    },
    {
      name: "Progressing without NewReplicaSetAvailable",
      d: deployment({ progressing: { type: "Progressing", status: "True", reason: "ReplicaSetUpdated" } }),
      status: "Progressing",
      reason: "ReplicaSetNotAvailable",
    },
    { name: "paused (gitops-engine: Suspended)", d: deployment({ paused: true }), status: "Progressing", reason: "Paused" },
  ];
  it.each(cases)("$name -> $status $reason", ({ d, status, reason }) => {
    const v = classify({ deployment: d });
    expect(v.status).toBe(status);
    if (reason) expect(v).toMatchObject({ reason });
  });

  it("defaults spec.replicas to 1", () => {
    const d: Deployment = {
      metadata: { name: "wordpress", generation: 1 },
      spec: {},
      status: {
        observedGeneration: 1,
        replicas: 1,
        updatedReplicas: 1,
        readyReplicas: 1,
        availableReplicas: 1,
        conditions: [{ type: "Available", status: "True" }],
      },
    };
    expect(classify({ deployment: d }).status).toBe("Healthy");
    expect(classify({ deployment: { ...d, status: { ...d.status, replicas: 2 } } })).toMatchObject({ reason: "ExtraPods" });
  });

  it("a paused Deployment maps to Argo CD Suspended", () => {
    expect(toArgoHealth(classify({ deployment: deployment({ paused: true }) }))).toBe("Suspended");
  });
});

describe("classifyRollout: a sync that failed after applying", () => {
  const applied = `main@sha1:${SHA}`;
  const healthCheckFailed = fluxKustomization({
    lastAppliedRevision: applied,
    lastAttemptedRevision: applied,
    conditions: [ready("False", "HealthCheckFailed", "timeout waiting for: [Deployment/prod/wordpress status: InProgress]")],
  });

  it("prefers the pod evidence", () => {
    expect(classify({ sync: healthCheckFailed, pods: [crashing("wp-new-1")] })).toMatchObject({ status: "Failed", reason: "CrashLoop" });
  });

  it("is SyncFailed without pod evidence", () => {
    expect(classify({ sync: healthCheckFailed, pods: [pod("wp-new-1")] })).toMatchObject({ status: "Failed", reason: "SyncFailed" });
  });
});

describe("classifyRollout: input", () => {
  it("accepts now as epoch ms or Date", () => {
    expect(classify({ now: new Date(T0 + 5_000) })).toEqual(classify({ now: T0 + 5_000 }));
  });

  it("rejects a short merge SHA even without a sync object, and an invalid now", () => {
    expect(() => classify({ sync: null, mergeSha: SHA.slice(0, 7) })).toThrow(HealthInputError);
    expect(() => classify({ now: Number.NaN })).toThrow(HealthInputError);
  });
});
