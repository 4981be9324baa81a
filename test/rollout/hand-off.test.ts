// Replicas (issue 13): whichever replica receives the push, the Lease holder watches the merge at
// once (the hand-off record in the cluster, not the leader's 60 s poll); a leader that dies or
// stops mid-watch is replaced within the Lease duration plus one retry, and the new leader makes
// the one revert. Simulated time: the Lease timings and the "within 2 s" are on the simulator's
// clock, which stands still while a replica talks to GitHub or catches up with the cluster.
import { afterEach, describe, expect, it } from "vitest";
import { HAND_OFF_LABEL } from "../../src/cluster/watched-kinds.ts";
import { healthyAt, podsWithImage, startWorld, type World } from "./harness.ts";

let w: World;
afterEach(async () => {
  await w.stop();
  expect(w.h.github.unmatched.filter((u) => !u.includes("127.0.0.1"))).toEqual([]);
});

const bad = ["environments/prod.yaml", "image: wordpress:6.5.5-apache", "image: wordpress:6.7.1-bad"] as const;
const lease = { durationSeconds: 4, renewDeadlineSeconds: 3, retrySeconds: 1 };
const timeout = 240_000;

const prodOf = (sha: string) => w.h.github.deployments.find((d) => d.sha === sha && d.environment === "prod");
const handOffRecords = () =>
  w.sim.store.list({ apiVersion: "v1", kind: "ConfigMap", namespace: "kustodian" }).filter((c) => c.metadata.labels?.[HAND_OFF_LABEL]);

/** Two replicas as the server runs them (the harness's own app is not one of them): `a` leads, `b` stands by. */
async function twoReplicas() {
  w = await startWorld();
  await w.deploy(["prod"]);
  await w.first.kill();
  const a = await w.newReplica({ identity: "replica-a", lease });
  await w.run(() => a.leadership.isLeader());
  const b = await w.newReplica({ identity: "replica-b", lease });
  const from = w.sim.clock.now();
  await w.run(() => w.sim.clock.now() - from >= 3000);
  expect([a.leadership.isLeader(), b.leadership.isLeader()]).toEqual([true, false]);
  return { a, b };
}

describe("replicas", () => {
  it(
    "a push delivered only to the non-leader is watched within 2 s, without waiting for the leader's poll",
    async () => {
      const { a, b } = await twoReplicas();
      const resumes = w.h.github.count("installation-repositories");
      const deliveredAt = w.sim.clock.now();
      const { mergeSha } = await w.merge({ number: 7, title: "Bump wordpress", branch: "bump", edits: [bad], deliverWith: b });
      expect(b.watcher.stats().rollouts).toBe(0);
      await w.run(() => a.watcher.stats().rollouts === 1, 2000);
      expect(w.sim.clock.now() - deliveredAt).toBeLessThanOrEqual(2000);
      expect(w.h.github.count("installation-repositories")).toBe(resumes); // not the poll (60 s)
      await w.run(() => handOffRecords().length === 0);

      // The verdict waits for the Deployment the non-leader recorded; the leader reverts once.
      w.pushesTo = b; // the revert's push goes to the non-leader too, and is handed off as well
      await w.run(() => prodOf(mergeSha)?.statuses.at(-1)?.state === "failure");
      const reverts = w.revertCommits(mergeSha);
      expect(reverts).toHaveLength(1);
      expect(prodOf(mergeSha)!.statuses.map((s) => s.state)).toEqual(["in_progress", "in_progress", "failure"]);
      await w.run(() => prodOf(reverts[0]!.sha)?.statuses.at(-1)?.state === "success");
      expect(healthyAt(w.sim, "prod", "wordpress:6.5.5-apache")).toBe(true);
      expect(w.h.github.deployments).toHaveLength(2);
      expect(w.h.github.count("installation-repositories")).toBe(resumes);
    },
    timeout,
  );

  for (const ending of ["killed (the Lease is not released)", "stopped (the Lease is released)"] as const) {
    it(
      `the leader ${ending} mid-watch: the other replica takes over within the Lease duration + 2 s and makes the one revert`,
      async () => {
        const { a, b } = await twoReplicas();
        const { mergeSha } = await w.merge({ number: 7, title: "Bump wordpress", branch: "bump", edits: [bad], deliverWith: a });
        expect(a.orchestrator.watching()).toEqual([prodOf(mergeSha)!.id]);
        await w.run(() => podsWithImage(w.sim, "prod", "wordpress:6.7.1-bad").some((p) => p.status?.phase === "Running"));
        expect(prodOf(mergeSha)!.statuses.map((s) => s.state)).toEqual(["in_progress"]);

        const endedAt = w.sim.clock.now();
        if (ending.startsWith("killed")) await a.kill();
        else {
          await a.orchestrator.stop();
          await a.leadership.stop();
          a.alive = false;
        }
        w.pushesTo = b;
        await w.run(() => b.leadership.isLeader());
        const takeover = w.sim.clock.now() - endedAt;
        expect(takeover).toBeLessThanOrEqual(ending.startsWith("killed") ? (lease.durationSeconds + 2) * 1000 : lease.retrySeconds * 1000);

        await w.run(() => prodOf(mergeSha)!.statuses.at(-1)!.state === "failure");
        expect(w.revertCommits(mergeSha)).toHaveLength(1);
        expect(prodOf(mergeSha)!.statuses.map((s) => s.state)).toEqual(["in_progress", "in_progress", "failure"]);
        await w.run(() => healthyAt(w.sim, "prod", "wordpress:6.5.5-apache"));
        expect(w.revertCommits(mergeSha)).toHaveLength(1);
      },
      timeout,
    );
  }
});
