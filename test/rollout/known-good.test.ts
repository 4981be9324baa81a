// End to end (issue 13): a failed verdict returns the environment to its last state verified
// Healthy, undoing every merge since in ONE commit, and tells each of their pull requests; a
// fix-forward merged before the verdict still wins.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseRevertTrailers } from "../../src/revert/trailers.ts";
import { heldImageRevertEdits } from "../../src/rollout/held-image-edits.ts";
import { healthyAt, startWorld, wordpressImage, type World } from "./harness.ts";

let w: World;
beforeEach(async () => {
  w = await startWorld({ revertEdits: heldImageRevertEdits });
});
afterEach(async () => {
  await w.stop();
  expect(w.h.github.unmatched.filter((u) => !u.includes("127.0.0.1"))).toEqual([]);
});

const prodImage = (tag: string) => ["environments/prod.yaml", "image: wordpress:6.5.5-apache", `image: wordpress:${tag}`] as const;
const prodDebug = ["environments/prod.yaml", 'WORDPRESS_DEBUG: "0"', 'WORDPRESS_DEBUG: "1"'] as const;
// A config entry that breaks wordpress's readiness on a good image (the simulator reads SIM_BEHAVIOUR from its ConfigMap).
const prodBrokenConfig = ["environments/prod.yaml", 'WORDPRESS_DEBUG: "0"', 'WORDPRESS_DEBUG: "0"\n      SIM_BEHAVIOUR: bad'] as const;
const prodMysql = ["environments/prod.yaml", "image: mysql:5.6.51", "image: mysql:5.7.44"] as const;
const timeout = 240_000;

const stateOf = (sha: string) => w.h.github.deployments.find((d) => d.environment === "prod" && d.sha === sha)?.statuses.at(-1)?.state;
const concluded = (sha: string) => () => ["success", "failure", "error", "inactive"].includes(stateOf(sha) ?? "");
const payloadOf = (sha: string) =>
  w.h.github.deployments.find((d) => d.environment === "prod" && d.sha === sha)?.payload as { workloads: string[] } | undefined;
const commentOn = (pr: number) => w.h.github.comments.get(pr)?.find((c) => c.body.includes("<!-- kustodian:rollout:prod -->"))?.body;

