import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import type { ScaleCommand } from "../../src/commands/command.ts";
import { parseCommands } from "../../src/commands/parse.ts";
import { formatScaleReply, planScale, type ScalePlan, type Touched } from "../../src/commands/scale.ts";
import { repoRoot } from "../helpers/repo-root.ts";

const sample = (env: string): [string, string] => [
  `environments/${env}.yaml`,
  readFileSync(resolve(repoRoot, `environments/${env}.yaml`), "utf8"),
];
const samples: ReadonlyMap<string, string> = new Map(["dev", "staging", "prod"].map(sample));
const prod = samples.get("environments/prod.yaml")!;
const staging = samples.get("environments/staging.yaml")!;

function scaleCommand(line: string): ScaleCommand {
  const [command] = parseCommands(line);
  if (command?.kind !== "scale") throw new Error(`${line} is not a /scale command: ${JSON.stringify(command)}`);
  return command;
}

function scale(line: string, touched: Touched[], options: { files?: ReadonlyMap<string, string>; maxReplicas?: number } = {}): ScalePlan {
  return planScale({
    command: scaleCommand(line),
    environmentFiles: options.files ?? samples,
    touched,
    ...(options.maxReplicas === undefined ? {} : { maxReplicas: options.maxReplicas }),
  });
}

function ok(plan: ScalePlan): Extract<ScalePlan, { ok: true }> {
  if (!plan.ok) throw new Error(`expected a plan, got the reply:\n${plan.reply}`);
  return plan;
}

function refused(plan: ScalePlan): string {
  if (plan.ok) throw new Error(`expected a refusal, got: ${plan.summary}`);
  expect(plan.reply).toMatch(/^> `\/.*`\n\n/);
  expect(plan.reply).toMatch(/\n\nNothing was changed\.$/);
  return plan.reply;
}

const prodWordpress: Touched[] = [{ env: "prod", workloads: ["wordpress"] }];

/** The text with each [from, to] replaced exactly once (and asserted to be there once). */
function replaced(text: string, ...swaps: [string, string][]): string {
  let out = text;
  for (const [from, to] of swaps) {
    expect(out.split(from)).toHaveLength(2);
    out = out.replace(from, to);
  }
  return out;
}

