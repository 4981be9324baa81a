import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseEnvironmentFile } from "../../src/environments/parse.ts";
import { checkAgainstBase } from "../../src/overlays/check-against-base.ts";
import { formatProblem } from "../../src/environments/problems.ts";
import type { BaseInventory } from "../../src/overlays/base-inventory.ts";
import { generateOverlay } from "../../src/overlays/generate.ts";
import { loadBaseInventory } from "../../src/repo/load-base-inventory.ts";
import { repoRoot } from "../helpers/repo-root.ts";

const fixtures = join(repoRoot, "test/fixtures");
let base: BaseInventory;
beforeAll(async () => {
  base = await loadBaseInventory(repoRoot);
});

function parsed(text: string, file = "environments/shop-eu.yaml") {
  const result = parseEnvironmentFile(file, text);
  if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
  return result;
}

describe("overlay generation", () => {
  it("takes workloads, HPAs and config generators from the rendered base", () => {
    expect([...base.workloads].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
      {
        kind: "Deployment",
        name: "wordpress",
        container: "wordpress",
        imageName: "wordpress",
        containers: [{ name: "wordpress", imageName: "wordpress", init: false }],
        hpa: "wordpress",
      },
      {
        kind: "Deployment",
        name: "wordpress-mysql",
        container: "mysql",
        imageName: "mysql",
        containers: [{ name: "mysql", imageName: "mysql", init: false }],
      },
    ]);
    expect([...base.configMapGenerators].sort()).toEqual(["wordpress-config", "wordpress-mysql-config"]);
  });

  it("matches the golden overlay for an environment using every feature", () => {
    const text = readFileSync(join(fixtures, "environments/kitchen-sink.yaml"), "utf8");
    const env = parsed(text);
    const files = generateOverlay("shop-eu", env.env, base);
    expect([...files.keys()]).toEqual(["overlays/shop-eu/kustomization.yaml"]);
    const golden = join(fixtures, "golden/kitchen-sink.kustomization.yaml");
    const got = files.get("overlays/shop-eu/kustomization.yaml")!;
    if (process.env.UPDATE_GOLDEN) writeFileSync(golden, got);
    expect(got).toBe(readFileSync(golden, "utf8"));
  });

  it("gives the same bytes whatever order people write workloads and config keys in", () => {
    const a = parsed(`namespace: n
sync: { tool: argocd, application: a, context: c }
workloads:
  wordpress: { image: "wordpress:1", config: { B: "2", A: "1" } }
  wordpress-mysql: { image: "mysql:8" }
`);
    const b = parsed(`namespace: n
sync: { tool: argocd, application: a, context: c }
workloads:
  wordpress-mysql: { image: "mysql:8" }
  wordpress: { config: { A: "1", B: "2" }, image: "wordpress:1" }
`);
    expect(generateOverlay("x", a.env, base)).toEqual(generateOverlay("x", b.env, base));
  });

  it.each([
    {
      what: "a workload base/ does not have",
      workloads: "  wordpres: { image: wordpress:1 }",
      want: 'environments/shop-eu.yaml:4:3 workloads.wordpres: the base has no Deployment, StatefulSet or DaemonSet named "wordpres"; known: wordpress, wordpress-mysql',
    },
    {
      what: "autoscaling for a workload without an HPA",
      workloads: "  wordpress-mysql:\n    image: mysql:8\n    autoscaling: { minReplicas: 1, maxReplicas: 2 }",
      want: 'environments/shop-eu.yaml:6:5 workloads.wordpress-mysql.autoscaling: the base has no HorizontalPodAutoscaler targeting Deployment "wordpress-mysql"',
    },
    {
      what: "an image without a tag or digest",
      workloads: "  wordpress: { image: wordpress }",
      want: "environments/shop-eu.yaml:4:16 workloads.wordpress.image: expected a tag or digest: without one the base tag would stay in place",
    },
  ])("refuses $what, with its location", ({ workloads, want }) => {
    const text = `namespace: n\nsync: { tool: argocd, application: a, context: c }\nworkloads:\n${workloads}\n`;
    const env = parsed(text);
    expect(checkAgainstBase(env.file, text, env.doc, env.env, base).map(formatProblem)).toEqual([want]);
  });

  it("refuses config for a workload whose config map base/ does not generate", () => {
    const text = `namespace: n\nsync: { tool: argocd, application: a, context: c }\nworkloads:\n  wordpress: { image: "wordpress:1", config: { A: "1" } }\n`;
    const env = parsed(text);
    const noGenerators = { ...base, configMapGenerators: new Set<string>() };
    expect(checkAgainstBase(env.file, text, env.doc, env.env, noGenerators).map(formatProblem)).toEqual([
      'environments/shop-eu.yaml:4:38 workloads.wordpress.config: the base kustomization has no configMapGenerator named "wordpress-config" to merge these entries into',
    ]);
  });
});