describe("last known-good revert", () => {
  it(
    "a bad image, then a config change before the verdict: ONE revert to the last Healthy state, naming both merges; prod Healthy again; both PRs told",
    async () => {
      await w.deploy(["prod"]);
      const gh = w.h.github;
      const bad = await w.merge({ number: 8, title: "Bump wordpress in prod to 6.7.1", branch: "bump", edits: [prodImage("6.7.1-bad")] });
      const config = await w.merge({ number: 9, title: "Turn on WordPress debug in prod", branch: "debug", edits: [prodDebug] });
      await w.run(concluded(config.mergeSha));

      expect(stateOf(config.mergeSha)).toBe("failure");
      const reverts = w.revertCommits(config.mergeSha);
      expect(reverts).toHaveLength(1);
      const revert = reverts[0]!;
      expect(gh.count("createCommitOnBranch")).toBe(1);
      // Both merges named: the failed one first (its trailers are what exactly-once looks for), then the earlier.
      expect(parseRevertTrailers(revert.message)).toEqual({ reverts: config.mergeSha, environment: "prod", pullRequest: 9 });
      expect(revert.message).toContain(`Reverts: ${bad.mergeSha}\nKustodian-Pull-Request: 8`);
      expect(revert.message).toContain(`- ${bad.mergeSha} (#8)\n- ${config.mergeSha} (#9)`);
      // Back to the state before the bad image (the last one kustodian could stand behind): the
      // image and the config both restored; only the bad image held.
      const prodAt = (ref: string) => gh.git("show", `${ref}:environments/prod.yaml`);
      expect(prodAt(revert.sha)).toContain("image: wordpress:6.5.5-apache");
      expect(prodAt(revert.sha)).toContain('WORDPRESS_DEBUG: "0"');
      expect(prodAt(revert.sha)).toContain("image: wordpress:6.7.1-bad"); // in the held list
      expect(prodAt(revert.sha).match(/^\s+- image: /gm) ?? []).toHaveLength(1);
      expect(gh.git("show", `${revert.sha}:overlays/prod/kustomization.yaml`)).toBe(
        gh.git("show", `${bad.before}:overlays/prod/kustomization.yaml`),
      );

      // Both pull requests told: the failed one with the evidence, the bad image's as the cause.
      expect(commentOn(9)).toContain("### ❌ Rollout failed in **prod**");
      expect(commentOn(8)).toContain("### ❌ Rollout failed in **prod**: attributed to this merge");
      expect(commentOn(8)).toContain(`Reverted in [\`${revert.sha.slice(0, 7)}\`]`);

      // The revert's own rollout succeeds: prod Healthy again on the last good image.
      await w.run(() => stateOf(revert.sha) === "success" && healthyAt(w.sim, "prod", "wordpress:6.5.5-apache"));
      expect(wordpressImage(w.sim, "prod")).toBe("wordpress:6.5.5-apache");
      expect(w.revertCommits(config.mergeSha)).toHaveLength(1);
    },
    timeout,
  );

  it(
    "after a merge verified Healthy: a bad image then a config change go back to THAT merge, not to the state before it",
    async () => {
      await w.deploy(["prod"]);
      const gh = w.h.github;
      const good = await w.merge({
        number: 7,
        title: "Bump wordpress in prod to 6.6.2",
        branch: "good",
        edits: [prodImage("6.6.2-apache")],
      });
      await w.run(concluded(good.mergeSha));
      expect(stateOf(good.mergeSha)).toBe("success");
      const fromGood = (tag: string) => ["environments/prod.yaml", "image: wordpress:6.6.2-apache", `image: wordpress:${tag}`] as const;
      const bad = await w.merge({ number: 8, title: "Bump wordpress in prod to 6.7.1", branch: "bump", edits: [fromGood("6.7.1-bad")] });
      const config = await w.merge({ number: 9, title: "Turn on WordPress debug in prod", branch: "debug", edits: [prodDebug] });
      await w.run(concluded(config.mergeSha));

      const reverts = w.revertCommits(config.mergeSha);
      expect(reverts).toHaveLength(1);
      const revert = reverts[0]!;
      expect(revert.message).toContain(`- ${bad.mergeSha} (#8)\n- ${config.mergeSha} (#9)`);
      expect(revert.message).not.toContain(good.mergeSha);
      expect(gh.git("show", `${revert.sha}:overlays/prod/kustomization.yaml`)).toBe(
        gh.git("show", `${good.mergeSha}:overlays/prod/kustomization.yaml`),
      );
      expect(gh.git("show", `${revert.sha}:environments/prod.yaml`)).toContain("image: wordpress:6.6.2-apache");
      expect(commentOn(8)).toContain("attributed to this merge");
      await w.run(() => stateOf(revert.sha) === "success" && healthyAt(w.sim, "prod", "wordpress:6.6.2-apache"));
    },
    timeout,
  );

  it(
    "a config change breaking wordpress, then another workload's image: attributed to the config merge by pod template, no image held",
    async () => {
      await w.deploy(["prod"]);
      const gh = w.h.github;
      const config = await w.merge({ number: 8, title: "Tune wordpress config in prod", branch: "config", edits: [prodBrokenConfig] });
      const mysql = await w.merge({ number: 9, title: "Bump mysql in prod", branch: "mysql", edits: [prodMysql] });
      await w.run(concluded(mysql.mergeSha));

      // The mysql merge's watch took over wordpress from the config merge it superseded.
      expect(payloadOf(mysql.mergeSha)?.workloads).toEqual(["wordpress", "wordpress-mysql"]);
      expect(stateOf(mysql.mergeSha)).toBe("failure");
      const reverts = w.revertCommits(mysql.mergeSha);
      expect(reverts).toHaveLength(1);
      const revert = reverts[0]!;
      expect(revert.message).toContain(`- ${config.mergeSha} (#8)\n- ${mysql.mergeSha} (#9)`);
      const restored = gh.git("show", `${revert.sha}:environments/prod.yaml`);
      expect(restored).toBe(gh.git("show", `${config.before}:environments/prod.yaml`)); // nothing held: the file as it was
      expect(restored).not.toContain("held:");

      // The config merge is blamed (it changed wordpress's pod template: the ConfigMap it loads), and says no image is held.
      expect(commentOn(8)).toContain("attributed to this merge");
      expect(commentOn(8)).toContain("🔎 Attributed to this merge: it changed `wordpress`'s pod template (container wordpress: envFrom)");
      expect(commentOn(8)).toContain("It changed no image, so no image is held.");
      expect(commentOn(9)).toContain(`🔎 Attributed to #8 (\`${config.mergeSha.slice(0, 7)}\`)`);
      expect(commentOn(9)).toContain("It changed no image, so no image is held.");

      await w.run(() => stateOf(revert.sha) === "success" && healthyAt(w.sim, "prod", "wordpress:6.5.5-apache"));
    },
    timeout,
  );

  it(
    "a bad image, then another workload's image: attributed to the image merge, and only its image is held",
    async () => {
      await w.deploy(["prod"]);
      const gh = w.h.github;
      const bad = await w.merge({ number: 8, title: "Bump wordpress in prod to 6.7.1", branch: "bump", edits: [prodImage("6.7.1-bad")] });
      const mysql = await w.merge({ number: 9, title: "Bump mysql in prod", branch: "mysql", edits: [prodMysql] });
      await w.run(concluded(mysql.mergeSha));

      expect(stateOf(mysql.mergeSha)).toBe("failure");
      const reverts = w.revertCommits(mysql.mergeSha);
      expect(reverts).toHaveLength(1);
      const restored = gh.git("show", `${reverts[0]!.sha}:environments/prod.yaml`);
      expect(restored).toContain("image: wordpress:6.5.5-apache");
      expect(restored).toContain("image: mysql:5.6.51");
      // Held: the bad wordpress image only, not the mysql image the other merge brought.
      expect((restored.match(/^ +- image: .*$/gm) ?? []).map((l) => l.trim())).toEqual(["- image: wordpress:6.7.1-bad"]);
      expect(commentOn(8)).toContain("🔎 Attributed to this merge: it changed `wordpress`'s pod template (container wordpress: image)");
      expect(commentOn(8)).toContain("Held in **prod**: `wordpress:6.7.1-bad`");
      expect(commentOn(9)).toContain(`🔎 Attributed to #8 (\`${bad.mergeSha.slice(0, 7)}\`)`);
      expect(commentOn(9)).not.toContain("mysql:5.7.44`");
    },
    timeout,
  );

  it(
    "a bad image, then a fix-forward before the verdict: the fix wins, no revert",
    async () => {
      await w.deploy(["prod"]);
      const bad = await w.merge({ number: 8, title: "Bump wordpress in prod to 6.7.1", branch: "bump", edits: [prodImage("6.7.1-bad")] });
      const fix = await w.merge({
        number: 9,
        title: "Fix wordpress in prod",
        branch: "fix",
        edits: [["environments/prod.yaml", "image: wordpress:6.7.1-bad", "image: wordpress:6.6.2-apache"]],
      });
      await w.run(() => concluded(fix.mergeSha)() && concluded(bad.mergeSha)());
      expect(stateOf(fix.mergeSha)).toBe("success");
      expect(stateOf(bad.mergeSha)).toBe("inactive");
      expect(w.revertCommits(bad.before)).toEqual([]);
      expect(w.h.github.count("createCommitOnBranch")).toBe(0);
      expect(healthyAt(w.sim, "prod", "wordpress:6.6.2-apache")).toBe(true);
    },
    timeout,
  );
});
