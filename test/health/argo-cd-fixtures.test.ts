// Acceptance: kustodian's classifier against Argo CD's own health fixtures
// (../shared/fixtures/health/argo-cd, from argoproj/argo-cd 37ee0097cf, Apache-2.0; see its
// LICENSE-NOTICE.md). Verdicts are mapped to Argo CD's vocabulary with toArgoHealth.
import path from "node:path";
import { loadYaml as loadWithClientNode, type V1Pod } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import {
  classifyPod,
  classifyRollout,
  fluxReadiness,
  fluxReadinessToArgoHealth,
  syncState,
  toArgoHealth,
  type ArgoHealth,
  type Deployment,
  type FluxKustomization,
  type Pod,
} from "../../src/health/index.ts";
import { ARGO_CD, fixturesPresent, loadYaml, readText } from "./fixtures.ts";
import { OTHER_SHA, SHA } from "./objects.ts";
import { acceptanceFixtures } from "../helpers/acceptance-fixtures.ts";

const acceptance = acceptanceFixtures(fixturesPresent, "../shared/fixtures/health");

interface Expected {
  deployments: Record<string, ArgoHealth>;
  pods: Record<string, ArgoHealth>;
}

// Where kustodian deliberately differs from Argo CD, and why (also in src/health/README.md).
const POD_DIFFERENCES: Record<string, { ours: ArgoHealth; why: string }> = {
  "pods/pod-running-restart-never.yaml": {
    ours: "Healthy",
    why: "Argo CD keeps restartPolicy Never/OnFailure pods Progressing because they are sync hooks; Deployment pods are always restartPolicy Always, so a Ready pod is Healthy",
  },
  "pods/pod-running-restart-onfailure.yaml": {
    ours: "Degraded",
    why: "same hook exception; for kustodian CrashLoopBackOff is a CrashLoop failure whatever the restart policy",
  },
};

const startOf = (pod: Pod): number => Date.parse(String(pod.metadata?.creationTimestamp));

