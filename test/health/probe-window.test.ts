import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  DEFAULT_SLACK_SECONDS,
  readinessDeadlineMs,
  readinessFailureWindowSeconds,
  type Container,
  type ContainerStatus,
  type Deployment,
  type Probe,
} from "../../src/health/index.ts";
import { probeDefaults } from "../../src/k8s/probe-defaults.ts";
import { BASE_PROBE, T0, at } from "./objects.ts";

const repoRoot = path.resolve(import.meta.dirname, "../..");

describe("readinessFailureWindowSeconds = initialDelay + (failureThreshold - 1) x period + timeout", () => {
  const cases: Array<{ name: string; probe: Probe; window: number }> = [
    { name: "all Kubernetes defaults (0/10/1/3)", probe: {}, window: 21 },
    { name: "base WordPress 5/5/1/3", probe: BASE_PROBE, window: 16 },
    {
      name: "60/10/5, failureThreshold 5",
      probe: { initialDelaySeconds: 60, periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 5 },
      window: 105,
    },
    {
      name: "failureThreshold 1: the first probe decides",
      probe: { initialDelaySeconds: 3, failureThreshold: 1, timeoutSeconds: 2 },
      window: 5,
    },
    { name: "only periodSeconds set", probe: { periodSeconds: 4 }, window: 9 },
    { name: "successThreshold does not change the failure window", probe: { ...BASE_PROBE, successThreshold: 3 }, window: 16 },
    {
      name: "non-positive period/timeout/threshold fall back to defaults",
      probe: { periodSeconds: 0, timeoutSeconds: 0, failureThreshold: 0 },
      window: 21,
    },
  ];
  it.each(cases)("$name -> $window s", ({ probe, window }) => {
    expect(readinessFailureWindowSeconds(probe)).toBe(window);
  });

  it("uses the documented defaults", () => {
    expect(probeDefaults).toEqual({
      initialDelaySeconds: 0,
      periodSeconds: 10,
      timeoutSeconds: 1,
      successThreshold: 1,
      failureThreshold: 3,
    });
    expect(DEFAULT_SLACK_SECONDS).toBe(2);
  });

  it("gives 16 s for the readiness probe in base/wordpress-deployment.yaml (the number the plan shows)", () => {
    const docs = parseAllDocuments(readFileSync(path.join(repoRoot, "base/wordpress-deployment.yaml"), "utf8"));
    const wordpress = docs.map((d) => d.toJS() as Deployment & { kind?: string }).find((d) => d.kind === "Deployment");
    const container = wordpress?.spec?.template?.spec?.containers?.find((c) => c.readinessProbe);
    expect(container?.readinessProbe).toBeDefined();
    expect(readinessFailureWindowSeconds(container!.readinessProbe!)).toBe(16);
  });
});

describe("readinessDeadlineMs", () => {
  const running = (startedAt: string | Date, extra: Partial<ContainerStatus> = {}): ContainerStatus => ({
    name: "web",
    ready: false,
    state: { running: { startedAt } },
    ...extra,
  });
  const web = (extra: Partial<Container> = {}): Container => ({ name: "web", readinessProbe: BASE_PROBE, ...extra });

  it("is container start + window + slack, for string and Date start times alike", () => {
    expect(readinessDeadlineMs(web(), running(at(0)), 2)).toBe(T0 + 18_000);
    expect(readinessDeadlineMs(web(), running(new Date(T0)), 2)).toBe(T0 + 18_000);
    expect(readinessDeadlineMs(web(), running(at(0)), 0)).toBe(T0 + 16_000);
  });

  it("does not apply without a readiness probe, before the container runs, or before the startup probe passed", () => {
    expect(readinessDeadlineMs({ name: "web" }, running(at(0)), 2)).toBeUndefined();
    expect(readinessDeadlineMs(undefined, running(at(0)), 2)).toBeUndefined();
    expect(readinessDeadlineMs(web(), { name: "web", state: { waiting: { reason: "ContainerCreating" } } }, 2)).toBeUndefined();
    expect(readinessDeadlineMs(web({ startupProbe: {} }), running(at(0), { started: false }), 2)).toBeUndefined();
  });

  it("adds the whole startup window once the startup probe passed (its pass time is not reported)", () => {
    const startup: Probe = { periodSeconds: 5, failureThreshold: 30 }; // 0 + 29 x 5 + 1 = 146
    expect(readinessDeadlineMs(web({ startupProbe: startup }), running(at(0), { started: true }), 2)).toBe(T0 + (146 + 16 + 2) * 1000);
  });
});
