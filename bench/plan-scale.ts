// Plan time on a large repository (issue 15): one app of WORKLOADS Deployments (with resources and
// probes) in ENVIRONMENTS environments. Two pull requests:
// - one image changed in one environment: plan time as a ratio to one `kustomize build` of that
//   environment's overlay (goal ≤ 1.5);
// - a base change (every environment): plan time as a ratio to the builds it cannot avoid (goal
//   ≤ 1.2): every overlay as committed on the base side, and on the head side base/ (the inventory
//   the regenerated overlays are generated from) then every overlay, both sides at once through
//   the render sandbox's concurrency cap (the base side needs no base/ build: its overlays are
//   built as committed).
// Both are measured in the same round as the plan (the machine may be shared: the ratio is what
// counts; the denominator is timed before and after the plan, and their mean taken), cold: the
// render cache and the kustomization reads are cleared before each plan.
// `node bench/plan-scale.ts [WORKLOADS] [ENVIRONMENTS] [one|base] [ROUNDS]` (default 200 x 10, both,
// 1 round; also BENCH_WORKLOADS, BENCH_ENVIRONMENTS, BENCH_ROUNDS). With several rounds, the median.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kustomizeBuild } from "../src/render/kustomize-build.ts";
import { renderCache } from "../src/render/render-cache.ts";
import { clearTextMemos } from "../src/text/memo-by-text.ts";
import { renderSettings } from "../src/render/render-settings.ts";
import { planMarkdown } from "../src/plan/markdown.ts";
import { planForTrees } from "../src/repo/plan-for-trees.ts";
import { readGitSnapshot } from "../src/repo/git-snapshot.ts";

const root = join(import.meta.dirname, "..");
const workloads = Number(process.argv[2] ?? process.env.BENCH_WORKLOADS ?? 200);
const environments = Number(process.argv[3] ?? process.env.BENCH_ENVIRONMENTS ?? 10);
/** "one" or "base" runs that pull request only. */
const only = process.argv[4];
const rounds = Number(process.argv[5] ?? process.env.BENCH_ROUNDS ?? 1);

const dir = mkdtempSync(join(tmpdir(), "kustodian-bench-scale-"));
const git = (...args: string[]) =>
  execFileSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: { ...process.env, GIT_AUTHOR_NAME: "b", GIT_AUTHOR_EMAIL: "b@b", GIT_COMMITTER_NAME: "b", GIT_COMMITTER_EMAIL: "b@b" },
  }).trim();
const name = (j: number) => `svc-${String(j).padStart(3, "0")}`;
const deployment = (j: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name(j)}
  labels: { app: ${name(j)} }
spec:
  replicas: 2
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: 1, maxUnavailable: 0 }
  selector:
    matchLabels: { app: ${name(j)} }
  template:
    metadata:
      labels: { app: ${name(j)} }
    spec:
      containers:
        - name: ${name(j)}
          image: registry.example.com/shop/${name(j)}:1.0.0
          ports: [{ name: http, containerPort: 8080 }]
          readinessProbe:
            httpGet: { path: /healthz, port: 8080 }
            periodSeconds: 5
          resources:
            requests: { cpu: 100m, memory: 128Mi }
            limits: { cpu: 200m, memory: 256Mi }
