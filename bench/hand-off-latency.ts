// Any replica's push is watched at once (issue 13): real time from the push webhook reaching a
// replica to the Lease holder's watch of the merge starting, when the push reaches the leader
// itself and when it reaches the other replica (which hands the merge off through a ConfigMap the
// leader's informer sees: src/rollout/hand-off.ts). Prints milliseconds and the ratio; asserts
// nothing.
//
// In one process, as the end-to-end tests run it (test/rollout/harness.ts): two replicas with
// their own Probot app, orchestrator, watcher and Lease candidacy; the git-backed fake GitHub
// behind nock (no network latency: what is measured is kustodian's own work, mostly the two
// kustomize renders of the push, plus the hand-off); the cluster simulator over loopback HTTP.
// The leader's poll is 60 s: without the hand-off the non-leader's push would wait for it.
//
// Run: npx node bench/hand-off-latency.ts     RUNS=3
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { HAND_OFF_LABEL } from "../src/cluster/watched-kinds.ts";
import { startWorld, type World } from "../test/rollout/harness.ts";

const RUNS = Number(process.env["RUNS"] ?? 3);
const lease = { durationSeconds: 4, renewDeadlineSeconds: 3, retrySeconds: 1 };

async function until(done: () => boolean, boundMs = 120_000): Promise<void> {
  const started = performance.now();
  while (!done()) {
    if (performance.now() - started > boundMs) throw new Error("bench: condition not met");
    await sleep(1);
  }
}

/**
 * ms from the push reaching `to` ("leader" or "standby") to the leader's watch starting, and for
 * the standby, from its hand-off record being written to the leader's watch starting.
 */
async function once(to: "leader" | "standby", run: number): Promise<{ ms: number; handOffMs?: number }> {
  let w: World | undefined;
  try {
    w = await startWorld();
    const world = w;
    await world.deploy(["prod"]);
    await world.first.kill();
    const leader = await world.newReplica({ identity: "replica-a", lease });
    await world.run(() => leader.leadership.isLeader());
    const standby = await world.newReplica({ identity: "replica-b", lease });
    const { push } = await world.merge({
      number: 7 + run,
      title: "Bump wordpress",
      branch: `bump-${run}`,
      edits: [["environments/prod.yaml", "image: wordpress:6.5.5-apache", "image: wordpress:6.6.2-apache"]],
      deliverWith: false,
    });
    const via = to === "leader" ? leader : standby;
    let written: number | undefined;
    const off = world.sim.store.onChange((change) => {
      if (written === undefined && change.object.kind === "ConfigMap" && change.object.metadata.labels?.[HAND_OFF_LABEL])
        written = performance.now();
    });
    const started = performance.now();
    const delivered = via.deliver("push", push);
    await until(() => leader.watcher.stats().rollouts === 1);
    const watched = performance.now();
    off();
    await delivered;
    await via.settle();
    return { ms: watched - started, ...(written !== undefined ? { handOffMs: watched - written } : {}) };
  } finally {
    await w?.stop();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const leaderMs: number[] = [];
const standbyMs: number[] = [];
const handOffMs: number[] = [];
for (let run = 0; run < RUNS; run++) {
  leaderMs.push((await once("leader", run)).ms);
  const other = await once("standby", run);
  standbyMs.push(other.ms);
  handOffMs.push(other.handOffMs ?? NaN);
  console.log(
    `run ${run + 1}: push to the leader -> watched ${leaderMs.at(-1)!.toFixed(0)} ms; to the other replica -> watched by the leader ${other.ms.toFixed(0)} ms, of which record written -> watched ${handOffMs.at(-1)!.toFixed(0)} ms`,
  );
}
const [l, s, h] = [median(leaderMs), median(standbyMs), median(handOffMs)];
console.log(
  `median: leader ${l.toFixed(0)} ms, other replica ${s.toFixed(0)} ms (goal <= 2000 ms); ratio other/leader ${(s / l).toFixed(2)}; the hand-off itself (record written -> watched) ${h.toFixed(0)} ms`,
);
console.log(
  `load average while measured: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}`,
);
process.exit(0);