describe("planScale: which workload (on the sample environments)", () => {
  const cases: { line: string; touched: Touched[]; env: string; workload: string }[] = [
    { line: "/scale 4", touched: prodWordpress, env: "prod", workload: "wordpress" },
    { line: "/scale 4 wordpress", touched: prodWordpress, env: "prod", workload: "wordpress" },
    { line: "/scale 4 wordpress prod", touched: [], env: "prod", workload: "wordpress" },
    { line: "/scale 4 wordpress-mysql staging", touched: prodWordpress, env: "staging", workload: "wordpress-mysql" },
    {
      line: "/scale 4 staging",
      touched: [{ env: "staging", workloads: ["wordpress"] }, ...prodWordpress],
      env: "staging",
      workload: "wordpress",
    },
    {
      line: "/scale 4 wordpress",
      touched: [{ env: "staging", workloads: ["wordpress", "wordpress-mysql"] }],
      env: "staging",
      workload: "wordpress",
    },
    {
      line: "/scale 4 wordpress-mysql",
      touched: [{ env: "staging", workloads: [] }, ...prodWordpress],
      env: "staging",
      workload: "wordpress-mysql",
    },
    // An environment the PR touches but that has no file (deleted in the PR) is no candidate.
    { line: "/scale 4", touched: [{ env: "qa", workloads: ["wordpress"] }, ...prodWordpress], env: "prod", workload: "wordpress" },
  ];
  it.each(cases)("$line, PR touches $touched", ({ line, touched, env, workload }) => {
    const plan = ok(scale(line, touched));
    expect([plan.env, plan.workload, plan.file]).toEqual([env, workload, `environments/${env}.yaml`]);
  });

  it("ambiguous: lists the choices as commands to copy", () => {
    const reply = refused(scale("/scale 6", [...prodWordpress, { env: "staging", workloads: ["wordpress"] }]));
    expect(reply).toBe(
      "> `/scale 6`\n\nThis pull request changes more than one workload; say which one:\n" +
        "- `/scale 6 wordpress prod`\n- `/scale 6 wordpress staging`\n\nNothing was changed.",
    );
  });

  it("an environment the PR changes without naming workloads offers all of its workloads", () => {
    const reply = refused(scale("/scale 2", [{ env: "dev", workloads: [] }]));
    expect(reply).toContain("- `/scale 2 wordpress dev`\n- `/scale 2 wordpress-mysql dev`\n");
  });

  it("a PR that changes no environment: every workload that fits is a choice", () => {
    const reply = refused(scale("/scale 2 wordpress", []));
    expect(reply).toContain("This pull request changes no single workload that fits; say which one:");
    expect(reply).toContain("- `/scale 2 wordpress dev`\n- `/scale 2 wordpress prod`\n- `/scale 2 wordpress staging`\n");
  });

  it("unknown environment: lists the environments", () => {
    expect(refused(scale("/scale 2 wordpress qa", prodWordpress))).toContain(
      "There is no environment `qa`. Environments: `dev`, `prod` and `staging`.",
    );
  });

  it("unknown workload: lists the workloads (arguments are case-sensitive, as written)", () => {
    expect(refused(scale("/scale 2 WordPress prod", prodWordpress))).toContain(
      "There is no workload `WordPress` in `prod`. Workloads: `wordpress` and `wordpress-mysql`.",
    );
    expect(refused(scale("/scale 2 nginx", prodWordpress))).toContain("There is no workload `nginx` in any environment.");
  });

  it("an invalid environment file is named with its problems and not edited", () => {
    const files = new Map(samples).set("environments/prod.yaml", prod.replace("replicas: 3", "replicaz: 3"));
    const reply = refused(scale("/scale 4 wordpress prod", [], { files }));
    expect(reply).toContain(
      "`environments/prod.yaml` is not valid, so I did not edit it. Fix it first:\n- `environments/prod.yaml:13:5 workloads.wordpress.replicaz: unknown field",
    );
  });
});

