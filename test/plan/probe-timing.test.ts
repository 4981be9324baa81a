import { describe, expect, it } from "vitest";
import type { Container, Probe } from "../../src/k8s/manifest-types.ts";
import { readinessFailureWindowSeconds } from "../../src/health/probe-window.ts";
import { resolvedProbe } from "../../src/k8s/probe-defaults.ts";
import { containerTiming, earliestSuccessSeconds, livenessRestartSeconds, rolloutTiming } from "../../src/plan/probe-timing.ts";
import { deploymentNamed, inlineDeployment, renderBase } from "./fixtures.ts";

const tcp = { tcpSocket: { port: 80 } };

describe("probe formulas", () => {
  const cases: Array<{ name: string; probe: Probe; ready: number; failureWindow: number; livenessRestart: number }> = [
    { name: "all defaults (0/10/1/3, success 1)", probe: tcp, ready: 10, failureWindow: 21, livenessRestart: 33 },
    {
      name: "base wordpress readiness 5/5/1/3",
      probe: { ...tcp, initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 },
      ready: 10,
      failureWindow: 16,
      livenessRestart: 23,
    },
    {
      name: "seed 001 example 60/10/5, success 1, failure 5",
      probe: { ...tcp, initialDelaySeconds: 60, timeoutSeconds: 5, periodSeconds: 10, successThreshold: 1, failureThreshold: 5 },
      ready: 70,
      failureWindow: 105,
      livenessRestart: 135,
    },
    {
      name: "successThreshold 3 needs three periods",
      probe: { ...tcp, periodSeconds: 4, successThreshold: 3 },
      ready: 12,
      failureWindow: 9,
      livenessRestart: 15,
    },
    {
      name: "failureThreshold 1: the first timeout decides",
      probe: { ...tcp, initialDelaySeconds: 2, failureThreshold: 1, timeoutSeconds: 3 },
      ready: 12,
      failureWindow: 5,
      livenessRestart: 15,
    },
  ];

  it.each(cases)("$name", ({ probe, ready, failureWindow, livenessRestart }) => {
    expect(earliestSuccessSeconds(probe)).toBe(ready);
    expect(readinessFailureWindowSeconds(probe)).toBe(failureWindow);
    expect(livenessRestartSeconds(probe)).toBe(livenessRestart);
  });

  it("fills Kubernetes defaults for unset fields", () => {
    expect(resolvedProbe({ periodSeconds: 7 })).toEqual({
      initialDelaySeconds: 0,
      periodSeconds: 7,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    });
  });
});

describe("containerTiming", () => {
  const cases: Array<{ name: string; container: Container; expected: ReturnType<typeof containerTiming> }> = [
    {
      name: "no probes: ready at start, no failure window",
      container: { name: "c" },
      expected: { container: "c", readySeconds: 0, failureWindowSeconds: null, livenessRestartSeconds: null },
    },
    {
      name: "readiness and liveness",
      container: {
        name: "c",
        readinessProbe: { ...tcp, initialDelaySeconds: 5, periodSeconds: 5 },
        livenessProbe: { ...tcp, initialDelaySeconds: 30 },
      },
      expected: { container: "c", readySeconds: 10, failureWindowSeconds: 16, livenessRestartSeconds: 63 },
    },
    {
      name: "a startup probe holds readiness back",
      container: {
        name: "c",
        startupProbe: { ...tcp, periodSeconds: 5, failureThreshold: 30 },
        readinessProbe: { ...tcp, initialDelaySeconds: 2, periodSeconds: 5 },
      },
      // startup passes at 5 at the earliest; readiness then needs one period: 10.
      // failure certain after startup's window (0 + 29×5 + 1 = 146) plus readiness's (2 + 2×5 + 1 = 13).
      expected: { container: "c", readySeconds: 10, failureWindowSeconds: 159, livenessRestartSeconds: null },
    },
    {
      name: "a startup probe alone sets when the container is ready",
      container: { name: "c", startupProbe: { ...tcp, initialDelaySeconds: 10, periodSeconds: 5 } },
      expected: { container: "c", readySeconds: 15, failureWindowSeconds: null, livenessRestartSeconds: null },
    },
  ];

  it.each(cases)("$name", ({ container, expected }) => {
    expect(containerTiming(container)).toEqual(expected);
  });
});

