import type { CoreV1Event, V1Deployment, V1Pod, V1ReplicaSet } from "@kubernetes/client-node";
import { describe, expectTypeOf, it } from "vitest";
import type { Deployment, KubeEvent, Pod, ReplicaSet } from "../../src/health/index.ts";

// Checked by `tsc -p tsconfig.json`: informer objects go into the classifier without casts.
describe("client-node objects are classifier input", () => {
  it("V1Deployment, V1ReplicaSet, V1Pod and CoreV1Event fit the structural types", () => {
    expectTypeOf<V1Deployment>().toExtend<Deployment>();
    expectTypeOf<V1ReplicaSet>().toExtend<ReplicaSet>();
    expectTypeOf<V1Pod>().toExtend<Pod>();
    expectTypeOf<CoreV1Event>().toExtend<KubeEvent>();
  });
});