describe.skipIf(acceptance.skip)("acceptance: Argo CD health fixtures (skipped when ../shared/fixtures/health is absent)", () => {
  const expected = fixturesPresent ? loadYaml<Expected>(path.join(ARGO_CD, "expected.yaml")) : { deployments: {}, pods: {} };

  describe("Deployments: classifyRollout agrees with gitops-engine", () => {
    it.each(Object.entries(expected.deployments))("%s -> %s", (file, health) => {
      const deployment = loadYaml<Deployment>(path.join(ARGO_CD, file));
      const verdict = classifyRollout({ deployment, sync: null, mergeSha: SHA, now: new Date("2018-07-18T07:00:00Z") });
      expect(toArgoHealth(verdict)).toBe(health);
    });

    it("names ProgressDeadlineExceeded for deployment-degraded.yaml, quoting the controller", () => {
      const deployment = loadYaml<Deployment>(path.join(ARGO_CD, "deployments/deployment-degraded.yaml"));
      expect(classifyRollout({ deployment, sync: null, mergeSha: SHA, now: 0 })).toMatchObject({
        status: "Failed",
        reason: "ProgressDeadlineExceeded",
        evidence: [{ object: "Deployment/guestbook-ui", message: 'ReplicaSet "guestbook-ui-75dd4d49d5" has timed out progressing.' }],
      });
    });
  });

  describe("Pods: classifyPod agrees with gitops-engine (inside the readiness window)", () => {
    it.each(Object.entries(expected.pods))("%s -> Argo CD %s", (file, health) => {
      const pod = loadYaml<Pod>(path.join(ARGO_CD, file));
      const ours = toArgoHealth(classifyPod(pod, { now: startOf(pod) + 5_000 }));
      expect(ours).toBe(POD_DIFFERENCES[file]?.ours ?? health);
    });

    it.each(Object.entries(POD_DIFFERENCES))("documented difference %s", (file, { ours }) => {
      expect(expected.pods[file]).not.toBe(ours);
    });

    it("names the reason for each failing pod fixture", () => {
      const reasons = Object.fromEntries(
        ["pod-crashloop", "pod-imagepullbackoff", "pod-error", "pod-failed", "pod-running-restart-onfailure"].map((name) => {
          const pod = loadYaml<Pod>(path.join(ARGO_CD, `pods/${name}.yaml`));
          const health = classifyPod(pod, { now: startOf(pod) + 5_000 });
          return [name, health.status === "Failed" ? health.reason : health.status];
        }),
      );
      expect(reasons).toEqual({
        "pod-crashloop": "CrashLoop",
        "pod-imagepullbackoff": "ImagePullFailed",
        "pod-error": "CrashLoop",
        "pod-failed": "CrashLoop",
        "pod-running-restart-onfailure": "CrashLoop",
      });
    });

    it("decides sooner than Argo CD: pod-running-not-ready.yaml fails once its readiness window (10 + 2 x 10 + 1 = 31 s) + slack has passed", () => {
      const pod = loadYaml<Pod>(path.join(ARGO_CD, "pods/pod-running-not-ready.yaml"));
      const started = Date.parse("2018-12-02T10:30:59Z");
      expect(classifyPod(pod, { now: started + 32_999 })).toMatchObject({ status: "NotReady", nextCheckAt: new Date(started + 33_000) });
      expect(classifyPod(pod, { now: started + 33_000 })).toMatchObject({
        status: "Failed",
        reason: "ReadinessTimeout",
        evidence: [{ pod: "never-ready", container: "main", reason: "ContainersNotReady" }],
      });
    });

    it("gives the same verdicts for the fixtures loaded by client-node (Date timestamps)", () => {
      for (const file of Object.keys(expected.pods)) {
        const pod = loadYaml<Pod>(path.join(ARGO_CD, file));
        const typed: V1Pod = loadWithClientNode<V1Pod>(readText(path.join(ARGO_CD, file)));
        expect(typed.metadata?.creationTimestamp).toBeInstanceOf(Date);
        for (const offset of [5_000, 40_000]) {
          const now = startOf(pod) + offset;
          expect(classifyPod(typed, { now }), file).toEqual(classifyPod(pod, { now }));
        }
      }
    });

    it("fails the rollout on first sight where Argo CD keeps the Deployment Progressing until the deadline", () => {
      const deployment = loadYaml<Deployment>(path.join(ARGO_CD, "deployments/deployment-progressing.yaml"));
      const pod = loadYaml<Pod>(path.join(ARGO_CD, "pods/pod-imagepullbackoff.yaml"));
      expect(expected.deployments["deployments/deployment-progressing.yaml"]).toBe("Progressing");
      expect(classifyRollout({ deployment, pods: [pod], sync: null, mergeSha: SHA, now: startOf(pod) })).toMatchObject({
        status: "Failed",
        reason: "ImagePullFailed",
        evidence: [
          {
            pod: "guestbook-ui-errimagepullbackoff-66cfffb669-45w2j",
            container: "errimagepullbackoff",
            reason: "ImagePullBackOff",
            message: 'Back-off pulling image "gcr.io/heptio-images/ks-guestbook-demo:0.3"',
          },
        ],
      });
    });
  });

  describe("Flux Kustomization: fluxReadiness agrees with Argo CD health.lua", () => {
    const dir = path.join(ARGO_CD, "flux-kustomization");
    const tests = fixturesPresent
      ? loadYaml<{ tests: Array<{ inputPath: string; healthStatus: { status: ArgoHealth; message: string } }> }>(
          path.join(dir, "health_test.yaml"),
        ).tests
      : [];

    it.each(tests.map((t) => [t.inputPath, t.healthStatus.status, t.healthStatus.message] as const))(
      "%s -> %s (%s)",
      (input, status, message) => {
        const readiness = fluxReadiness(loadYaml<FluxKustomization>(path.join(dir, input)));
        expect(fluxReadinessToArgoHealth(readiness)).toBe(status);
        expect(readiness.reason).toBe(message);
      },
    );

    // The fixtures carry no revisions: add them to see the merge-SHA rules on real status shapes.
    const withRevisions = (input: string, applied: string | undefined, attempted: string | undefined): FluxKustomization => {
      const k = loadYaml<FluxKustomization>(path.join(dir, input));
      return {
        ...k,
        status: {
          ...k.status,
          ...(applied ? { lastAppliedRevision: applied } : {}),
          ...(attempted ? { lastAttemptedRevision: attempted } : {}),
        },
      };
    };
    const ours = `main@sha1:${SHA}`;
    const older = `main@sha1:${OTHER_SHA}`;

    it("healthy.yaml is applied only when lastAppliedRevision names the merge SHA", () => {
      expect(syncState(loadYaml<FluxKustomization>(path.join(dir, "testdata/healthy.yaml")), SHA).state).toBe("Waiting");
      expect(syncState(withRevisions("testdata/healthy.yaml", older, older), SHA).state).toBe("Waiting");
      expect(syncState(withRevisions("testdata/healthy.yaml", ours, ours), SHA).state).toBe("Applied");
    });

    it("progressing.yaml waits", () => {
      expect(syncState(withRevisions("testdata/progressing.yaml", older, ours), SHA).state).toBe("Waiting");
    });

    it("degraded.yaml (ArtifactFailed: the source is missing) waits: reverting the merge cannot fix it", () => {
      expect(syncState(withRevisions("testdata/degraded.yaml", undefined, ours), SHA).state).toBe("Waiting");
      const buildFailed = withRevisions("testdata/degraded.yaml", undefined, ours);
      const conditions = (buildFailed.status?.conditions ?? []).map((c) => ({ ...c, reason: "BuildFailed" }));
      const failed = syncState({ ...buildFailed, status: { ...buildFailed.status, conditions } }, SHA);
      expect(failed).toMatchObject({ state: "Failed", evidence: [{ reason: "BuildFailed" }] });
    });
  });
});
