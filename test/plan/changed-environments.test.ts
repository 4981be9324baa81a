// plan renders only the environments whose inputs a change touches (issue 15): counted through
// the kustomize builds the sandbox reports, on a cold render cache.
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { onKustomizeBuild } from "../../src/render/kustomize-build.ts";
import { renderCache } from "../../src/render/render-cache.ts";
import { readGitSnapshot } from "../../src/repo/git-snapshot.ts";
import { planForTrees } from "../../src/repo/plan-for-trees.ts";
import { planMarkdown } from "../../src/plan/markdown.ts";
import { unchangedEnvironments } from "../../src/repo/unchanged-environments.ts";
import { sampleGitRepo } from "../helpers/git-repo.ts";

let files: Map<string, string>;
beforeAll(async () => {
  const dir = await sampleGitRepo();
  files = new Map(await readGitSnapshot(dir, "HEAD"));
});

let builds = 0;
let stop: () => void;
beforeEach(() => {
  renderCache.clear();
  builds = 0;
  stop = onKustomizeBuild(() => builds++);
});
afterEach(() => stop());

function edited(path: string, from: string, to: string): Map<string, string> {
  const text = files.get(path)!;
  expect(text).toContain(from);
  return new Map(files).set(path, text.replace(from, to));
}

describe("plan renders the environments a change touches", () => {
  it("one environment's image: base/ once and that overlay on each side; the others are listed as unchanged", async () => {
    const head = edited("environments/staging.yaml", "wordpress:6.6.2-apache", "wordpress:6.7.1-apache");
    expect([...unchangedEnvironments(files, head)].sort()).toEqual(["dev", "prod"]);
    const plan = await planForTrees(files, head, { base: "main", head: "bump" });
    expect(plan.environments.map((e) => e.name)).toEqual(["staging"]);
    expect(plan.unchanged).toEqual(["dev", "prod"]);
    expect(builds).toBe(3);
    expect(planMarkdown(plan)).toContain("Unchanged: `dev`, `prod`.");
  });

  it("a base change renders every environment on both sides", async () => {
    const head = edited("base/wordpress-deployment.yaml", "containerPort: 80", "containerPort: 8080");
    expect(unchangedEnvironments(files, head).size).toBe(0);
    const plan = await planForTrees(files, head, { base: "main", head: "port" });
    expect(plan.environments.map((e) => e.name)).toEqual(["dev", "prod", "staging"]);
    expect(plan.unchanged).toEqual([]);
    // The base side's three overlays as committed (no inventory: base/ is not built there); the
    // head's base/ (the inventory its overlays are regenerated from) and its three overlays.
    expect(builds).toBe(7);
  });

  it("a change to a file only one overlay reads touches that environment only", () => {
    const extra = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: extra\ndata:\n  a: "1"\n';
    const base = edited("overlays/prod/kustomization.yaml", "  - ../../base\n", "  - ../../base\n  - extra.yaml\n").set(
      "overlays/prod/extra.yaml",
      extra,
    );
    const head = new Map(base).set("overlays/prod/extra.yaml", extra.replace('"1"', '"2"'));
    expect([...unchangedEnvironments(base, head)].sort()).toEqual(["dev", "staging"]);
    expect([...unchangedEnvironments(base, base)].sort()).toEqual(["dev", "prod", "staging"]);
  });
});
