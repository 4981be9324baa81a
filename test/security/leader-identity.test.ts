// Two replicas started with the same HOSTNAME must not both hold the Lease: the identity each
// process competes with is the hostname plus a random suffix (src/cluster/leader-identity.ts).
import { afterEach, beforeEach, expect, it } from "vitest";
import { leaderIdentity } from "../../src/cluster/leader-identity.ts";
import { createLeaderElector, type LeaderElector } from "../../src/cluster/lease.ts";
import { startSimulator, type Simulator } from "../sim/index.ts";
import { simClock } from "../watch/helpers.ts";

let sim: Simulator;
let electors: LeaderElector[];

beforeEach(async () => {
  sim = await startSimulator({ clock: "fast" });
  electors = [];
});
afterEach(async () => {
  for (const e of electors) await e.stop({ release: false });
  await sim.stop();
});

function elector(identity: string): LeaderElector {
  const e = createLeaderElector({
    kubeConfig: sim.kubeConfig,
    namespace: "kustodian",
    name: "kustodian-watcher",
    identity,
    clock: simClock(sim),
    leaseDurationSeconds: 15,
    renewSeconds: 2,
    renewDeadlineSeconds: 10,
    onStartedLeading: () => undefined,
    onStoppedLeading: () => undefined,
  });
  electors.push(e);
  return e;
}

/** Steps simulated time for `ms`; `onStep` runs after every in-flight Lease request has finished. */
async function runFor(ms: number, onStep: () => void): Promise<void> {
  const end = sim.clock.now() + ms;
  const beforeStep = async (): Promise<void> => {
    await Promise.all(electors.map((e) => e.idle()));
    onStep();
  };
  await sim.clock.runUntil(
    async () => {
      await beforeStep();
      return sim.clock.now() >= end;
    },
    { beforeStep, maxStepMs: 1000 },
  );
}

it("the identity keeps the hostname readable and differs per process", () => {
  const a = leaderIdentity("kustodian-7d9f-abcde");
  const b = leaderIdentity("kustodian-7d9f-abcde");
  expect(a).toMatch(/^kustodian-7d9f-abcde_[0-9a-f-]{36}$/);
  expect(a).not.toBe(b);
  expect(leaderIdentity(undefined, () => "u")).toBe("kustodian_u");
  expect(leaderIdentity("  ", () => "u")).toBe("kustodian_u");
});

it("two replicas with the same HOSTNAME: exactly one holds the Lease at every step", async () => {
  const a = elector(leaderIdentity("pod-a"));
  const b = elector(leaderIdentity("pod-a"));
  a.start();
  await runFor(1000, () => undefined);
  b.start();
  let steps = 0;
  let both = 0;
  await runFor(40_000, () => {
    if (sim.clock.elapsed() === 0) return;
    steps++;
    if (a.isLeader() && b.isLeader()) both++;
    expect(Number(a.isLeader()) + Number(b.isLeader())).toBe(1);
  });
  expect(steps).toBeGreaterThan(30);
  expect(both).toBe(0);
});

it("(why) with the bare hostname as identity both replicas take the Lease for their own", async () => {
  const a = elector("pod-a");
  const b = elector("pod-a");
  a.start();
  await runFor(1000, () => undefined);
  b.start();
  let both = 0;
  await runFor(20_000, () => {
    if (a.isLeader() && b.isLeader()) both++;
  });
  expect(both).toBeGreaterThan(0);
});
