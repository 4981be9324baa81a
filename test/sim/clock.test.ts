// The fast clock: deterministic runs, stepping from wake-up to wake-up, and honest timeouts.
import { expect, it } from "vitest";
import { deployment, renderBase, rolloutComplete } from "./helpers.ts";
import { startSimulator, type Simulator } from "./index.ts";
import type { Deployment } from "./types.ts";

async function scenario(seed?: number): Promise<string> {
  const sim: Simulator = await startSimulator(seed === undefined ? {} : { seed });
  try {
    sim.apply(renderBase());
    await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")));
    sim.store.mutate<Deployment>({ apiVersion: "apps/v1", kind: "Deployment", namespace: "kube-example", name: "wordpress" }, (d) => {
      d.spec.template.spec.containers[0]!.image = "wordpress:crashloop";
    });
    sim.clock.advance(300_000);
    const kinds = [
      { apiVersion: "apps/v1", kind: "Deployment" },
      { apiVersion: "apps/v1", kind: "ReplicaSet" },
      { apiVersion: "v1", kind: "Pod" },
      { apiVersion: "v1", kind: "Event" },
    ];
    return JSON.stringify(kinds.map((k) => sim.store.list(k)));
  } finally {
    await sim.stop();
  }
}

it("produces identical clusters (names, uids, timestamps, resourceVersions) from identical runs", async () => {
  const first = await scenario();
  expect(await scenario()).toBe(first);
  expect(await scenario(7)).not.toBe(first);
});

it("jumps from one wake-up to the next and reports when nothing is scheduled", async () => {
  const sim = await startSimulator();
  try {
    expect(sim.clock.iso()).toBe("2025-01-01T00:00:00Z");
    expect(sim.clock.step()).toBe(false);
    sim.apply({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "default" },
      spec: { containers: [{ name: "c", image: "web:1", readinessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 7 } }] },
    });
    expect(sim.clock.nextWakeAt()).toBe(Date.parse("2025-01-01T00:00:01Z")); // image pulled
    expect(sim.clock.step()).toBe(true);
    expect(sim.clock.nextWakeAt()).toBe(Date.parse("2025-01-01T00:00:08Z")); // first readiness probe
    expect(sim.clock.step()).toBe(true);
    expect(sim.clock.step()).toBe(false);
    await expect(sim.clock.runUntil(() => false, { maxSimulatedMs: 60_000, settleRealMs: 0 })).rejects.toThrow(
      /within 60 simulated seconds/,
    );
  } finally {
    await sim.stop();
  }
});
