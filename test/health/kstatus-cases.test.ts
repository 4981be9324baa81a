// Acceptance: kustodian's classifier against kstatus's own cases
// (../shared/fixtures/health/kstatus/cases.yaml, transcribed from kubernetes-sigs/cli-utils
// status_compute_test.go @ 5895ad6c, Apache-2.0; see its LICENSE-NOTICE.md).
import { describe, expect, it } from "vitest";
import {
  classifyPod,
  classifyRollout,
  conditionStatus,
  deploymentProgress,
  replicaSetProgress,
  toKstatus,
  type Deployment,
  type KstatusStatus,
  type Pod,
  type ReplicaSet,
} from "../../src/health/index.ts";
import { KSTATUS_CASES, fixturesPresent, loadYaml } from "./fixtures.ts";
import { SHA } from "./objects.ts";
import { acceptanceFixtures } from "../helpers/acceptance-fixtures.ts";

const acceptance = acceptanceFixtures(fixturesPresent, "../shared/fixtures/health");

interface Case {
  source: { test: string; case: string };
  kind: string;
  expectedStatus: KstatusStatus;
  expectedConditions?: Array<{ type: string; status: string; reason: string }>;
  object: Record<string, unknown> & { metadata?: { creationTimestamp?: string } };
}

const NOW = Date.parse("2025-06-01T12:00:00Z");

// Where kustodian deliberately differs from kstatus, and why (also in src/health/README.md).
const DIFFERENCES: Record<string, { ours: KstatusStatus; why: string }> = {
  podUnschedulable: {
    ours: "InProgress",
    why: "capacity, not the new version: the cluster autoscaler or the old pods leaving may make room; the progress deadline decides",
  },
};

const cases: Case[] = fixturesPresent ? loadYaml<Case[]>(KSTATUS_CASES) : [];
const ofKind = (kind: string) => cases.filter((c) => c.kind === kind).map((c) => [c.source.case, c] as const);
const expectedReason = (c: Case) =>
  c.expectedConditions?.find((x) => x.type === (c.expectedStatus === "Failed" ? "Stalled" : "Reconciling"))?.reason;

// The one case whose creationTimestamp is a %s template for "now" (see the case's note).
function filled(c: Case): Case {
  if (c.object.metadata?.creationTimestamp !== "%s") return c;
  return { ...c, object: { ...c.object, metadata: { ...c.object.metadata, creationTimestamp: new Date(NOW).toISOString() } } };
}

describe.skipIf(acceptance.skip)("acceptance: kstatus cases (skipped when ../shared/fixtures/health is absent)", () => {
  it("has cases of every kind it is used for", () => {
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(["Deployment", "ReplicaSet", "Pod", "MyCR"]));
  });

  describe("Deployment: classifyRollout (no sync object) is Current exactly when kstatus says so", () => {
    it.each(ofKind("Deployment"))("%s", (_, c) => {
      const verdict = classifyRollout({ deployment: c.object as Deployment, sync: null, mergeSha: SHA, now: NOW });
      expect(toKstatus(verdict)).toBe(c.expectedStatus);
    });
  });

  describe("Deployment: deploymentProgress reproduces status and reason", () => {
    it.each(ofKind("Deployment"))("%s", (_, c) => {
      const result = deploymentProgress(c.object as Deployment);
      expect(result.status).toBe(c.expectedStatus);
      const reason = expectedReason(c);
      if (reason) expect(result.reason).toBe(reason);
    });
  });

  describe("ReplicaSet: replicaSetProgress reproduces status and reason", () => {
    it.each(ofKind("ReplicaSet"))("%s", (_, c) => {
      const result = replicaSetProgress(c.object as ReplicaSet);
      expect(result.status).toBe(c.expectedStatus);
      const reason = expectedReason(c);
      if (reason) expect(result.reason).toBe(reason);
    });
  });

  describe("Pod: classifyPod agrees with kstatus", () => {
    it.each(ofKind("Pod"))("%s", (name, c) => {
      const health = classifyPod(filled(c).object as Pod, { now: NOW });
      expect(toKstatus(health)).toBe(DIFFERENCES[name]?.ours ?? c.expectedStatus);
    });

    it.each(Object.entries(DIFFERENCES))("documented difference %s", (name, { ours }) => {
      expect(cases.find((c) => c.source.case === name)?.expectedStatus).not.toBe(ours);
    });

    it("names CrashLoop for podCrashLooping", () => {
      const c = cases.find((x) => x.source.case === "podCrashLooping");
      expect(classifyPod(c!.object as Pod, { now: NOW })).toMatchObject({ status: "Failed", reason: "CrashLoop" });
    });
  });

  describe("generic conditions: conditionStatus (used for Flux Kustomizations) reproduces status and reason", () => {
    it.each(ofKind("MyCR"))("%s", (_, c) => {
      const result = conditionStatus(c.object);
      expect(result.status).toBe(c.expectedStatus);
      const reason = expectedReason(c);
      if (reason) expect(result.reason).toBe(reason);
    });
  });
});
