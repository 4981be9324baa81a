// End to end: a merge lands on main (signed push webhook to the real Probot app), kustodian
// records GitHub Deployments on the git-backed fake GitHub, the real rollout watcher follows the
// simulated Argo CD / Flux sync and rollout, and on failure ONE revert commit lands on main,
// which the simulated Argo CD syncs back to Healthy.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseRevertTrailers } from "../../src/revert/trailers.ts";
import type { KubeObject } from "../sim/types.ts";
import { botLogin, issueCommentEvent } from "../app/payloads.ts";
import { healthyAt, podsWithImage, startWorld, wordpressImage, type World } from "./harness.ts";

let w: World;
beforeEach(async () => {
  w = await startWorld();
});
afterEach(async () => {
  await w.stop();
  // The simulator's loopback traffic passes through nock; GitHub calls must all be answered.
  expect(w.h.github.unmatched.filter((u) => !u.includes("127.0.0.1"))).toEqual([]);
});

const image = (env: string, from: string, tag: string) =>
  [`environments/${env}.yaml`, `image: wordpress:${from}`, `image: wordpress:${tag}`] as const;
const prodImage = (tag: string) => image("prod", "6.5.5-apache", tag);
const timeout = 180_000;

function deploymentOf(env: string, sha: string) {
  return w.h.github.deployments.find((d) => d.environment === env && d.sha === sha);
}
function stateOf(env: string, sha: string): string | undefined {
  return deploymentOf(env, sha)?.statuses.at(-1)?.state;
}
const concluded = (env: string, sha: string) => () => ["success", "failure", "error", "inactive"].includes(stateOf(env, sha) ?? "");
function rolloutComment(pr: number, env: string) {
  return w.h.github.comments.get(pr)?.find((c) => c.body.includes(`<!-- kustodian:rollout:${env} -->`));
}
function envFiles(ref: string, env: string): Record<string, string> {
  const gh = w.h.github;
  const paths = gh
    .git("ls-tree", "-r", "--name-only", ref, "--", `environments/${env}.yaml`, `overlays/${env}`)
    .split("\n")
    .filter(Boolean);
  return Object.fromEntries(paths.map((p) => [p, gh.git("show", `${ref}:${p}`)]));
}

