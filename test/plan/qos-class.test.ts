import { describe, expect, it } from "vitest";
import type { Container } from "../../src/k8s/manifest-types.ts";
import { podQos } from "../../src/plan/qos-class.ts";

const both = (cpu: string, memory: string) => ({ cpu, memory });

describe("podQos", () => {
  const cases: Array<{ name: string; containers: Container[]; initContainers?: Container[]; expected: ReturnType<typeof podQos> }> = [
    {
      name: "requests == limits in every container: Guaranteed",
      containers: [
        { name: "foo", resources: { requests: both("10m", "1Gi"), limits: both("10m", "1Gi") } },
        { name: "bar", resources: { requests: both("100m", "100Mi"), limits: both("100m", "100Mi") } },
      ],
      expected: { qosClass: "Guaranteed", reasons: [] },
    },
    {
      name: "only limits: requests default to limits, Guaranteed (seed 000)",
      containers: [
        { name: "foo", resources: { limits: both("10m", "1Gi") } },
        { name: "bar", resources: { limits: both("100m", "100Mi") } },
      ],
      expected: { qosClass: "Guaranteed", reasons: [] },
    },
    {
      name: "equal quantities written differently still match",
      containers: [{ name: "foo", resources: { requests: both("0.5", "1024Mi"), limits: both("500m", "1Gi") } }],
      expected: { qosClass: "Guaranteed", reasons: [] },
    },
    {
      name: "one container without resources: Burstable",
      containers: [{ name: "foo", resources: { limits: both("10m", "1Gi"), requests: both("10m", "1Gi") } }, { name: "bar" }],
      expected: { qosClass: "Burstable", reasons: ["container bar sets no cpu limit", "container bar sets no memory limit"] },
    },
    {
      name: "memory limit in one container, cpu limit in another: Burstable (seed 000)",
      containers: [
        { name: "foo", resources: { limits: { memory: "1Gi" } } },
        { name: "bar", resources: { limits: { cpu: "100m" } } },
      ],
      expected: { qosClass: "Burstable", reasons: ["container foo sets no cpu limit", "container bar sets no memory limit"] },
    },
    {
      name: "request lower than limit: Burstable, says which",
      containers: [{ name: "app", resources: { requests: both("100m", "100Mi"), limits: both("200m", "100Mi") } }],
      expected: { qosClass: "Burstable", reasons: ["container app requests 100m cpu but limits it to 200m"] },
    },
    {
      name: "nothing set anywhere: BestEffort",
      containers: [{ name: "foo" }, { name: "bar", resources: {} }],
      expected: { qosClass: "BestEffort", reasons: ["no container sets cpu or memory requests or limits"] },
    },
    {
      name: "only other resources (ephemeral-storage): still BestEffort",
      containers: [{ name: "foo", resources: { limits: { "ephemeral-storage": "1Gi" } } }],
      expected: { qosClass: "BestEffort", reasons: ["no container sets cpu or memory requests or limits"] },
    },
    {
      name: "an init container without limits makes it Burstable",
      containers: [{ name: "app", resources: { limits: both("1", "1Gi") } }],
      initContainers: [{ name: "init", resources: { requests: { cpu: "100m" } } }],
      expected: { qosClass: "Burstable", reasons: ["container init sets no cpu limit", "container init sets no memory limit"] },
    },
    {
      name: "Kubernetes compares sums: opposite differences cancel out",
      containers: [
        { name: "a", resources: { requests: both("100m", "1Gi"), limits: both("200m", "1Gi") } },
        { name: "b", resources: { requests: both("200m", "1Gi"), limits: both("100m", "1Gi") } },
      ],
      expected: { qosClass: "Guaranteed", reasons: [] },
    },
  ];

  it.each(cases)("$name", ({ containers, initContainers, expected }) => {
    expect(podQos({ containers, ...(initContainers === undefined ? {} : { initContainers }) })).toEqual(expected);
  });
});
