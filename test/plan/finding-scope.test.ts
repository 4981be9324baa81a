// Findings are reported for the workloads a change alters; the rest are counted (issue 15).
import { beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/k8s/manifest-types.ts";
import { buildPlan } from "../../src/plan/compute-plan.ts";
import { planMarkdown } from "../../src/plan/markdown.ts";
import type { RenderedSnapshot } from "../../src/plan/rendered-snapshot.ts";
import { renderBase, withDeployment } from "./fixtures.ts";

let base: KubeObject[];
beforeAll(() => {
  // Both workloads carry findings before any change: mysql runs a mutable tag, wordpress sets replicas under its HPA.
  base = withDeployment(renderBase(), "wordpress-mysql", (d) => {
    d.spec.template.spec.containers[0]!.image = "mysql:latest";
  });
});

const snapshot = (objects: KubeObject[]): RenderedSnapshot => ({
  environments: new Map([["prod", { name: "prod", file: "environments/prod.yaml", problems: [], staleOverlay: false, objects }]]),
  changes: [],
  problems: [],
  lifted: [],
});
const image = (name: string, value: string) => (objects: KubeObject[]) =>
  withDeployment(objects, name, (d) => {
    d.spec.template.spec.containers[0]!.image = value;
  });
const removeProbe = (objects: KubeObject[]) =>
  withDeployment(objects, "wordpress", (d) => {
    delete d.spec.template.spec.containers[0]!.readinessProbe;
  });

const rows: {
  change: string;
  edit: (objects: KubeObject[]) => KubeObject[];
  all: boolean;
  reported: string[];
  counted: string[];
  line?: string;
}[] = [
  {
    change: "a wordpress image bump",
    edit: image("wordpress", "wordpress:6.7.1-apache"),
    all: false,
    reported: ["replicas-set-under-hpa wordpress"],
    counted: ["mutable-image-tag wordpress-mysql"],
    line: "1 finding on unchanged workloads, see `kustodian plan --all`.",
  },
  {
    change: "a wordpress image bump, --all",
    edit: image("wordpress", "wordpress:6.7.1-apache"),
    all: true,
    reported: ["mutable-image-tag wordpress-mysql", "replicas-set-under-hpa wordpress"],
    counted: [],
  },
  {
    change: "a mysql image bump to another mutable tag",
    edit: image("wordpress-mysql", "mysql"),
    all: false,
    reported: ["mutable-image-tag wordpress-mysql"],
    counted: ["replicas-set-under-hpa wordpress"],
    line: "1 finding on unchanged workloads, see `kustodian plan --all`.",
  },
  {
    change: "a probe removed from wordpress: its blocking finding is reported",
    edit: removeProbe,
    all: false,
    reported: ["no-readiness-probe wordpress", "replicas-set-under-hpa wordpress"],
    counted: ["mutable-image-tag wordpress-mysql"],
  },
  {
    change: "both workloads changed: nothing is only counted",
    edit: (objects) => image("wordpress-mysql", "mysql:8.4.3")(image("wordpress", "wordpress:6.7.1-apache")(objects)),
    all: false,
    reported: ["replicas-set-under-hpa wordpress"],
    counted: [],
  },
];

describe("findings are reported for the workloads a change alters", () => {
  it.each(rows)("$change", ({ edit, all, reported, counted, line }) => {
    const plan = buildPlan(snapshot(base), snapshot(edit(base)), { base: "main", head: "pr" }, { allFindings: all });
    const env = plan.environments[0]!;
    const names = (findings: readonly { id: string; workload: string }[] = []) => findings.map((f) => `${f.id} ${f.workload}`).sort();
    expect(names(env.findings)).toEqual(reported);
    expect(names(env.findingsOnUnchangedWorkloads)).toEqual(counted);
    const markdown = planMarkdown(plan);
    if (line) expect(markdown).toContain(line);
    if (!counted.length) expect(markdown).not.toContain("on unchanged workloads");
  });

  it("a blocking finding on an unchanged workload is counted, says so, and does not block", () => {
    const withoutProbe = removeProbe(base);
    const plan = buildPlan(snapshot(withoutProbe), snapshot(image("wordpress-mysql", "mysql:8.4.3")(withoutProbe)), {
      base: "main",
      head: "pr",
    });
    expect(plan.environments[0]!.findings.map((f) => f.id)).toEqual([]);
    expect(plan.blocking).toBe(false);
    expect(planMarkdown(plan)).toContain("2 findings on unchanged workloads (1 blocking), see `kustodian plan --all`.");
    const all = buildPlan(
      snapshot(withoutProbe),
      snapshot(image("wordpress-mysql", "mysql:8.4.3")(withoutProbe)),
      { base: "main", head: "pr" },
      { allFindings: true },
    );
    expect(all.blocking).toBe(true);
  });
});