describe("after the merge", () => {
  it(
    "a good image: one Deployment, marked success, a comment with the time it took, no revert",
    async () => {
      await w.deploy(["prod"]);
      const { mergeSha } = await w.merge({
        number: 7,
        title: "Bump wordpress in prod to 6.6.2",
        branch: "bump",
        edits: [prodImage("6.6.2-apache")],
      });
      const gh = w.h.github;
      expect(gh.deployments).toHaveLength(1);
      expect(gh.deployments[0]).toMatchObject({
        environment: "prod",
        sha: mergeSha,
        task: "deploy",
        production_environment: true,
        payload: {
          kustodian: 1,
          mergeSha,
          pr: 7,
          workloads: ["wordpress"],
          target: { context: "prod", namespace: "wordpress-prod", sync: { tool: "argocd", application: "wordpress-prod" } },
        },
      });
      await w.run(concluded("prod", mergeSha));
      expect(gh.deploymentStates()).toEqual([
        { id: gh.deployments[0]!.id, environment: "prod", sha: mergeSha, states: ["in_progress", "success"] },
      ]);
      expect(gh.deployments[0]!.statuses.at(-1)!.description).toMatch(/^Healthy \d+ s after the merge$/);
      expect(healthyAt(w.sim, "prod", "wordpress:6.6.2-apache")).toBe(true);
      expect(gh.head("main")).toBe(mergeSha);
      expect(gh.count("createCommitOnBranch")).toBe(0);
      const comment = rolloutComment(7, "prod")!;
      expect(comment.body).toContain("### ✅ Rolled out to **prod**");
      expect(comment.body).toMatch(/`wordpress` in `wordpress-prod` healthy \d+ s after the merge/);
    },
    timeout,
  );

  it(
    "the bad image: ONE revert commit, within 1.15 × the readiness window of the new pods starting; files back byte for byte; evidence on the PR; Deployment failure; Argo CD syncs the revert back to Healthy",
    async () => {
      await w.deploy(["prod"]);
      const gh = w.h.github;
      let revertAt: number | undefined;
      gh.beforeNextCommit = async () => void (revertAt = w.sim.clock.now());
      const { mergeSha, before } = await w.merge({
        number: 7,
        title: "Bump wordpress in prod to 6.7.1",
        branch: "bump",
        edits: [prodImage("6.7.1-bad")],
      });

      let firstStart: number | undefined;
      await w.run(() => {
        const started = podsWithImage(w.sim, "prod", "wordpress:6.7.1-bad").flatMap((p) => {
          const s = p.status?.containerStatuses?.[0]?.state;
          return s && "running" in s && s.running ? [Date.parse(s.running.startedAt)] : [];
        });
        if (started.length) firstStart ??= Math.min(...started);
        return concluded("prod", mergeSha)();
      });

      // Exactly one revert, straight after the merge, restoring prod's files byte for byte.
      const reverts = w.revertCommits(mergeSha);
      expect(reverts).toHaveLength(1);
      const revert = reverts[0]!;
      expect(gh.git("rev-parse", `${revert.sha}^`)).toBe(mergeSha);
      expect(revert.message.split("\n")[0]).toBe("Revert Bump wordpress in prod to 6.7.1: readiness not reached within the probe window");
      expect(parseRevertTrailers(revert.message)).toEqual({ reverts: mergeSha, environment: "prod", pullRequest: 7 });
      expect(revert.message).toMatch(/- Pod\/wordpress-[a-z0-9-]+ container wordpress: Unhealthy: Readiness probe failed/);
      expect(envFiles(revert.sha, "prod")).toEqual(envFiles(before, "prod"));
      expect(gh.git("diff", "--name-only", mergeSha, revert.sha).split("\n")).toEqual([
        "environments/prod.yaml",
        "overlays/prod/kustomization.yaml",
      ]);

      // In simulated time: the readiness window (5 + 2 × 5 + 1 = 16 s) after the first new pod started, plus at most 15 %.
      expect(firstStart).toBeDefined();
      expect(revertAt! - firstStart!).toBeGreaterThanOrEqual(16_000);
      expect(revertAt! - firstStart!).toBeLessThanOrEqual(1.15 * 16_000);

      const d = deploymentOf("prod", mergeSha)!;
      expect(d.statuses.map((s) => [s.state, s.description])).toEqual([
        ["in_progress", "Watching wordpress in wordpress-prod for " + mergeSha.slice(0, 7)],
        ["in_progress", "Reverting: readiness not reached within the probe window"],
        ["failure", `readiness not reached within the probe window: reverted in ${revert.sha.slice(0, 7)}`],
      ]);
      const comment = rolloutComment(7, "prod")!;
      expect(d.statuses.at(-1)!.log_url).toBe(comment.html_url);
      expect(comment.body).toContain("### ❌ Rollout failed in **prod**");
      expect(comment.body).toContain("| Object | Container | Reason | Message |");
      expect(comment.body).toMatch(
        /\| `Pod\/wordpress-[a-z0-9-]+` \| wordpress \| Unhealthy \| Readiness probe failed: dial tcp [0-9.:]+: connect: connection refused \(not Ready 18 s after start; readiness window 16 s \+ 2 s slack\) \|/,
      );
      expect(comment.body).toContain(
        `↩️ **Reverted** in [\`${revert.sha.slice(0, 7)}\`](https://github.com/acme/gitops/commit/${revert.sha})`,
      );

      // The revert is a merge of its own: recorded, watched, Healthy — and never reverted.
      await w.run(() => stateOf("prod", revert.sha) === "success" && healthyAt(w.sim, "prod", "wordpress:6.5.5-apache"));
      expect(deploymentOf("prod", revert.sha)!.payload).toMatchObject({ revertOf: { mergeSha, pr: 7 }, pr: null });
      expect(w.h.github.comments.get(7)!.find((c) => c.body.includes("<!-- kustodian:revert-rollout:prod -->"))!.body).toContain(
        "### ✅ Revert rolled out to **prod**",
      );
      expect(w.revertCommits(mergeSha)).toHaveLength(1);
      expect(gh.count("createCommitOnBranch")).toBe(1);
    },
    timeout,
  );

  it(
    "a redelivered push (same or new delivery id) makes no second Deployment and no second revert",
    async () => {
      await w.deploy(["prod"]);
      const { mergeSha, push } = await w.merge({
        number: 7,
        title: "Bump wordpress",
        branch: "bump",
        edits: [prodImage("6.7.1-crashloop")],
        deliveryId: "delivery-1",
      });
      await w.first.deliver("push", push, "delivery-1");
      await w.first.deliver("push", push, "delivery-2");
      await w.first.settle();
      expect(w.h.github.deployments).toHaveLength(1);
      await w.run(concluded("prod", mergeSha));
      expect(stateOf("prod", mergeSha)).toBe("failure");
      // After the verdict, once more.
      await w.first.deliver("push", push, "delivery-3");
      await w.first.settle();
      await w.run(() => healthyAt(w.sim, "prod", "wordpress:6.5.5-apache"));
      expect(w.h.github.deployments.filter((d) => d.sha === mergeSha)).toHaveLength(1);
      expect(w.revertCommits(mergeSha)).toHaveLength(1);
      expect(w.h.github.deployments.find((d) => d.sha === mergeSha)!.statuses.filter((s) => s.state === "failure")).toHaveLength(1);
    },
    timeout,
  );

  it(
    "a PR on /hold is reported, not reverted",
    async () => {
      await w.deploy(["prod"]);
      const { mergeSha } = await w.merge({
        number: 7,
        title: "Bump wordpress",
        branch: "bump",
        edits: [prodImage("6.7.1-pullfail")],
        labels: ["kustodian/hold"],
      });
      await w.run(concluded("prod", mergeSha));
      expect(stateOf("prod", mergeSha)).toBe("failure");
      expect(deploymentOf("prod", mergeSha)!.statuses.at(-1)!.description).toBe("image cannot be pulled: not reverted (on hold)");
      expect(w.h.github.head("main")).toBe(mergeSha);
      expect(w.h.github.count("createCommitOnBranch")).toBe(0);
      const body = rolloutComment(7, "prod")!.body;
      expect(body).toMatch(/\| ImagePullBackOff \||\| ErrImagePull \|/);
      expect(body).toContain("⏸️ Not reverted: this pull request is on hold (`kustodian/hold`). Comment `/rollback` to revert it.");
      expect(wordpressImage(w.sim, "prod")).toBe("wordpress:6.7.1-pullfail");
    },
    timeout,
  );

  it(
    "rollout.autoRevert: false in .github/kustodian.yml: the failure is reported with the evidence, not reverted",
    async () => {
      await w.deploy(["prod"]);
      w.h.github.config = "rollout:\n  autoRevert: false\n";
      const { mergeSha } = await w.merge({ number: 7, title: "Bump wordpress", branch: "bump", edits: [prodImage("6.7.1-crashloop")] });
      await w.run(concluded("prod", mergeSha));
      expect(deploymentOf("prod", mergeSha)!.statuses.at(-1)).toMatchObject({
        state: "failure",
        description: "container is crash-looping: not reverted (autoRevert off)",
      });
      expect(w.h.github.head("main")).toBe(mergeSha);
      const body = rolloutComment(7, "prod")!.body;
      expect(body).toMatch(/\| `Pod\/wordpress-[a-z0-9-]+` \| wordpress \| (CrashLoopBackOff|Error) \|/);
      expect(body).toContain("Not reverted: `rollout.autoRevert` is off in `.github/kustodian.yml`. Comment `/rollback` to revert it.");
    },
    timeout,
  );

  it(
    "a revert's own merge is never auto-reverted (a revert pull request, trailers in its body)",
    async () => {
      await w.deploy(["prod"]);
      const reverted = "c".repeat(40);
      const { mergeSha } = await w.merge({
        number: 12,
        title: "Revert Bump wordpress in prod: requested",
        branch: "kustodian/revert/prod/cccccccccccc",
        author: botLogin, // the app opened it (a person's pull request with these trailers is no revert)
        edits: [prodImage("6.7.1-crashloop")],
        // GitHub's merge commit message does not carry the trailers; the merged PR's body does.
        body: `Restores prod.\n\nReverts: ${reverted}\nKustodian-Revert: prod\nKustodian-Pull-Request: 7`,
      });
      await w.run(concluded("prod", mergeSha));
      const d = deploymentOf("prod", mergeSha)!;
      expect(d.payload).toMatchObject({ revertOf: { mergeSha: reverted, pr: 7 }, pr: 12 });
      expect(d.statuses.at(-1)).toMatchObject({ state: "failure", description: "container is crash-looping: not reverted (a revert)" });
      expect(w.h.github.count("createCommitOnBranch")).toBe(0);
      expect(w.h.github.comments.get(12)!.find((c) => c.body.includes("<!-- kustodian:revert-rollout:prod -->"))!.body).toContain(
        "Not reverted: this merge is itself a revert, and kustodian never reverts a revert.",
      );
    },
    timeout,
  );

  it(
    "a merge touching dev (Flux) and prod (Argo CD) where only prod fails: only prod is reverted, and dev's slower rollout is judged on through Flux applying that revert",
    async () => {
      await w.deploy(["dev", "prod"]);
      const { mergeSha, before } = await w.merge({
        number: 8,
        title: "Bump wordpress in dev and prod",
        branch: "bump-both",
        // dev's image takes 60 s more to pull: prod's revert lands on main while dev still rolls out.
        edits: [image("dev", "6.6.2-apache", "6.7.1-slow"), prodImage("6.7.1-bad")],
      });
      expect(w.h.github.deployments.map((d) => d.environment).sort()).toEqual(["dev", "prod"]);
      expect(deploymentOf("dev", mergeSha)!.payload).toMatchObject({
        target: { sync: { tool: "flux", kustomization: "wordpress-dev", namespace: "flux-system" }, context: "dev" },
      });
      await w.run(() => concluded("dev", mergeSha)() && concluded("prod", mergeSha)());
      expect(stateOf("dev", mergeSha)).toBe("success");
      expect(stateOf("prod", mergeSha)).toBe("failure");
      const reverts = w.revertCommits(mergeSha);
      // Flux applied the revert commit to dev before dev was Healthy; dev's files are the merge's, so the rollout went on.
      const flux = w.sim.store.get<KubeObject & { status: { lastAppliedRevision: string } }>({
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        namespace: "flux-system",
        name: "wordpress-dev",
      })!;
      expect(flux.status.lastAppliedRevision).toContain(reverts[0]!.sha);
      expect(deploymentOf("dev", mergeSha)!.statuses.map((st) => st.state)).toEqual(["in_progress", "success"]);
      expect(reverts).toHaveLength(1);
      expect(w.h.github.git("diff", "--name-only", mergeSha, reverts[0]!.sha).split("\n")).toEqual([
        "environments/prod.yaml",
        "overlays/prod/kustomization.yaml",
      ]);
      expect(envFiles("main", "prod")).toEqual(envFiles(before, "prod"));
      expect(envFiles("main", "dev")).toEqual(envFiles(mergeSha, "dev"));
      await w.run(() => healthyAt(w.sim, "prod", "wordpress:6.5.5-apache"));
      expect(healthyAt(w.sim, "dev", "wordpress:6.7.1-slow")).toBe(true);
      expect(rolloutComment(8, "dev")!.body).toContain("### ✅ Rolled out to **dev**");
      expect(rolloutComment(8, "prod")!.body).toContain("### ❌ Rollout failed in **prod**");
    },
    timeout,
  );

  it(
    "/rollback on a merged PR: the same revert on request, the Deployment marked inactive, the reply links it",
    async () => {
      await w.deploy(["prod"]);
      const { mergeSha, before } = await w.merge({
        number: 7,
        title: "Bump wordpress",
        branch: "bump",
        edits: [prodImage("6.6.2-apache")],
      });
      await w.run(concluded("prod", mergeSha));
      expect(stateOf("prod", mergeSha)).toBe("success");
      w.h.github.permissions.set("octo-writer", "write");
      await w.first.deliver("issue_comment", issueCommentEvent({ body: "/rollback", user: "octo-writer", number: 7 }));
      await w.first.settle();
      const reverts = w.revertCommits(mergeSha);
      expect(reverts).toHaveLength(1);
      expect(reverts[0]!.message.split("\n")[0]).toBe("Revert Bump wordpress in prod: requested by @octo-writer");
      expect(envFiles("main", "prod")).toEqual(envFiles(before, "prod"));
      expect(deploymentOf("prod", mergeSha)!.statuses.at(-1)).toMatchObject({
        state: "inactive",
        description: `Rolled back on request by @octo-writer: ${reverts[0]!.sha.slice(0, 7)}`,
      });
      const reply = w.h.github.comments.get(7)!.at(-1)!.body;
      expect(reply).toContain("↩️ Rolling back on request by @octo-writer:");
      expect(reply).toContain(`- **prod**: reverted in [\`${reverts[0]!.sha.slice(0, 7)}\`]`);
      // Asked again: nothing new.
      await w.first.deliver("issue_comment", issueCommentEvent({ body: "/rollback", user: "octo-writer", number: 7, commentId: 9002 }));
      await w.first.settle();
      expect(w.revertCommits(mergeSha)).toHaveLength(1);
      expect(w.h.github.comments.get(7)!.at(-1)!.body).toContain("- **prod**: already reverted in");
      await w.run(() => healthyAt(w.sim, "prod", "wordpress:6.5.5-apache"));
    },
    timeout,
  );
});