describe("planScale: the edit", () => {
  it("under an HPA: minReplicas to N, maxReplicas kept, and a replicas below N raised with it (prod sample, exact text)", () => {
    const plan = ok(scale("/scale 6", prodWordpress));
    expect(plan.before).toBe(prod);
    expect(plan.after).toBe(replaced(prod, ["    replicas: 3\n", "    replicas: 6\n"], ["minReplicas: 3", "minReplicas: 6"]));
    expect(plan.changed).toBe(true);
    expect(plan.autoscaled).toBe(true);
    expect(plan.summary).toBe(
      "`wordpress` in `prod` is autoscaled: minReplicas 3 → 6, maxReplicas 6 (unchanged); " +
        "autoscaling is now pinned at 6..6, so the HPA can no longer scale `wordpress` up or down (raise `maxReplicas` to let it); the HPA owns the pod count, " +
        "and replicas 3 → 6 too, so that the file stays inside the new bounds (better: remove `replicas` and leave the count to the HPA).",
    );
  });

  it("under an HPA: raises maxReplicas when it is below N", () => {
    const plan = ok(scale("/scale 8 wordpress prod", []));
    expect(plan.after).toBe(
      replaced(
        prod,
        ["    replicas: 3\n", "    replicas: 8\n"],
        ["minReplicas: 3", "minReplicas: 8"],
        ["maxReplicas: 6", "maxReplicas: 8"],
      ),
    );
    expect(plan.summary).toContain("minReplicas 3 → 8, maxReplicas 6 → 8;");
  });

  it("under an HPA: lowering leaves maxReplicas and a replicas inside the bounds alone", () => {
    const plan = ok(scale("/scale 2 wordpress staging", []));
    expect(plan.after).toBe(replaced(staging, ["minReplicas: 3", "minReplicas: 2"]));
    expect(plan.summary).toBe(
      "`wordpress` in `staging` is autoscaled: minReplicas 3 → 2, maxReplicas 6 (unchanged); replicas stays under the HPA's control.",
    );
  });

  it("under an HPA: /scale 0 is refused with the reason", () => {
    expect(refused(scale("/scale 0", prodWordpress))).toBe(
      "> `/scale 0`\n\n`wordpress` in `prod` is autoscaled, and a HorizontalPodAutoscaler's minReplicas must be at least 1, so it cannot be " +
        "scaled to 0. To stop it, remove `autoscaling` from `wordpress` in the environment file, then `/scale 0`.\n\nNothing was changed.",
    );
  });

  it("no-op: ok, nothing changed, after === before", () => {
    const plan = ok(scale("/scale 3", prodWordpress));
    expect(plan.changed).toBe(false);
    expect(plan.after).toBe(plan.before);
    expect(plan.summary).toBe("Nothing changed: `wordpress` in `prod` is autoscaled and its minReplicas is already 3 (maxReplicas 6).");
    expect(formatScaleReply(plan, { commitUrl: "https://github.com/acme/gitops/commit/abc1234" })).toBe(
      `> \`/scale 3\`\n\n${plan.summary}`,
    );
  });

  it("without an HPA: sets replicas, splicing the value so comments and flow maps survive", () => {
    const text = [
      "# Staging, by hand.",
      "namespace: wordpress-staging",
      "sync: { tool: argocd, application: wordpress-staging, context: staging }",
      "workloads:",
      "  wordpress:",
      "    image: wordpress:6.6.2-apache   # tested in dev",
      "    replicas: 2 # two is plenty here",
      "",
    ].join("\n");
    const files = new Map([["environments/staging.yaml", text]]);
    const plan = ok(scale("/scale 5", [{ env: "staging", workloads: ["wordpress"] }], { files }));
    expect(plan.after).toBe(text.replace("replicas: 2 #", "replicas: 5 #"));
    expect(plan.autoscaled).toBe(false);
    expect(plan.summary).toBe("`wordpress` in `staging`: replicas 2 → 5.");
    const noop = ok(scale("/scale 2", [], { files }));
    expect([noop.changed, noop.after === text, noop.summary]).toEqual([
      false,
      true,
      "Nothing changed: `wordpress` in `staging` already has replicas 2.",
    ]);
    expect(ok(scale("/scale 0", [], { files })).after).toBe(text.replace("replicas: 2 #", "replicas: 0 #"));
  });

  it("under a flow-style autoscaling map (as in the README)", () => {
    const text = [
      "namespace: wordpress-prod",
      "sync: { tool: argocd, application: wordpress-prod, context: prod }",
      "workloads:",
      "  wordpress:",
      "    image: wordpress:6.5.5-apache",
      "    autoscaling: { minReplicas: 3, maxReplicas: 6, targetCPUUtilizationPercentage: 20 }  # seed 000",
      "",
    ].join("\n");
    const plan = ok(scale("/scale 7", [], { files: new Map([["environments/prod.yaml", text]]) }));
    expect(plan.after).toBe(text.replace("{ minReplicas: 3, maxReplicas: 6,", "{ minReplicas: 7, maxReplicas: 7,"));
  });

  it("without an HPA and without replicas in the file: adds the field and says base's count applied before", () => {
    const plan = ok(scale("/scale 2 wordpress-mysql staging", []));
    expect(plan.after).toBe(`${staging}    replicas: 2\n`);
    expect(plan.summary).toBe("`wordpress-mysql` in `staging`: replicas set to 2 (it was not set, so base's count applied).");
  });
});

