// How much time kustodian adds to a plan beyond the kustomize builds it cannot avoid.
// Lower bound: building base/ and then every overlay at once, for both trees, with kustomize
// (the builds renderSnapshot cannot avoid, with the same concurrency). Ours: the whole plan (read trees from git, regenerate,
// render, diff, findings, markdown). Prints the ratio; run with `npm run bench`.
import { execFileSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kustomizeBuild } from "../src/render/kustomize-build.ts";
import { planMarkdown } from "../src/plan/markdown.ts";
import { planForTrees } from "../src/repo/plan-for-trees.ts";
import { readGitSnapshot } from "../src/repo/git-snapshot.ts";

const root = join(import.meta.dirname, "..");
const environments = Number(process.env.BENCH_ENVIRONMENTS ?? 12);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

// A repository with `environments` copies of staging, each bumping the image on the branch.
const dir = mkdtempSync(join(tmpdir(), "kustodian-bench-"));
const git = (...args: string[]) =>
  execFileSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "b", GIT_AUTHOR_EMAIL: "b@b", GIT_COMMITTER_NAME: "b", GIT_COMMITTER_EMAIL: "b@b" },
  }).trim();
cpSync(join(root, "base"), join(dir, "base"), { recursive: true });
const staging = readFileSync(join(root, "environments/staging.yaml"), "utf8");
for (let i = 0; i < environments; i++) {
  cpSync(join(root, "environments/staging.yaml"), join(dir, `environments/env-${i}.yaml`));
  writeFileSync(join(dir, `environments/env-${i}.yaml`), staging.replace("namespace: wordpress-staging", `namespace: wordpress-${i}`));
}
git("init", "-q", "-b", "main");
execFileSync(process.execPath, [join(root, "bin/kustodian.js"), "render"], { cwd: dir });
git("add", "-A");
git("commit", "-qm", "base");
git("checkout", "-qb", "bump");
for (let i = 0; i < environments; i++) {
  const file = join(dir, `environments/env-${i}.yaml`);
  writeFileSync(file, readFileSync(file, "utf8").replace("wordpress:6.6.2-apache", "wordpress:6.7.1-apache"));
}
git("commit", "-qam", "bump");

async function lowerBound(): Promise<number> {
  const start = performance.now();
  for (let side = 0; side < 2; side++) {
    await kustomizeBuild(join(dir, "base"), { root: dir });
    await Promise.all(Array.from({ length: environments }, (_, i) => kustomizeBuild(join(dir, `overlays/env-${i}`), { root: dir })));
  }
  return performance.now() - start;
}

async function ours(): Promise<number> {
  const start = performance.now();
  const [base, head] = await Promise.all([readGitSnapshot(dir, "main"), readGitSnapshot(dir, "bump")]);
  const plan = await planForTrees(base, head, { base: "main", head: "bump" });
  planMarkdown(plan);
  if (plan.environments.length !== environments)
    throw new Error(`expected ${environments} environments in the plan, got ${plan.environments.length}`);
  return performance.now() - start;
}

const bounds: number[] = [];
const times: number[] = [];
for (let r = 0; r < rounds; r++) {
  bounds.push(await lowerBound());
  times.push(await ours());
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`plan of ${environments} changed environments (${rounds} rounds, medians)`);
console.log(`  kustomize builds alone (lower bound): ${median(bounds).toFixed(0)} ms`);
console.log(`  kustodian plan:                       ${median(times).toFixed(0)} ms`);
console.log(`  ratio ours / lower bound:             ${(median(times) / median(bounds)).toFixed(2)}`);