describe("rolloutTiming", () => {
  it("base wordpress: ready at 10 s, failure window 16 s, 3 waves of 10 s, preStop drains 20 s", () => {
    const timing = rolloutTiming(deploymentNamed(renderBase(), "wordpress"), { slackSeconds: 10 });
    expect(timing).toMatchObject({
      readySeconds: 10,
      minReadySeconds: 0,
      availableSeconds: 10,
      failureWindowSeconds: 16,
      revertAfterSeconds: 26,
      stopSeconds: 20,
      terminationGracePeriodSeconds: 30,
      estimatedSeconds: 30,
      progressDeadlineSeconds: 600,
    });
  });

  it("plans for the pod count it is given (an autoscaler's minimum)", () => {
    expect(rolloutTiming(deploymentNamed(renderBase(), "wordpress"), { replicas: 6 }).estimatedSeconds).toBe(60);
  });

  it("base mysql (Recreate): old pod stops, then the new one needs 15 s", () => {
    const timing = rolloutTiming(deploymentNamed(renderBase(), "wordpress-mysql"));
    // readiness 10/5/1/6: ready at 15, failure window 10 + 5×5 + 1 = 36; no preStop, so stopping adds 0.
    expect(timing).toMatchObject({
      readySeconds: 15,
      failureWindowSeconds: 36,
      revertAfterSeconds: 36,
      stopSeconds: 0,
      estimatedSeconds: 15,
    });
  });

  const readiness = { ...tcp, initialDelaySeconds: 5, periodSeconds: 5 };
  const cases: Array<{
    name: string;
    deployment: Parameters<typeof rolloutTiming>[0];
    expected: Partial<ReturnType<typeof rolloutTiming>>;
  }> = [
    {
      name: "minReadySeconds adds to every wave",
      deployment: inlineDeployment({
        replicas: 4,
        minReadySeconds: 20,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
        template: { spec: { containers: [{ name: "a", readinessProbe: readiness }] } },
      }),
      expected: { readySeconds: 10, availableSeconds: 30, estimatedSeconds: 60 },
    },
    {
      name: "the slowest container sets the pace and the latest failure window counts",
      deployment: inlineDeployment({
        replicas: 2,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          spec: {
            containers: [
              { name: "a", readinessProbe: readiness },
              { name: "b", readinessProbe: { ...tcp, initialDelaySeconds: 30 } },
            ],
          },
        },
      }),
      expected: { readySeconds: 40, failureWindowSeconds: 51, estimatedSeconds: 80 },
    },
    {
      name: "Recreate adds the preStop sleep, capped by the grace period",
      deployment: inlineDeployment({
        replicas: 3,
        strategy: { type: "Recreate" },
        template: {
          spec: {
            terminationGracePeriodSeconds: 15,
            containers: [{ name: "a", readinessProbe: readiness, lifecycle: { preStop: { sleep: { seconds: 40 } } } }],
          },
        },
      }),
      expected: { stopSeconds: 15, estimatedSeconds: 25 },
    },
    {
      name: "no readiness probe: nothing tells failure apart, only the progress deadline",
      deployment: inlineDeployment({ progressDeadlineSeconds: 120 }),
      expected: {
        readySeconds: 0,
        failureWindowSeconds: null,
        revertAfterSeconds: null,
        estimatedSeconds: 0,
        progressDeadlineSeconds: 120,
      },
    },
    {
      name: "replicas 0: no rollout",
      deployment: inlineDeployment({ replicas: 0, template: { spec: { containers: [{ name: "a", readinessProbe: readiness }] } } }),
      expected: { estimatedSeconds: 0 },
    },
  ];

  it.each(cases)("$name", ({ deployment, expected }) => {
    expect(rolloutTiming(deployment)).toMatchObject(expected);
  });
});
