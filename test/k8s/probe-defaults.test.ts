import { describe, expect, it } from "vitest";
import { readinessDeadlineMs, readinessFailureWindowSeconds } from "../../src/health/index.ts";
import type { Probe } from "../../src/k8s/manifest-types.ts";
import { probeDefaults, resolvedProbe } from "../../src/k8s/probe-defaults.ts";
import { containerTiming } from "../../src/plan/probe-timing.ts";

// One reading of a probe for the verdict and the plan, as the API server defaults it:
// absent or 0 -> 1 s timeout, 10 s period, 1 success, 3 failures; initialDelaySeconds 0.
describe("resolvedProbe: Kubernetes' defaults (SetDefaults_Probe)", () => {
  const cases: Array<{ name: string; probe: Probe; resolved: Partial<typeof probeDefaults> }> = [
    { name: "nothing set", probe: {}, resolved: {} },
    { name: "periodSeconds 0 is the default 10", probe: { periodSeconds: 0 }, resolved: { periodSeconds: 10 } },
    { name: "timeoutSeconds 0 is the default 1", probe: { timeoutSeconds: 0 }, resolved: { timeoutSeconds: 1 } },
    { name: "successThreshold 0 is the default 1", probe: { successThreshold: 0 }, resolved: { successThreshold: 1 } },
    { name: "failureThreshold 0 is the default 3", probe: { failureThreshold: 0 }, resolved: { failureThreshold: 3 } },
    { name: "initialDelaySeconds 0 stays 0", probe: { initialDelaySeconds: 0 }, resolved: { initialDelaySeconds: 0 } },
    { name: "a negative initialDelaySeconds counts as 0", probe: { initialDelaySeconds: -5 }, resolved: { initialDelaySeconds: 0 } },
    {
      name: "values set are kept",
      probe: { initialDelaySeconds: 5, periodSeconds: 7, timeoutSeconds: 2, successThreshold: 2, failureThreshold: 4 },
      resolved: { initialDelaySeconds: 5, periodSeconds: 7, timeoutSeconds: 2, successThreshold: 2, failureThreshold: 4 },
    },
  ];
  it.each(cases)("$name", ({ probe, resolved }) => {
    expect(resolvedProbe(probe)).toEqual({ ...probeDefaults, ...resolved });
  });
});

describe("the verdict and the plan count the same window", () => {
  const cases: Array<{ name: string; probe: Probe; window: number }> = [
    { name: "defaults", probe: {}, window: 21 },
    { name: "periodSeconds 0", probe: { periodSeconds: 0 }, window: 21 },
    { name: "every defaulted field 0", probe: { periodSeconds: 0, timeoutSeconds: 0, failureThreshold: 0 }, window: 21 },
    {
      name: "base WordPress 5/5/1/3",
      probe: { initialDelaySeconds: 5, periodSeconds: 5, timeoutSeconds: 1, failureThreshold: 3 },
      window: 16,
    },
  ];
  it.each(cases)("$name -> $window s", ({ probe, window }) => {
    const plan = containerTiming({ name: "c", readinessProbe: probe });
    expect(plan.failureWindowSeconds).toBe(window);
    expect(readinessFailureWindowSeconds(probe)).toBe(window);
    const started = Date.parse("2026-01-01T00:00:00Z");
    const deadline = readinessDeadlineMs(
      { name: "c", readinessProbe: probe },
      { name: "c", started: true, state: { running: { startedAt: new Date(started) } } },
      0,
    );
    expect(deadline).toBe(started + window * 1000);
  });

  it("periodSeconds 0 waits 10 s per period before the plan calls the pod ready", () => {
    expect(containerTiming({ name: "c", readinessProbe: { periodSeconds: 0 } }).readySeconds).toBe(10);
  });
});
