// Exactly once, end to end: a bot killed mid-rollout, a crash between the claim and the revert,
// a crash between the revert and the report, two replicas with one Lease holder, a push webhook
// that never arrived. Every time: one Deployment per merge and environment, one revert.
import { afterEach, describe, expect, it } from "vitest";
import { createDeployment } from "../../src/github/deployments.ts";
import { installationRepos } from "../../src/rollout/service.ts";
import { healthyAt, podsWithImage, startWorld, type World } from "./harness.ts";

let w: World;
afterEach(async () => {
  await w.stop();
  expect(w.h.github.unmatched.filter((u) => !u.includes("127.0.0.1"))).toEqual([]);
});

const bad = ["environments/prod.yaml", "image: wordpress:6.5.5-apache", "image: wordpress:6.7.1-bad"] as const;
const timeout = 180_000;

function statuses(sha: string): [string, string][] {
  const d = w.h.github.deployments.find((x) => x.sha === sha && x.environment === "prod")!;
  return d.statuses.map((s) => [s.state, s.description]);
}
const last = (sha: string) => statuses(sha).at(-1);
const runningBadPods = () => podsWithImage(w.sim, "prod", "wordpress:6.7.1-bad").some((p) => p.status?.phase === "Running");

describe("exactly once", () => {
  it(
    "the bot is killed mid-rollout; a new instance resumes the in-progress Deployment and makes the one revert",
    async () => {
      w = await startWorld();
      await w.deploy(["prod"]);
      const { mergeSha } = await w.merge({ number: 7, title: "Bump wordpress", branch: "bump", edits: [bad] });
      expect(w.first.orchestrator.watching()).toHaveLength(1);
      await w.run(runningBadPods);
      expect(last(mergeSha)![0]).toBe("in_progress");
      await w.first.kill();

      const second = await w.newInstance();
      const resumed = await second.orchestrator.resume(await second.repoClient());
      expect(resumed).toMatchObject({ resumed: [w.h.github.deployments[0]!.id], duplicates: [], recovered: [] });
      await w.run(() => last(mergeSha)![0] === "failure");
      expect(w.revertCommits(mergeSha)).toHaveLength(1);
      expect(statuses(mergeSha).map(([s]) => s)).toEqual(["in_progress", "in_progress", "failure"]);
      await w.run(() => healthyAt(w.sim, "prod", "wordpress:6.5.5-apache"));
      expect(w.revertCommits(mergeSha)).toHaveLength(1);
    },
    timeout,
  );

  it(
    "a crash after the claim and before the revert commit: the next instance watches again and makes the one revert",
    async () => {
      w = await startWorld();
      await w.deploy(["prod"]);
      w.h.github.failNext.push("createCommitOnBranch");
      const { mergeSha } = await w.merge({ number: 7, title: "Bump wordpress", branch: "bump", edits: [bad] });
      await w.run(() => (last(mergeSha)?.[1] ?? "").startsWith("Reverting: ") && w.first.orchestrator.watching().length === 0);
      expect(w.revertCommits(mergeSha)).toHaveLength(0);
      await w.first.kill();

      const second = await w.newInstance();
      await second.orchestrator.resume(await second.repoClient());
      await w.run(() => last(mergeSha)![0] === "failure");
      const reverts = w.revertCommits(mergeSha);
      expect(reverts).toHaveLength(1);
      // One claim: the second instance found it and did not claim again.
      expect(statuses(mergeSha)).toEqual([
        ["in_progress", `Watching wordpress in wordpress-prod for ${mergeSha.slice(0, 7)}`],
        ["in_progress", "Reverting: readiness not reached within the probe window"],
        ["failure", `readiness not reached within the probe window: reverted in ${reverts[0]!.sha.slice(0, 7)}`],
      ]);
    },
    timeout,
  );

  it(
    "a crash after the revert commit and before the report: the next instance finds the revert in git and only reports it",
    async () => {
      w = await startWorld();
      await w.deploy(["prod"]);
      w.h.github.failNext.push("comment");
      const { mergeSha } = await w.merge({ number: 7, title: "Bump wordpress", branch: "bump", edits: [bad] });
      await w.run(
        () => w.revertCommits(mergeSha).length === 1 && w.first.orchestrator.watching().every((id) => id !== w.h.github.deployments[0]!.id),
      );
      expect(last(mergeSha)![1]).toMatch(/^Reverting: /);
      await w.first.kill();

      const second = await w.newInstance();
      await second.orchestrator.resume(await second.repoClient());
      await w.run(() => last(mergeSha)![0] === "failure");
      const reverts = w.revertCommits(mergeSha);
      expect(reverts).toHaveLength(1);
      expect(w.h.github.count("createCommitOnBranch")).toBe(1);
      const comment = w.h.github.comments.get(7)!.find((c) => c.body.includes("<!-- kustodian:rollout:prod -->"))!;
      // The evidence survived the crash in the revert commit's message.
      expect(comment.body).toMatch(/- Pod\/wordpress-[a-z0-9-]+ container wordpress: Unhealthy: Readiness probe failed/);
      expect(comment.body).toContain(`↩️ **Reverted** in [\`${reverts[0]!.sha.slice(0, 7)}\`]`);
      expect(last(mergeSha)).toEqual([
        "failure",
        `readiness not reached within the probe window: reverted in ${reverts[0]!.sha.slice(0, 7)}`,
      ]);
    },
    timeout,
  );

  it(
    "two replicas: the one without the Lease records the merge and watches nothing; the Lease holder drops a racing duplicate, watches, reverts once",
    async () => {
      w = await startWorld({ isLeader: () => false });
      await w.deploy(["prod"]);
      const leader = await w.newInstance({ isLeader: () => true });
      const { mergeSha, push } = await w.merge({ number: 7, title: "Bump wordpress", branch: "bump", edits: [bad] });
      expect(w.h.github.deployments).toHaveLength(1);
      expect(w.first.orchestrator.watching()).toEqual([]);
      const [recorded] = w.h.github.deployments;

      // The loser of a create race between two replicas (both listed before either created).
      const gh = await leader.repoClient();
      const dup = await createDeployment(gh.octokit, {
        repo: gh.repo,
        ref: mergeSha,
        environment: "prod",
        payload: recorded!.payload as Record<string, unknown>,
        description: "racing replica",
      });

      const resumed = await leader.orchestrator.resume(gh);
      expect(resumed.resumed).toEqual([recorded!.id]);
      expect(resumed.duplicates).toEqual([dup.id]);
      expect(w.h.github.deployments.find((d) => d.id === dup.id)!.statuses.map((s) => [s.state, s.description])).toEqual([
        ["inactive", `Duplicate of deployment ${recorded!.id}`],
      ]);

      // The same push reaches the leader too: nothing new.
      await leader.deliver("push", push);
      await leader.settle();
      expect(w.h.github.deployments).toHaveLength(2);
      expect(leader.orchestrator.watching()).toEqual([recorded!.id]);

      w.pushesTo = leader;
      await w.run(() => recorded!.statuses.at(-1)!.state === "failure");
      expect(w.revertCommits(mergeSha)).toHaveLength(1);
      await w.run(() => healthyAt(w.sim, "prod", "wordpress:6.5.5-apache"));
    },
    timeout,
  );

  it(
    "the push webhook never arrived (a crash before the Deployment): the next start finds the merge among recent commits and handles it",
    async () => {
      w = await startWorld();
      await w.deploy(["prod"]);
      // An earlier merge that was handled: it has its Deployment and is not recorded again.
      const earlier = await w.merge({
        number: 6,
        title: "Scale prod",
        branch: "scale",
        edits: [["environments/prod.yaml", "replicas: 3", "replicas: 4"]],
      });
      await w.run(() => last(earlier.mergeSha)?.[0] === "success");
      await w.first.kill();

      const { mergeSha } = await w.merge({ number: 7, title: "Bump wordpress", branch: "bump", edits: [bad], deliverWith: false });
      expect(w.h.github.deployments).toHaveLength(1);
      const second = await w.newInstance();
      const resumed = await second.orchestrator.resume(await second.repoClient());
      expect(resumed.resumed).toEqual([]);
      expect(resumed.recovered).toEqual([{ mergeSha, deployments: [w.h.github.deployments[1]!.id] }]);
      expect(w.h.github.deployments.map((d) => d.sha)).toEqual([earlier.mergeSha, mergeSha]);
      expect(w.h.github.deployments[1]!.payload).toMatchObject({ pr: 7, baseSha: earlier.mergeSha, workloads: ["wordpress"] });

      await w.run(() => last(mergeSha)![0] === "failure");
      expect(w.revertCommits(mergeSha)).toHaveLength(1);
      // A second start finds everything recorded.
      const third = await w.newInstance();
      const again = await third.orchestrator.resume(await third.repoClient());
      expect(again.recovered).toEqual([]);
    },
    timeout,
  );

  it(
    "on becoming leader: the installations' repositories are listed and resumed, and the poll picks up what the other replica records later",
    async () => {
      w = await startWorld({ isLeader: () => false });
      await w.deploy(["prod"]);
      let leading = true;
      const leader = await w.newInstance({ isLeader: () => leading });
      leader.orchestrator.startLeading(() => installationRepos(leader.probot), { pollMs: 20 });
      await w.run(() => w.h.github.count("installation-repositories") >= 1);
      // Recorded by the replica without the Lease, after the leader's first resume.
      const { mergeSha } = await w.merge({ number: 7, title: "Bump wordpress", branch: "bump", edits: [bad] });
      w.pushesTo = leader;
      await w.run(() => last(mergeSha)![0] === "failure");
      expect(w.revertCommits(mergeSha)).toHaveLength(1);
      leading = false;
      await leader.orchestrator.stop();
      expect(leader.orchestrator.watching()).toEqual([]);
    },
    timeout,
  );
});
