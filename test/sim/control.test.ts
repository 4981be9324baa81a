// The simulator as a separate program driven over its control channel (main.ts --control): what
// a benchmark in another process relies on — objects applied and patched, rollouts waited for,
// and the time each change was written to a watch stream, on the clock both processes share.
import { Watch } from "@kubernetes/client-node";
import { afterAll, beforeAll, expect, it } from "vitest";
import { forkSimulator, type SimulatorProcess } from "./control-client.ts";
import type { ControlState } from "./control.ts";
import { sharedNow } from "./shared-clock.ts";
import { makeKubeConfig } from "./kubeconfig.ts";
import type { KubeObject } from "./types.ts";

let sim: SimulatorProcess;
beforeAll(async () => {
  sim = await forkSimulator(["--nodes", "2"]);
});
afterAll(async () => {
  await sim.stop();
});

function configMap(name: string, value: string): KubeObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace: "default" }, data: { value } } as KubeObject;
}

it("applies, patches and reports when each change was served on a watch, in another process", async () => {
  const kc = makeKubeConfig(sim.url);
  const received: { type: string; rv: string; value: string; at: number }[] = [];
  const watch = await new Watch(kc).watch(
    "/api/v1/namespaces/default/configmaps",
    {},
    (type, object: { metadata: { resourceVersion: string }; data: { value: string } }) => {
      received.push({ type, rv: object.metadata.resourceVersion, value: object.data.value, at: sharedNow() });
    },
    () => {},
  );
  try {
    const before = sharedNow();
    expect(await sim.request({ op: "apply", objects: [configMap("settings", "one")] })).toBe(1);
    await sim.request({
      op: "patch",
      patches: [
        {
          ref: { apiVersion: "v1", kind: "ConfigMap", namespace: "default", name: "settings" },
          type: "merge",
          patch: { data: { value: "two" } },
        },
      ],
    });
    const deadline = Date.now() + 10_000;
    while (received.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(received.map((r) => [r.type, r.value])).toEqual([
      ["ADDED", "one"],
      ["MODIFIED", "two"],
    ]);

    const asked = sharedNow();
    const served = await sim.request<(number | null)[]>({ op: "served", resourceVersions: [...received.map((r) => r.rv), "999999999"] });
    // Served after the request was sent and before it was asked about; never for a change not
    // written. Not necessarily before this process read it: the simulator stamps a change in the
    // socket write's callback, which runs after the kernel took the bytes, and this process may
    // read them first (seen on a clean clone: 1 ms after).
    for (const r of received.keys()) {
      expect(served[r]).toBeGreaterThanOrEqual(before);
      expect(served[r]).toBeLessThanOrEqual(asked);
    }
    expect(served[0]!).toBeLessThanOrEqual(served[1]!);
    expect(served[2]).toBeNull();

    const state = await sim.request<ControlState>({ op: "state" });
    expect(state.resourceVersion).toBe(received[1]!.rv);
    expect(state.openWatches).toBe(1);
  } finally {
    watch.abort();
  }
});

it("waits for every Deployment to roll out, and answers a bad request with an error, not a crash", async () => {
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default" },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        // Ready only after a probe 1 s after the start: the program's lazy ticks still run the kubelet when that is due.
        spec: {
          containers: [
            { name: "web", image: "nginx:1.27", readinessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 1, periodSeconds: 1 } },
          ],
        },
      },
    },
  } as KubeObject;
  await sim.request({ op: "apply", objects: [deployment] });
  expect(await sim.request<number>({ op: "wait-rolled-out", maxSimulatedMs: 30_000 })).toBeGreaterThanOrEqual(1000);

  await expect(
    sim.request({
      op: "patch",
      patches: [{ ref: { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "nope" }, type: "merge", patch: {} }],
    }),
  ).rejects.toThrow(/Deployment default\/nope not found/);
  expect((await sim.request<ControlState>({ op: "state" })).now).toBeLessThanOrEqual(Date.now());
});
