import { describe, expect, it } from "vitest";
import type { DeploymentStrategy, HorizontalPodAutoscaler } from "../../src/k8s/manifest-types.ts";
import { plannedReplicas, rolloutShape } from "../../src/plan/rollout-shape.ts";
import { deploymentNamed, inlineDeployment, renderBase, withDeployment, withObject } from "./fixtures.ts";

type Expected = Partial<ReturnType<typeof rolloutShape>>;

const rollingUpdate = (maxSurge?: number | string, maxUnavailable?: number | string): DeploymentStrategy => ({
  type: "RollingUpdate",
  rollingUpdate: {
    ...(maxSurge === undefined ? {} : { maxSurge }),
    ...(maxUnavailable === undefined ? {} : { maxUnavailable }),
  },
});

describe("rolloutShape", () => {
  const cases: Array<{ name: string; replicas?: number; strategy?: DeploymentStrategy; expected: Expected }> = [
    {
      name: "seed example: 3 replicas, surge 1, unavailable 1",
      replicas: 3,
      strategy: rollingUpdate(1, 1),
      expected: { maxSurge: 1, maxUnavailable: 1, maxPods: 4, minAvailable: 2, waves: 2 },
    },
    {
      name: "base wordpress: 3 replicas, surge 1, unavailable 0 -> 3 waves",
      replicas: 3,
      strategy: rollingUpdate(1, 0),
      expected: { maxSurge: 1, maxUnavailable: 0, maxPods: 4, minAvailable: 3, waves: 3 },
    },
    {
      name: "defaults 25%/25% of 4: surge 1 up, unavailable 1 down",
      replicas: 4,
      expected: { strategy: "RollingUpdate", maxSurge: 1, maxUnavailable: 1, maxPods: 5, minAvailable: 3, waves: 2 },
    },
    {
      name: "defaults of 10: surge ceil(2.5)=3, unavailable floor(2.5)=2",
      replicas: 10,
      expected: { maxSurge: 3, maxUnavailable: 2, maxPods: 13, minAvailable: 8, waves: 2 },
    },
    {
      name: "defaults with replicas unset: 1 replica, surge ceil(0.25)=1, unavailable 0",
      expected: { replicas: 1, maxSurge: 1, maxUnavailable: 0, maxPods: 2, minAvailable: 1, waves: 1 },
    },
    {
      name: "only maxSurge given: maxUnavailable defaults to 25%",
      replicas: 8,
      strategy: rollingUpdate(0),
      expected: { maxSurge: 0, maxUnavailable: 2, minAvailable: 6, maxPods: 8, waves: 4 },
    },
    {
      name: "percentages both rounding to 0 leave 1 unavailable (ResolveFenceposts)",
      replicas: 3,
      strategy: rollingUpdate("0%", "10%"),
      expected: { maxSurge: 0, maxUnavailable: 1, minAvailable: 2, maxPods: 3, waves: 3 },
    },
    {
      name: "surge 0 and a percentage unavailable that rounds down to 0",
      replicas: 2,
      strategy: rollingUpdate(0, "25%"),
      expected: { maxSurge: 0, maxUnavailable: 1, minAvailable: 1, waves: 2 },
    },
    {
      name: "literal 0 and 0 is a validation error",
      replicas: 3,
      strategy: rollingUpdate(0, 0),
      expected: {
        maxSurge: 0,
        maxUnavailable: 0,
        waves: 0,
        error: "maxSurge and maxUnavailable may not both be 0: the rollout could never make progress",
      },
    },
    {
      name: "0% and 0 is also literally zero",
      replicas: 3,
      strategy: rollingUpdate("0%", 0),
      expected: { waves: 0, error: "maxSurge and maxUnavailable may not both be 0: the rollout could never make progress" },
    },
    {
      name: "maxUnavailable over 100% is a validation error",
      replicas: 3,
      strategy: rollingUpdate(1, "150%"),
      expected: { error: "maxUnavailable 150% may not be more than 100%" },
    },
    {
      name: "a string that is not a percentage is an error",
      replicas: 3,
      strategy: rollingUpdate("1", 0),
      expected: { error: 'maxSurge: "1" is neither an integer nor a percentage like "25%"' },
    },
    {
      name: "maxUnavailable larger than replicas is capped at replicas",
      replicas: 2,
      strategy: rollingUpdate(0, 5),
      expected: { maxUnavailable: 5, minAvailable: 0, maxPods: 2, waves: 1 },
    },
    {
      name: "100% surge replaces everything in one wave",
      replicas: 5,
      strategy: rollingUpdate("100%", 0),
      expected: { maxSurge: 5, maxPods: 10, minAvailable: 5, waves: 1 },
    },
    {
      name: "replicas 0: nothing to replace",
      replicas: 0,
      strategy: rollingUpdate(1, 0),
      expected: { maxPods: 0, minAvailable: 0, waves: 0 },
    },
    {
      name: "Recreate: all pods stop first, one wave",
      replicas: 3,
      strategy: { type: "Recreate" },
      expected: { strategy: "Recreate", maxSurge: 0, maxUnavailable: 3, minAvailable: 0, maxPods: 3, waves: 1, allPodsStopFirst: true },
    },
    {
      name: "Recreate with 0 replicas: 0 waves",
      replicas: 0,
      strategy: { type: "Recreate" },
      expected: { strategy: "Recreate", waves: 0, minAvailable: 0 },
    },
    {
      name: "Recreate with rollingUpdate set is a validation error",
      replicas: 1,
      strategy: { type: "Recreate", rollingUpdate: { maxSurge: 1 } },
      expected: { strategy: "Recreate", error: "strategy.rollingUpdate may not be set when strategy.type is Recreate" },
    },
    {
      name: "unknown strategy type is an error",
      replicas: 1,
      strategy: { type: "BlueGreen" },
      expected: { error: 'strategy.type "BlueGreen" is neither RollingUpdate nor Recreate' },
    },
  ];

  it.each(cases)("$name", ({ replicas, strategy, expected }) => {
    const shape = rolloutShape(
      inlineDeployment({ ...(replicas === undefined ? {} : { replicas }), ...(strategy === undefined ? {} : { strategy }) }),
    );
    expect(shape).toMatchObject(expected);
    if (!("error" in expected)) expect(shape.error).toBeUndefined();
  });

  it("reads the rendered base: wordpress 3 waves, mysql Recreate", () => {
    const objects = renderBase();
    expect(rolloutShape(deploymentNamed(objects, "wordpress"))).toEqual({
      strategy: "RollingUpdate",
      replicas: 3,
      maxSurge: 1,
      maxUnavailable: 0,
      minAvailable: 3,
      maxPods: 4,
      waves: 3,
      allPodsStopFirst: false,
    });
    expect(rolloutShape(deploymentNamed(objects, "wordpress-mysql"))).toMatchObject({ strategy: "Recreate", waves: 1, minAvailable: 0 });
  });
});

describe("plannedReplicas", () => {
  it("takes spec.replicas, else the owning autoscaler's minimum, else 1", () => {
    const objects = renderBase();
    expect(plannedReplicas(deploymentNamed(objects, "wordpress"), objects)).toBe(3);
    const unset = withObject(
      withDeployment(objects, "wordpress", (d) => delete d.spec.replicas),
      "HorizontalPodAutoscaler",
      "wordpress",
      (hpa) => void ((hpa as HorizontalPodAutoscaler).spec.minReplicas = 4),
    );
    expect(plannedReplicas(deploymentNamed(unset, "wordpress"), unset)).toBe(4);
    const withoutHpa = unset.filter((object) => object.kind !== "HorizontalPodAutoscaler");
    expect(plannedReplicas(deploymentNamed(withoutHpa, "wordpress"), withoutHpa)).toBe(1);
  });

  it("feeds rolloutShape: 4 pods under maxSurge 1 / maxUnavailable 0 are 4 waves", () => {
    const objects = renderBase();
    expect(rolloutShape(deploymentNamed(objects, "wordpress"), { replicas: 4 })).toMatchObject({
      replicas: 4,
      waves: 4,
      maxPods: 5,
      minAvailable: 4,
    });
  });
});
