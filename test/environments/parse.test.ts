import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { maxAliases, maxEnvironmentFileBytes, parseEnvironmentFile } from "../../src/environments/parse.ts";
import { formatProblem } from "../../src/environments/problems.ts";
import { repoRoot } from "../helpers/repo-root.ts";

function problemsOf(file: string, text: string): string[] {
  const result = parseEnvironmentFile(file, text);
  return result.ok ? [] : result.problems.map(formatProblem);
}

const valid = `namespace: wordpress-prod
sync:
  tool: argocd
  application: wordpress-prod
  context: prod
workloads:
  wordpress:
    image: wordpress:6.6.2-apache
    replicas: 3
`;

describe("environment files", () => {
  it.each(["dev", "staging", "prod"])("accepts the sample environments/%s.yaml", (env) => {
    const file = `environments/${env}.yaml`;
    const result = parseEnvironmentFile(file, readFileSync(join(repoRoot, file), "utf8"));
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it("fills defaults a person may leave out", () => {
    const result = parseEnvironmentFile("environments/prod.yaml", valid);
    if (!result.ok) throw new Error(result.problems.map(formatProblem).join("\n"));
    expect(result.env.sync).toEqual({ tool: "argocd", application: "wordpress-prod", namespace: "argocd", context: "prod" });
    expect(result.env.production).toBe(false);
  });

  it.each([
    {
      what: "a word where a number belongs",
      text: valid.replace("replicas: 3", "replicas: six"),
      want: ['environments/prod.yaml:9:15 workloads.wordpress.replicas: expected an integer >= 0, got "six"'],
    },
    {
      what: "a negative replica count",
      text: valid.replace("replicas: 3", "replicas: -1"),
      want: ["environments/prod.yaml:9:15 workloads.wordpress.replicas: expected an integer >= 0, got -1"],
    },
    {
      what: "a fractional replica count",
      text: valid.replace("replicas: 3", "replicas: 2.5"),
      want: ["environments/prod.yaml:9:15 workloads.wordpress.replicas: expected an integer >= 0, got 2.5"],
    },
    {
      what: "a typo in a field name",
      text: valid.replace("replicas: 3", "replica: 3"),
      want: [
        'environments/prod.yaml:9:5 workloads.wordpress.replica: unknown field (did you mean "replicas"?); allowed: kind, image, replicas, autoscaling, resources, env, config, rollingUpdate, readinessProbe, containers',
      ],
    },
    {
      what: "an unknown top-level field",
      text: `${valid}extra: true\n`,
      want: ["environments/prod.yaml:10:1 extra: unknown field; allowed: namespace, production, sync, workloads, held, kustomize, policy, promotion"],
    },
    {
      what: "a promotion soak that is not a duration",
      text: `${valid}promotion:\n  after: staging\n  soak: half an hour\n`,
      want: ['environments/prod.yaml:12:9 promotion.soak: expected a duration such as 30m, 1h or 2h30m, got "half an hour"'],
    },
    {
      what: "a typo in promotion",
      text: `${valid}promotion:\n  afte: staging\n  soak: 30m\n`,
      want: [
        "environments/prod.yaml:11:3 promotion.after: expected a DNS-1123 label (lowercase letters, digits, -), missing",
        'environments/prod.yaml:11:3 promotion.afte: unknown field (did you mean "after"?); allowed: after, soak',
      ],
    },
    {
      // The image may be left to the base (an imported overlay that sets only replicas), but a
      // workload must set something.
      what: "a workload that sets nothing",
      text: valid.replace("    image: wordpress:6.6.2-apache\n    replicas: 3\n", "    {}\n"),
      want: ["environments/prod.yaml:8:5 workloads.wordpress: expected at least one of image, replicas, autoscaling, resources, env, config, rollingUpdate, readinessProbe or containers, got {}"],
    },
    {
      what: "an image reference that does not parse",
      text: valid.replace("wordpress:6.6.2-apache", "WordPress:6.6.2"),
      want: ['environments/prod.yaml:8:12 workloads.wordpress.image: expected an image reference: repository path component "WordPress" must be lowercase letters and digits separated by . _ __ or -, got "WordPress:6.6.2"'],
    },
    {
      what: "a digest that is not sha256 hex",
      text: valid.replace("wordpress:6.6.2-apache", "wordpress@sha256:xyz"),
      want: ['environments/prod.yaml:8:12 workloads.wordpress.image: expected an image reference: digest "sha256:xyz" is not algorithm:hex, got "wordpress@sha256:xyz"'],
    },
    {
      what: "a namespace that is not a DNS label",
      text: valid.replace("namespace: wordpress-prod", "namespace: WordPress_Prod"),
      want: [
        `environments/prod.yaml:1:12 namespace: expected a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit, got "WordPress_Prod"`,
      ],
    },
    {
      what: "an unknown sync tool",
      text: valid.replace("tool: argocd", "tool: spinnaker"),
      want: ['environments/prod.yaml:3:9 sync.tool: expected tool: argocd or tool: flux, got "spinnaker"'],
    },
    {
      what: "autoscaling bounds the wrong way round",
      text: `${valid}    autoscaling: { minReplicas: 6, maxReplicas: 3 }\n`,
      want: ["environments/prod.yaml:10:49 workloads.wordpress.autoscaling.maxReplicas: expected minReplicas <= maxReplicas, got 3"],
    },
    {
      what: "a rolling update that can never progress",
      text: `${valid}    rollingUpdate: { maxSurge: 0, maxUnavailable: 0 }\n`,
      want: [
        "environments/prod.yaml:10:51 workloads.wordpress.rollingUpdate.maxUnavailable: maxSurge and maxUnavailable cannot both be 0: the rollout could never make progress, got 0",
      ],
    },
    {
      what: "a memory quantity with a bad unit",
      text: `${valid}    resources: { limits: { memory: 100MB } }\n`,
      want: ['environments/prod.yaml:10:36 workloads.wordpress.resources.limits.memory: expected a memory quantity such as 100Mi or 1Gi, got "100MB"'],
    },
    {
      what: "a workload name that is not a DNS label",
      text: valid.replace("  wordpress:", "  Word_Press:"),
      want: [
        `environments/prod.yaml:7:3 workloads.Word_Press: expected a DNS-1123 label: at most 63 lowercase letters, digits or '-', starting and ending with a letter or digit, got key "Word_Press"`,
      ],
    },
    {
      what: "broken YAML",
      text: valid.replace("    replicas: 3", "   replicas: [3"),
      want: ["environments/prod.yaml:9:1: invalid YAML: All mapping items must start at the same column",
        "environments/prod.yaml:10:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]"],
    },
    {
      what: "a duplicated key",
      text: `${valid}    replicas: 4\n`,
      want: ["environments/prod.yaml:10:5: invalid YAML: Map keys must be unique"],
    },
    { what: "an empty file", text: "", want: ["environments/prod.yaml:1:1: the file is empty; expected namespace, sync and workloads"] },
  ])("reports $what with file, line, column and field", ({ text, want }) => {
    expect(problemsOf("environments/prod.yaml", text)).toEqual(want);
  });

  it("refuses an environment name that is not a DNS-1123 label", () => {
    expect(problemsOf("environments/Prod_EU.yaml", valid)).toEqual([
      `environments/Prod_EU.yaml:1:1: environment name "Prod_EU" (from the file name) must be a DNS-1123 label: lowercase letters, digits and '-', at most 63`,
    ]);
  });

  it("refuses files over the size bound", () => {
    const big = valid + `# ${"x".repeat(maxEnvironmentFileBytes)}\n`;
    expect(problemsOf("environments/prod.yaml", big)[0]).toMatch(/^environments\/prod\.yaml:1:1: file is \d+ bytes; environment files are limited to 1048576$/);
  });

  it("accepts an environment of 500 workloads with resources and config (issue 15: 64 KiB held about 350)", () => {
    const workload = (i: number) =>
      [
        `  service-${String(i).padStart(3, "0")}:`,
        `    image: registry.example.com/team-${i % 17}/service-${i}:1.${i}.0`,
        `    replicas: ${1 + (i % 5)}`,
        `    resources:`,
        `      requests: { cpu: ${100 + i}m, memory: ${128 + i}Mi }`,
        `      limits: { cpu: ${200 + i}m, memory: ${256 + i}Mi }`,
        `    config:`,
        `      LOG_LEVEL: "info"`,
        `      UPSTREAM_URL: "http://service-${(i + 1) % 500}.shop.svc.cluster.local:8080"`,
      ].join("\n");
    const text = ["namespace: shop", "sync:", "  tool: argocd", "  application: shop-prod", "  namespace: argocd", "  context: prod", "workloads:", ...Array.from({ length: 500 }, (_, i) => workload(i))].join("\n") + "\n";
    expect(Buffer.byteLength(text)).toBeGreaterThan(64 * 1024);
    const parsed = parseEnvironmentFile("environments/prod.yaml", text);
    if (!parsed.ok) return expect.fail(parsed.problems.map((p) => p.message).join("; "));
    expect(Object.keys(parsed.env.workloads)).toHaveLength(500);
    expect(parsed.env.workloads["service-499"]?.resources?.limits?.memory).toBe("755Mi");
  });

  it("refuses YAML with more aliases than the bound (billion laughs)", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x]"];
    for (let i = 0; i <= maxAliases; i++) lines.push(`b${i}: [*a, *a]`);
    const problems = problemsOf("environments/prod.yaml", lines.join("\n"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/aliases; at most 8 are allowed$/);
  });

  it("accepts a few aliases, which people use for shared resources", () => {
    const text = `${valid.replace("    replicas: 3\n", "    replicas: 3\n    resources: { requests: &r { cpu: 100m }, limits: *r }\n")}`;
    expect(problemsOf("environments/prod.yaml", text)).toEqual([]);
  });
});