describe("planScale: bounds", () => {
  it.each([
    ["/scale 51", undefined, "`51` replicas is out of bounds: /scale takes 0 to 50 (the configured maximum)."],
    ["/scale 11", 10, "`11` replicas is out of bounds: /scale takes 0 to 10 (the configured maximum)."],
  ])("%s with maxReplicas %s", (line, maxReplicas, message) => {
    const options = maxReplicas === undefined ? {} : { maxReplicas };
    expect(refused(scale(line, prodWordpress, options))).toBe(`> \`${line}\`\n\n${message}\n\nNothing was changed.`);
  });

  it("the maximum itself is allowed", () => {
    const plan = ok(scale("/scale 10", prodWordpress, { maxReplicas: 10 }));
    expect(plan.summary).toContain("minReplicas 3 → 10, maxReplicas 6 → 10;");
  });
});

describe("formatScaleReply", () => {
  it("quotes the command, says what changed and links the commit", () => {
    const plan = ok(scale("/scale 2 wordpress staging", []));
    expect(formatScaleReply(plan, { commitUrl: "https://github.com/acme/gitops/commit/abc1234" })).toBe(
      `> \`/scale 2 wordpress staging\`\n\n${plan.summary}\n\nCommitted: https://github.com/acme/gitops/commit/abc1234`,
    );
    expect(formatScaleReply(plan)).toBe(`> \`/scale 2 wordpress staging\`\n\n${plan.summary}`);
  });

  it("a refusal is the reply as is", () => {
    const plan = scale("/scale 0", prodWordpress);
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(formatScaleReply(plan, { commitUrl: "https://x" })).toBe(plan.reply);
  });
});

describe("/scale with several apps (src/layout)", () => {
  const layout =
    "apps:\n  shop:\n    bases: [apps/shop/base]\n    environments: apps/shop/envs/{env}.yaml\n    overlays: apps/shop/overlays/{env}\n" +
    "  blog:\n    bases: [apps/blog/base]\n    environments: apps/blog/envs/{env}.yaml\n    overlays: apps/blog/overlays/{env}\n";
  const envFile = (ns: string, workload: string) =>
    `namespace: ${ns}\nsync:\n  tool: argocd\n  application: ${ns}\n  context: prod\nworkloads:\n  ${workload}:\n    image: example/${workload}:1.0.0\n    replicas: 2\n`;
  const files = new Map([
    [".kustodian/layout.yaml", layout],
    ["apps/shop/envs/prod.yaml", envFile("shop-prod", "web")],
    ["apps/shop/envs/staging.yaml", envFile("shop-staging", "web")],
    ["apps/blog/envs/prod.yaml", envFile("blog-prod", "api")],
  ]);
  const run = (line: string) => {
    const command = parseCommands(line)[0];
    if (command?.kind !== "scale") throw new Error(`not a /scale: ${line}`);
    return planScale({ command, environmentFiles: files, touched: [] });
  };

  it.each([
    ["/scale 6 shop prod", "apps/shop/envs/prod.yaml", "web"],
    ["/scale 6 web shop/prod", "apps/shop/envs/prod.yaml", "web"],
    ["/scale 6 blog prod", "apps/blog/envs/prod.yaml", "api"],
    ["/scale 6 staging", "apps/shop/envs/staging.yaml", "web"],
  ])("%s edits %s (%s)", (line, file, workload) => {
    const plan = run(line);
    if (!plan.ok) throw new Error(plan.reply);
    expect([plan.file, plan.workload, plan.after.includes("replicas: 6")]).toEqual([file, workload, true]);
  });

  it("a name two apps share: the reply says which apps have it", () => {
    const plan = run("/scale 6 prod");
    expect(plan.ok).toBe(false);
    if (!plan.ok) expect(plan.reply).toContain("Several apps have an environment `prod`: `blog/prod` and `shop/prod`. Say which one.");
  });
});
