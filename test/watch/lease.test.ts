// Leader election on a Lease in the simulator, two candidates, simulated time.
import { CoordinationV1Api } from "@kubernetes/client-node";
import { afterEach, beforeEach, expect, it } from "vitest";
import { createLeaderElector, type LeaderElector } from "../../src/cluster/lease.ts";
import { startSimulator, type Simulator } from "../sim/index.ts";
import { simClock } from "./helpers.ts";

let sim: Simulator;
let electors: LeaderElector[];
const log: string[] = [];

beforeEach(async () => {
  sim = await startSimulator({ clock: "fast" });
  electors = [];
  log.length = 0;
});
afterEach(async () => {
  for (const e of electors) await e.stop({ release: false });
  await sim.stop();
});

function elector(
  identity: string,
  timings: { leaseDurationSeconds: number; renewSeconds: number; renewDeadlineSeconds: number } = {
    leaseDurationSeconds: 15,
    renewSeconds: 2,
    renewDeadlineSeconds: 10,
  },
): LeaderElector {
  const e = createLeaderElector({
    kubeConfig: sim.kubeConfig,
    namespace: "kustodian",
    name: "kustodian-watcher",
    identity,
    clock: simClock(sim),
    ...timings,
    onStartedLeading: () => log.push(`${sim.clock.elapsed() / 1000}s ${identity} leads`),
    onStoppedLeading: () => log.push(`${sim.clock.elapsed() / 1000}s ${identity} stops`),
  });
  electors.push(e);
  return e;
}

/** Steps simulated time for `ms`, letting every in-flight Lease request finish before each step. */
async function runFor(ms: number, onStep?: () => void): Promise<void> {
  const end = sim.clock.now() + ms;
  const beforeStep = async (): Promise<void> => {
    await Promise.all(electors.map((e) => e.idle()));
    onStep?.();
  };
  await sim.clock.runUntil(
    async () => {
      await beforeStep();
      return sim.clock.now() >= end;
    },
    { beforeStep, maxStepMs: 1000 },
  );
}

async function lease(): Promise<{ holder: string | undefined; transitions: number | undefined }> {
  const l = await sim.kubeConfig
    .makeApiClient(CoordinationV1Api)
    .readNamespacedLease({ name: "kustodian-watcher", namespace: "kustodian" });
  return { holder: l.spec?.holderIdentity, transitions: l.spec?.leaseTransitions };
}

it("exactly one of two candidates leads, and keeps leading while it renews", async () => {
  const a = elector("pod-a");
  const b = elector("pod-b");
  a.start();
  b.start();
  let steps = 0;
  await runFor(60_000, () => {
    if (sim.clock.elapsed() === 0) return;
    steps++;
    expect(Number(a.isLeader()) + Number(b.isLeader())).toBe(1);
  });
  expect(steps).toBeGreaterThan(50);
  expect(log).toEqual(["0s pod-a leads"]);
  expect(await lease()).toEqual({ holder: "pod-a", transitions: 0 });
  // Both found no Lease and created one at the same moment: the API server let one win (409 for the other).
  // Then renewals every 2 s, not re-creations.
  const writes = sim.requests().filter((r) => r.path.includes("/leases") && r.method !== "GET");
  expect(
    writes
      .filter((r) => r.method === "POST")
      .map((r) => r.status)
      .sort(),
  ).toEqual([201, 409]);
  expect(writes.filter((r) => r.method === "PUT" && r.status === 200).length).toBeGreaterThanOrEqual(29);
});

it("when the leader stops renewing, the other takes over once the lease has expired", async () => {
  const a = elector("pod-a");
  const b = elector("pod-b");
  a.start();
  await runFor(1000);
  b.start();
  await runFor(10_000);
  expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);

  await a.stop({ release: false }); // a crash: no release, the Lease must expire
  const stoppedAt = sim.clock.elapsed();
  let tookOverAt: number | undefined;
  await runFor(30_000, () => {
    if (b.isLeader() && tookOverAt === undefined) tookOverAt = sim.clock.elapsed();
  });
  expect(b.isLeader()).toBe(true);
  // a renewed at most 2 s before it stopped; b saw that renewal at most one retry (2 s) later and
  // takes over the moment 15 s have passed since: within the lease duration + 2 s of the crash.
  expect(tookOverAt! - stoppedAt).toBeGreaterThanOrEqual(13_000);
  expect(tookOverAt! - stoppedAt).toBeLessThanOrEqual(15_000 + 2000);
  expect(await lease()).toEqual({ holder: "pod-b", transitions: 1 });
  expect(log).toEqual(["0s pod-a leads", expect.stringMatching(/s pod-a stops$/), expect.stringMatching(/s pod-b leads$/)]);
});

it("a leader that stops cleanly releases the lease, and the other takes it at its next retry", async () => {
  const a = elector("pod-a");
  const b = elector("pod-b");
  a.start();
  b.start();
  await runFor(5000);
  await a.stop();
  const stoppedAt = sim.clock.elapsed();
  let tookOverAt: number | undefined;
  await runFor(5000, () => {
    if (b.isLeader() && tookOverAt === undefined) tookOverAt = sim.clock.elapsed();
  });
  expect(tookOverAt! - stoppedAt).toBeLessThanOrEqual(2000);
});

it("a leader that cannot reach the API server steps down after the renew deadline", async () => {
  const a = elector("pod-a");
  a.start();
  await runFor(3000);
  expect(a.isLeader()).toBe(true);
  sim.faults.failNext(1000, { path: "/leases", status: 503 });
  let steppedDownAfter: number | undefined;
  const from = sim.clock.elapsed();
  await runFor(20_000, () => {
    if (!a.isLeader() && steppedDownAfter === undefined) steppedDownAfter = sim.clock.elapsed() - from;
  });
  expect(steppedDownAfter).toBeGreaterThanOrEqual(8000);
  expect(steppedDownAfter).toBeLessThanOrEqual(12_000);
  sim.faults.clear();
});

it("a standby that saw the last renewal a retry late still takes over within the lease duration + one retry of the crash", async () => {
  // Duration 13 s, retry 4 s: a standby retrying every 4 s from when it saw a renewal would look
  // 12 s and 16 s later, 3 s after the expiry.
  const timings = { leaseDurationSeconds: 13, renewSeconds: 4, renewDeadlineSeconds: 10 };
  const a = elector("pod-a", timings);
  const b = elector("pod-b", timings);
  a.start(); // renews at 0, 4, 8, 12 s
  await runFor(3000);
  b.start(); // looks at 3, 7, 11, 15 s: 3 s after each renewal
  await runFor(9000);
  expect([a.isLeader(), b.isLeader()]).toEqual([true, false]);
  // a crashes right after its renewal at 12 s, which b sees at 15 s: expired at 28 s by b's clock.
  await a.stop({ release: false });
  const stoppedAt = sim.clock.elapsed();
  let tookOverAt: number | undefined;
  await runFor(30_000, () => {
    if (b.isLeader() && tookOverAt === undefined) tookOverAt = sim.clock.elapsed();
  });
  expect(stoppedAt).toBe(12_000);
  // At its next retry after the expiry (client-go's way) b would lead at 31 s: 19 s after the crash.
  expect(tookOverAt! - stoppedAt).toBe(16_000);
  expect(tookOverAt! - stoppedAt).toBeLessThanOrEqual((13 + 4) * 1000);
});
