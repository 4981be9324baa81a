import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Plan } from "../../src/plan/plan-types.ts";
import { runCli } from "../helpers/cli.ts";
import { branchWith, git, sampleGitRepo, type Edit } from "../helpers/git-repo.ts";
import { repoRoot } from "../helpers/repo-root.ts";

let dir: string;
beforeAll(async () => {
  dir = await sampleGitRepo();
});

const readinessProbe = / {10}readinessProbe:\n(?: {12}.*\n)+/;

async function planOf(branch: string, edits: readonly Edit[], format = "markdown") {
  await branchWith(dir, branch, edits);
  return runCli(dir, "plan", "--base", "main", "--format", format);
}

function golden(name: string, text: string) {
  const file = join(repoRoot, "test/fixtures/golden", `${name}.md`);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  expect(text).toBe(readFileSync(file, "utf8"));
}

describe("kustodian plan on the sample repository", () => {
  it("a staging image bump: 3 waves for replicas 3 / maxSurge 1 / maxUnavailable 0, no blocking finding", async () => {
    const run = await planOf("bump-staging", [["environments/staging.yaml", "wordpress:6.6.2-apache", "wordpress:6.7.1-apache"]]);
    expect(run.code).toBe(0);
    golden("plan-image-bump", run.stdout);
    const json = await runCli(dir, "plan", "--base", "main", "--format", "json");
    const plan = JSON.parse(json.stdout) as Plan;
    expect(plan.environments.map((e) => e.name)).toEqual(["staging"]);
    expect(plan.environments[0]!.rollouts.map((r) => [r.workload, r.shape.waves, r.shape.maxPods, r.shape.minAvailable])).toEqual([
      ["wordpress", 3, 4, 3],
    ]);
    expect(plan.environments[0]!.rollouts[0]!.timing.failureWindowSeconds).toBe(16);
    expect(plan.blocking).toBe(false);
  });

  it("deleting the readinessProbe from base is blocking in every environment", async () => {
    const run = await planOf("drop-probe", [["base/wordpress-deployment.yaml", readinessProbe, ""]]);
    expect(run.code).toBe(1);
    const plan = JSON.parse((await runCli(dir, "plan", "--base", "main", "--format", "json")).stdout) as Plan;
    expect(
      plan.environments.map((e) => [e.name, e.findings.filter((f) => f.id === "no-readiness-probe" && f.severity === "blocking").length]),
    ).toEqual([
      ["dev", 1],
      ["prod", 1],
      ["staging", 1],
    ]);
    // In production, removing a probe is its own blocking finding.
    expect(plan.environments.find((e) => e.name === "prod")!.findings.map((f) => f.id)).toContain("probe-removed");
  });

  it("a config change in two environments says the pods roll", async () => {
    const run = await planOf("debug-on", [
      ["environments/dev.yaml", 'WORDPRESS_DEBUG: "1"', 'WORDPRESS_DEBUG: "0"'],
      ["environments/staging.yaml", 'WORDPRESS_DEBUG: "0"', 'WORDPRESS_DEBUG: "1"'],
    ]);
    expect(run.code).toBe(0);
    golden("plan-config-two-envs", run.stdout);
  });

  it("a /scale-like change under an HPA moves the bounds", async () => {
    const run = await planOf("scale-prod", [
      [
        "environments/prod.yaml",
        "    replicas: 3\n    # Seed 000: 3..6 replicas at 20% CPU.\n    autoscaling:\n      minReplicas: 3",
        "    replicas: 6\n    # Seed 000: 3..6 replicas at 20% CPU.\n    autoscaling:\n      minReplicas: 6",
      ],
    ]);
    golden("plan-scale-under-hpa", run.stdout);
  });

  it("an invalid environment file gets a plan naming file, line and field, not a crash", async () => {
    const run = await planOf("typo", [["environments/prod.yaml", "    replicas: 3", '    replicas: "six"']]);
    expect(run.code).toBe(1);
    golden("plan-invalid-environment", run.stdout);
    expect(run.stdout).toContain('environments/prod.yaml:13:15 workloads.wordpress.replicas: expected an integer >= 0, got "six"');
  });

  it("a PR that sets a held image again is blocked, naming the failure and the revert", async () => {
    const held = await sampleGitRepo();
    const { appendFileSync } = await import("node:fs");
    appendFileSync(
      join(held, "environments/staging.yaml"),
      `held:\n  - image: wordpress:6.7.1-apache\n    reason: "ReadinessTimeout: wordpress-7d9f/wordpress not Ready 18 s after start"\n    since: 2026-11-23T14:00:00Z\n    revertedCommit: ${"c".repeat(40)}\n    revertCommit: ${"d".repeat(40)}\n`,
    );
    await git(held, "commit", "-qam", "revert recorded a hold");
    await branchWith(held, "renovate/wordpress-6.x", [["environments/staging.yaml", "wordpress:6.6.2-apache", "wordpress:6.7.1-apache"]]);
    const run = await runCli(held, "plan", "--base", "main");
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "⛔ **blocking** `held-image` wordpress: wordpress:6.7.1-apache is held in staging since 2026-11-23T14:00:00Z: ReadinessTimeout: wordpress-7d9f/wordpress not Ready 18 s after start (rollout of ccccccc failed, reverted in ddddddd). Lift it with `/allow wordpress:6.7.1-apache staging`.",
    );
    // Another tag of the same image is not held.
    await branchWith(held, "renovate/wordpress-6.7.2", [["environments/staging.yaml", "wordpress:6.6.2-apache", "wordpress:6.7.2-apache"]]);
    expect((await runCli(held, "plan", "--base", "main")).code).toBe(0);
  });

  it("a change to unrelated files says there are no rollout changes", async () => {
    await git(dir, "checkout", "-q", "-B", "docs", "main");
    writeFileSync(join(dir, "NOTES.md"), "hello\n");
    await git(dir, "add", "NOTES.md");
    await git(dir, "commit", "-qm", "docs");
    const run = await runCli(dir, "plan", "--base", "main");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("**No rollout changes**");
  });

  it("names a base that does not exist", async () => {
    const run = await runCli(dir, "plan", "--base", "no-such-branch");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/git cannot find a commit named "no-such-branch"/);
  });
});