`;
mkdirSync(join(dir, "base"), { recursive: true });
mkdirSync(join(dir, "environments"), { recursive: true });
for (let j = 0; j < workloads; j++) writeFileSync(join(dir, `base/${name(j)}.yaml`), deployment(j));
writeFileSync(
  join(dir, "base/kustomization.yaml"),
  `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n${Array.from({ length: workloads }, (_, j) => `  - ${name(j)}.yaml\n`).join("")}`,
);
const environmentFile = (i: number) =>
  [
    `namespace: shop-${i}`,
    "sync:",
    "  tool: argocd",
    `  application: shop-${i}`,
    "  namespace: argocd",
    `  context: cluster-${i}`,
    "workloads:",
    ...Array.from({ length: workloads }, (_, j) =>
      [
        `  ${name(j)}:`,
        `    image: registry.example.com/shop/${name(j)}:1.${i}.0`,
        `    replicas: ${2 + (j % 3)}`,
        "    resources:",
        `      requests: { cpu: ${100 + j}m, memory: 128Mi }`,
        `      limits: { cpu: ${200 + j}m, memory: 256Mi }`,
      ].join("\n"),
    ),
  ].join("\n") + "\n";
for (let i = 0; i < environments; i++) writeFileSync(join(dir, `environments/env-${i}.yaml`), environmentFile(i));
git("init", "-q", "-b", "main");
execFileSync(process.execPath, [join(root, "bin/kustodian.js"), "render"], { cwd: dir });
git("add", "-A");
git("commit", "-qm", "base");
const edit = (path: string, from: string, to: string) => {
  const text = readFileSync(join(dir, path), "utf8");
  if (!text.includes(from)) throw new Error(`${path}: ${from} not found`);
  writeFileSync(join(dir, path), text.replace(from, to));
};
git("checkout", "-qb", "one-image");
edit("environments/env-0.yaml", `shop/${name(0)}:1.0.0`, `shop/${name(0)}:1.0.1`);
git("commit", "-qam", "one image");
git("checkout", "-q", "main");
git("checkout", "-qb", "base-change");
edit(`base/${name(0)}.yaml`, "periodSeconds: 5", "periodSeconds: 10");
git("commit", "-qam", "base change");
git("checkout", "-q", "main");

async function plan(branch: string, changed: number): Promise<number> {
  renderCache.clear();
  clearTextMemos();
  const start = performance.now();
  const [base, head] = await Promise.all([readGitSnapshot(dir, "main"), readGitSnapshot(dir, branch)]);
  const result = await planForTrees(base, head, { base: "main", head: branch });
  planMarkdown(result);
  if (result.environments.length !== changed)
    throw new Error(`${branch}: expected ${changed} changed environments, got ${result.environments.length}`);
  return performance.now() - start;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

/** A checkout of each side, so both sides' builds can run at once. */
const checkout = (ref: string) => {
  const path = join(dir, `.worktree-${ref}`);
  git("worktree", "add", "-q", "--detach", path, ref);
  return path;
};
const overlay = (root: string, i: number) => kustomizeBuild(join(root, `overlays/env-${i}`), { root });

/**
 * The builds a base change cannot avoid: every overlay as committed on the base side; base/ then
 * every overlay on the head side; all at once as far as the sandbox's cap allows, base/ first.
 */
async function unavoidable(before: string, after: string): Promise<number> {
  const all = Array.from({ length: environments }, (_, i) => i);
  return timed(() =>
    Promise.all([
      kustomizeBuild(join(after, "base"), { root: after }).then(() => Promise.all(all.map((i) => overlay(after, i)))),
      ...all.map((i) => overlay(before, i)),
    ]),
  );
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const load = () => readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ");

console.log(
  `plan of a ${workloads}-workload x ${environments}-environment repository (cold render cache, ${rounds} round(s), ${renderSettings().concurrency} builds at once)`,
);
try {
  if (only !== "base") {
    const head = checkout("one-image");
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // The build is timed before and after the plan: their mean follows a load that drifts meanwhile.
      const before = await timed(() => overlay(head, 0));
      const onePlan = await plan("one-image", 1);
      const after = await timed(() => overlay(head, 0));
      const oneBuild = (before + after) / 2;
      ratios.push(onePlan / oneBuild);
      console.log(
        `  one image in one environment: kustomize build of overlays/env-0 ${before.toFixed(0)} ms before, ${after.toFixed(0)} ms after, plan ${onePlan.toFixed(0)} ms, ratio ${(onePlan / oneBuild).toFixed(2)} (load ${load()})`,
      );
    }
    console.log(`  ratio plan / one build:                 ${median(ratios).toFixed(2)} (goal ≤ 1.5)`);
  }
  if (only !== "one") {
    const before = checkout("main");
    const after = checkout("base-change");
    const ratios: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // As for one image: the unavoidable builds timed before and after the plan, the mean.
      const first = await unavoidable(before, after);
      const basePlan = await plan("base-change", environments);
      const second = await unavoidable(before, after);
      const bound = (first + second) / 2;
      ratios.push(basePlan / bound);
      console.log(
        `  base change: unavoidable builds ${first.toFixed(0)} ms before, ${second.toFixed(0)} ms after, plan ${basePlan.toFixed(0)} ms, ratio ${(basePlan / bound).toFixed(2)} (load ${load()})`,
      );
    }
    console.log(`  ratio plan / unavoidable builds:        ${median(ratios).toFixed(2)} (goal ≤ 1.2)`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
