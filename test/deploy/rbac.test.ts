// deploy/'s RBAC is what kustodian needs, no more and no less: end to end (the real watcher and
// the Lease against the simulator, Argo CD and Flux environments), every request must be allowed
// by the ClusterRole/Role built from deploy/, and every permission they grant must be used.
// (Every rollout end-to-end test also fails on a request deploy/ does not allow: test/rollout/harness.ts.)
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "../rollout/harness.ts";
import { checkRequests, deployPermissions, requestAttributes, type Permission } from "./rbac.ts";

let w: World;
let permissions: Permission[];
beforeAll(async () => {
  permissions = deployPermissions();
  w = await startWorld();
});
afterAll(async () => {
  await w.stop();
});

describe("deploy/ RBAC against the requests kustodian makes", () => {
  it("maps requests to authorization attributes as the API server does", () => {
    expect(requestAttributes("GET", "/apis/apps/v1/namespaces/x/deployments?watch=true&resourceVersion=5")).toEqual({
      verb: "watch",
      apiGroup: "apps",
      resource: "deployments",
      namespace: "x",
    });
    expect(requestAttributes("GET", "/api/v1/namespaces/x/events?fieldSelector=involvedObject.kind%3DPod")).toMatchObject({
      verb: "list",
      apiGroup: "",
      resource: "events",
    });
    expect(requestAttributes("PUT", "/apis/coordination.k8s.io/v1/namespaces/k/leases/kustodian-watcher")).toEqual({
      verb: "update",
      apiGroup: "coordination.k8s.io",
      resource: "leases",
      namespace: "k",
      name: "kustodian-watcher",
    });
    expect(requestAttributes("GET", "/api/v1/watch/namespaces/x/pods")).toMatchObject({ verb: "watch", resource: "pods" });
    expect(requestAttributes("PATCH", "/apis/apps/v1/namespaces/x/deployments/web/scale")).toMatchObject({
      verb: "patch",
      resource: "deployments/scale",
    });
    expect(requestAttributes("GET", "/apis")).toBeUndefined();
    expect(requestAttributes("GET", "/version")).toBeUndefined();
    expect(requestAttributes("GET", "/apis/apps/v1")).toBeUndefined();
    expect(requestAttributes("GET", "/api/v1/namespaces")).toMatchObject({ verb: "list", resource: "namespaces" });
  });

  it("the checker finds a request deploy/ does not allow and a permission never used", () => {
    const result = checkRequests(permissions, [
      { method: "GET", path: "/api/v1/namespaces/x/secrets", watch: false },
      { method: "PUT", path: "/apis/coordination.k8s.io/v1/namespaces/kustodian/leases/someone-else", watch: false },
    ]);
    expect(result.denied).toEqual([
      "GET /api/v1/namespaces/x/secrets → list core/secrets in x",
      "PUT /apis/coordination.k8s.io/v1/namespaces/kustodian/leases/someone-else → update coordination.k8s.io/leases in kustodian",
    ]);
    expect(result.unused).toHaveLength(permissions.length);
  });

  it(
    "a merge watched in an Argo CD and a Flux environment, handed off by the replica without the Lease, and the Lease taken and released: every request allowed, every permission used",
    async () => {
      const leader = await w.newReplica({ identity: "kustodian-0" });
      await w.deploy(["prod", "dev"]);
      await w.run(() => leader.leadership.isLeader());
      const standby = await w.newReplica({ identity: "kustodian-1" });
      const { mergeSha } = await w.merge({
        number: 9,
        title: "Bump wordpress in dev and prod",
        branch: "bump-both",
        edits: [
          ["environments/prod.yaml", "image: wordpress:6.5.5-apache", "image: wordpress:6.6.2-apache"],
          ["environments/dev.yaml", "image: wordpress:6.6.2-apache", "image: wordpress:6.7.1-apache"],
        ],
        deliverWith: standby,
      });
      const done = (env: string) =>
        ["success", "failure"].includes(
          w.h.github.deployments.find((d) => d.environment === env && d.sha === mergeSha)?.statuses.at(-1)?.state ?? "",
        );
      await w.run(() => leader.leadership.isLeader() && done("prod") && done("dev"));
      expect(leader.orchestrator.watching()).toEqual([]);
      await leader.leadership.stop();

      const result = checkRequests(permissions, w.sim.requests());
      expect(result.denied).toEqual([]);
      expect(result.unused).toEqual([]);
    },
    180_000,
  );
});
