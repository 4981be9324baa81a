// Secret values never reach GitHub through the after-merge texts: a failing pod whose readiness
// probe quotes the app's Secret (its own config) is reported on the pull request, reverted with
// the evidence in the commit message and concluded on the Deployment, and none of the requests
// kustodian sends to GitHub carries the value, while the evidence is still there around it.
// The real orchestrator and watcher on the simulator, the git-backed fake GitHub (test/rollout).
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { maskedMarker } from "../../src/plan/secret-masking.ts";
import { git, sampleGitRepo } from "../helpers/git-repo.ts";
import { startWorld, type Instance, type World } from "../rollout/harness.ts";
import { requestsCarrying } from "./secret-leaks.ts";

// The database password in the repository's Secret (base/db-secret.yaml), and an API token under a secret-named config key.
const password = "Tr0ub4dor-and-3-horses";
const token = "tok-9f8e7d6c5b4a3";
const timeout = 240_000;

/** The sample repository with a Secret value long enough to be masked inside text. */
async function repoWithPassword(): Promise<string> {
  const dir = await sampleGitRepo();
  const file = join(dir, "base/db-secret.yaml");
  const text = await readFile(file, "utf8");
  const next = text.replace(/dbpwd: wordpress/, `dbpwd: ${password}`);
  if (next === text) throw new Error("base/db-secret.yaml has no dbpwd: wordpress");
  await writeFile(file, next);
  await git(dir, "commit", "-qam", "a real database password");
  return dir;
}

// The app's readiness endpoint answers with its own connection settings (what the probe reports).
const probe = `db login wordpress:${password}@wordpress-mysql refused (api token ${token})`;
const quoted = `Readiness probe failed: db login wordpress:${maskedMarker}@wordpress-mysql refused (api token ${maskedMarker})`;

/** The merge of PR 8: prod gets an API token and a config that fails readiness with `probe`. */
const mergeLeakingProbe = (world: World, deliverWith?: Instance) =>
  world.merge({
    number: 8,
    title: "Point wordpress at the new API",
    branch: "api",
    edits: [
      [
        "environments/prod.yaml",
        'WORDPRESS_DEBUG: "0"',
        `WORDPRESS_DEBUG: "0"\n      API_TOKEN: "${token}"\n      SIM_BEHAVIOUR: bad\n      SIM_PROBE_MESSAGE: "${probe}"`,
      ],
    ],
    ...(deliverWith ? { deliverWith } : {}),
  });

let w: World | undefined;
afterEach(async () => {
  await w?.stop();
  w = undefined;
});

describe("after the merge, texts sent to GitHub are masked", () => {
  it(
    "a probe failure quoting a Secret value and a token: comment, revert commit and Deployment statuses carry neither, the evidence stays",
    async () => {
      w = await startWorld({}, { repoDir: await repoWithPassword() });
      await w.deploy(["prod"]);
      const gh = w.h.github;
      const merged = await mergeLeakingProbe(w);
      const deployment = () => gh.deployments.find((d) => d.environment === "prod" && d.sha === merged.mergeSha);
      await w.run(() => deployment()?.statuses.at(-1)?.state === "failure");

      // Reverted, reported and concluded: the texts that quote the pod were all written.
      const reverts = w.revertCommits(merged.mergeSha);
      expect(reverts).toHaveLength(1);
      const comment = gh.comments.get(8)?.find((c) => c.body.includes("<!-- kustodian:rollout:prod -->"))?.body ?? "";
      expect(comment).toContain("### ❌ Rollout failed in **prod**");

      // No request body carries either value: not the comment, the commit, a status or a Deployment.
      expect(requestsCarrying(w.h, password)).toEqual([]);
      expect(requestsCarrying(w.h, token)).toEqual([]);
      expect(reverts[0]!.message).not.toContain(password);

      // The evidence is still there, masked where the values were.
      expect(comment).toContain(quoted.replaceAll("|", "\\|"));
      expect(reverts[0]!.message).toContain(quoted);
      expect(comment).toContain("Unhealthy");
      expect(deployment()?.statuses.at(-1)?.description).toBe(
        `readiness not reached within the probe window: reverted in ${reverts[0]!.sha.slice(0, 7)}`,
      );
    },
    timeout,
  );

  it(
    "the leader killed mid-watch: the replica that takes over recomputes the values from the render and masks the same",
    async () => {
      w = await startWorld({}, { repoDir: await repoWithPassword() });
      const world = w;
      await world.deploy(["prod"]);
      await world.first.kill();
      const lease = { durationSeconds: 4, renewDeadlineSeconds: 3, retrySeconds: 1 };
      const a = await world.newReplica({ identity: "replica-a", lease });
      await world.run(() => a.leadership.isLeader());
      const b = await world.newReplica({ identity: "replica-b", lease });
      const merged = await mergeLeakingProbe(world, a);
      const deployment = () => world.h.github.deployments.find((d) => d.environment === "prod" && d.sha === merged.mergeSha);
      // The leader watches it (no verdict yet), then dies: everything it knew in memory is gone.
      await world.run(() => deployment() !== undefined && a.orchestrator.watching().includes(deployment()!.id));
      expect(deployment()?.statuses.map((s) => s.state)).toEqual(["in_progress"]);
      await a.kill();
      await world.run(() => b.leadership.isLeader() && deployment()?.statuses.at(-1)?.state === "failure");

      const reverts = world.revertCommits(merged.mergeSha);
      expect(reverts).toHaveLength(1);
      expect(requestsCarrying(world.h, password)).toEqual([]);
      expect(requestsCarrying(world.h, token)).toEqual([]);
      expect(reverts[0]!.message).toContain(quoted);
      const comment = world.h.github.comments.get(8)?.find((c) => c.body.includes("<!-- kustodian:rollout:prod -->"))?.body ?? "";
      expect(comment).toContain(quoted);
    },
    timeout,
  );
});
