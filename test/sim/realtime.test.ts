// The real-time clock: simulated time is wall-clock time, and the controllers run on a ticker.
import { AppsV1Api } from "@kubernetes/client-node";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, expect, it } from "vitest";
import { getCondition } from "./conditions.ts";
import { rolloutComplete } from "./helpers.ts";
import { startSimulator, type Simulator } from "./index.ts";
import type { Deployment, Pod } from "./types.ts";

let sim: Simulator;
beforeEach(async () => {
  sim = await startSimulator({ clock: "real", pullSeconds: 0 });
});
afterEach(async () => {
  await sim.stop();
});

it("rolls out a small Deployment in about a second of wall-clock time, with wall-clock timestamps", async () => {
  const wallStart = Date.now();
  const realStart = performance.now();
  await sim.kubeConfig.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace: "default",
    body: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "quick", namespace: "default" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "quick" } },
        template: {
          metadata: { labels: { app: "quick" } },
          spec: {
            containers: [
              { name: "web", image: "nginx:1.27", readinessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 1, periodSeconds: 1 } },
            ],
          },
        },
      },
    },
  });
  const ref = { apiVersion: "apps/v1", kind: "Deployment", namespace: "default", name: "quick" };
  await sim.clock.runUntil(() => rolloutComplete(sim.store.get<Deployment>(ref) as Deployment), { maxSimulatedMs: 5000 });
  const realMs = performance.now() - realStart;

  // Ready after initialDelaySeconds (1 s) of real time: the run waited at least that long.
  expect(realMs).toBeGreaterThanOrEqual(950);
  const pod = sim.store.list<Pod>({ apiVersion: "v1", kind: "Pod", namespace: "default" })[0];
  const readyAt = Date.parse(getCondition(pod?.status?.conditions, "Ready")?.lastTransitionTime ?? "");
  const startedAt = Date.parse((pod?.status?.containerStatuses?.[0]?.state as { running: { startedAt: string } }).running.startedAt);
  // The probe's timing is kept in simulated time however late the ticker ran: Ready exactly
  // initialDelaySeconds after the container started.
  expect(readyAt - startedAt).toBe(1000);
  expect(readyAt).toBeGreaterThanOrEqual(Math.floor(wallStart / 1000) * 1000);
  expect(readyAt).toBeLessThanOrEqual(Date.now());
  // Simulated time is wall-clock time: never ahead of it, and it catches up with it (however
  // busy the machine, so no bound on how fast).
  expect(sim.clock.now()).toBeLessThanOrEqual(Date.now());
  const wall = Date.now();
  while (sim.clock.now() < wall) await sleep(5);
  expect(() => sim.clock.advance(1000)).toThrow(/fast clock/);
});

it("answers the API while the controllers settle: they run in the background, yielding between objects", async () => {
  const background = await startSimulator({ clock: "real", lazyTicks: true, sliceMs: 0 });
  try {
    for (let i = 0; i < 50; i++) {
      background.store.create({
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: `app-${i}`, namespace: "default" },
        spec: {
          replicas: 1,
          progressDeadlineSeconds: 600,
          selector: { matchLabels: { app: `app-${i}` } },
          template: { metadata: { labels: { app: `app-${i}` } }, spec: { containers: [{ name: "app", image: "app:v1" }] } },
        },
      } as Deployment);
    }
    // The writes started the settling; the list is answered before the controllers are done
    // (a synchronous settle would have run first, and every Deployment would have its status).
    const response = await fetch(`${background.url}/apis/apps/v1/namespaces/default/deployments`);
    const list = (await response.json()) as { items: Deployment[] };
    expect(list.items).toHaveLength(50);
    expect(list.items.filter((d) => d.status?.observedGeneration === undefined).length).toBeGreaterThan(0);
    // And they do finish.
    await background.clock.runUntil(
      () => background.store.list<Deployment>({ apiVersion: "apps/v1", kind: "Deployment" }).every(rolloutComplete),
      { maxSimulatedMs: 10_000 },
    );
  } finally {
    await background.stop();
  }
});
