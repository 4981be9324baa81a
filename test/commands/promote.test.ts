import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCommands } from "../../src/commands/parse.ts";
import { formatPromoteReply, planPromote, type HeldImage, type PromotePlan } from "../../src/commands/promote.ts";
import { repoRoot } from "../helpers/repo-root.ts";

const sample = (env: string): [string, string] => [
  `environments/${env}.yaml`,
  readFileSync(resolve(repoRoot, `environments/${env}.yaml`), "utf8"),
];
const samples: ReadonlyMap<string, string> = new Map(["dev", "staging", "prod"].map(sample));
const prod = samples.get("environments/prod.yaml")!;
const staging = samples.get("environments/staging.yaml")!;

function ok(plan: PromotePlan): Extract<PromotePlan, { ok: true }> {
  if (!plan.ok) throw new Error(`expected a plan, got the reply:\n${plan.reply}`);
  return plan;
}

function refused(plan: PromotePlan): string {
  if (plan.ok) throw new Error(`expected a refusal, got: ${plan.summary}`);
  expect(plan.reply).toMatch(/\n\nNothing was changed\.$/);
  return plan.reply;
}

describe("planPromote on the sample environments", () => {
  it("staging → prod: only prod's wordpress image line changes; every comment stays", () => {
    const plan = ok(planPromote({ from: "staging", to: "prod", environmentFiles: samples }));
    expect(plan.file).toBe("environments/prod.yaml");
    expect(plan.before).toBe(prod);
    expect(plan.after).toBe(prod.replace("    image: wordpress:6.5.5-apache\n", "    image: wordpress:6.6.2-apache\n"));
    // Exactly one line differs.
    const before = prod.split("\n");
    const after = plan.after.split("\n");
    expect(after).toHaveLength(before.length);
    expect(after.filter((l, i) => l !== before[i])).toEqual(["    image: wordpress:6.6.2-apache"]);
    expect(plan.changes).toEqual([{ workload: "wordpress", from: "wordpress:6.5.5-apache", to: "wordpress:6.6.2-apache" }]);
    expect(plan.summary).toBe(
      "Promoted `staging` → `prod` in `environments/prod.yaml`:\n- `wordpress`: `wordpress:6.5.5-apache` → `wordpress:6.6.2-apache`\n\nAlready the same: `wordpress-mysql`.",
    );
  });

  it("takes a parsed /promote command as it is", () => {
    const [command] = parseCommands("/kustodian promote staging prod");
    if (command?.kind !== "promote") throw new Error("not a promote command");
    const plan = ok(planPromote({ ...command, environmentFiles: samples }));
    expect(formatPromoteReply(plan, { commitUrl: "https://github.com/acme/gitops/commit/abc1234" })).toBe(
      `> \`/kustodian promote staging prod\`\n\n${plan.summary}\n\nCommitted: https://github.com/acme/gitops/commit/abc1234`,
    );
  });

  it("only images move: replicas, resources and config of TO stay", () => {
    const plan = ok(planPromote({ from: "dev", to: "prod", environmentFiles: samples }));
    expect(plan.after).toBe(prod.replace("wordpress:6.5.5-apache", "wordpress:6.6.2-apache"));
  });

  it("nothing to change: ok, after === before, and says so", () => {
    const plan = ok(planPromote({ from: "dev", to: "staging", environmentFiles: samples }));
    expect([plan.changed, plan.after === staging, plan.changes]).toEqual([false, true, []]);
    expect(plan.summary).toBe(
      "Nothing to promote: `staging` already runs `dev`'s images.\nAlready the same: `wordpress` and `wordpress-mysql`.",
    );
    expect(formatPromoteReply(plan, { commitUrl: "https://x" })).toBe(`> \`/promote dev staging\`\n\n${plan.summary}`);
  });

  it.each([
    ["qa", "prod", "There is no environment `qa`. Environments: `dev`, `prod` and `staging`."],
    ["staging", "Prod", "There is no environment `Prod`. Environments: `dev`, `prod` and `staging`."],
    ["prod", "prod", "`prod` is both FROM and TO: there is nothing to promote."],
  ])("/promote %s %s is refused", (from, to, message) => {
    expect(refused(planPromote({ from, to, environmentFiles: samples }))).toBe(
      `> \`/promote ${from} ${to}\`\n\n${message}\n\nNothing was changed.`,
    );
  });

  it("an invalid FROM file is refused with its problems", () => {
    const files = new Map(samples).set("environments/staging.yaml", staging.replace("    replicas: 3\n", "    replica: 3\n"));
    expect(refused(planPromote({ from: "staging", to: "prod", environmentFiles: files }))).toContain(
      '`environments/staging.yaml` is not valid, so I did not edit it. Fix it first:\n- `environments/staging.yaml:11:5 workloads.wordpress.replica: unknown field (did you mean "replicas"?)',
    );
  });
});

describe("planPromote with workloads in only one of the files", () => {
  const file = (namespace: string, workloads: string): string =>
    `namespace: ${namespace}\nsync: { tool: flux, kustomization: ${namespace}, context: c }\nworkloads:\n${workloads}`;
  const files = new Map([
    ["environments/dev.yaml", file("dev", "  api:\n    image: ghcr.io/acme/api:2.0.0\n  worker:\n    image: ghcr.io/acme/worker:2.0.0\n")],
    [
      "environments/prod.yaml",
      file("prod", "  api:\n    image: ghcr.io/acme/api:1.0.0 # pinned\n  cron:\n    image: ghcr.io/acme/cron:1.0.0\n"),
    ],
  ]);

  it("copies the shared ones and names the rest", () => {
    const plan = ok(planPromote({ from: "dev", to: "prod", environmentFiles: files }));
    expect(plan.after).toBe(files.get("environments/prod.yaml")!.replace("api:1.0.0 # pinned", "api:2.0.0 # pinned"));
    expect(plan.summary).toBe(
      "Promoted `dev` → `prod` in `environments/prod.yaml`:\n- `api`: `ghcr.io/acme/api:1.0.0` → `ghcr.io/acme/api:2.0.0`\n\n" +
        "Only in `dev`, not promoted: `worker`.\nOnly in `prod`, left as is: `cron`.",
    );
  });

  it("no workload in common", () => {
    const apart = new Map(files).set("environments/dev.yaml", file("dev", "  worker:\n    image: ghcr.io/acme/worker:2.0.0\n"));
    const plan = ok(planPromote({ from: "dev", to: "prod", environmentFiles: apart }));
    expect(plan.changed).toBe(false);
    expect(plan.summary).toMatch(/^Nothing to promote: `dev` and `prod` have no workload in common\./);
  });
});

describe("planPromote and held images (issue 7's hook)", () => {
  const heldInProd: HeldImage = (env, image) =>
    env === "prod" && image === "wordpress:6.6.2-apache" ? "reverted by abc1234 on 2025-05-01: CrashLoopBackOff (@octocat)" : undefined;

  it("refuses the whole promotion, naming the image and the reason", () => {
    const calls: [string, string][] = [];
    const held: HeldImage = (env, image) => {
      calls.push([env, image]);
      return heldInProd(env, image);
    };
    const reply = refused(planPromote({ from: "staging", to: "prod", environmentFiles: samples, held }));
    expect(reply).toBe(
      "> `/promote staging prod`\n\nNot promoting `staging` → `prod`: an image is held in `prod`.\n" +
        "- `wordpress:6.6.2-apache` (for `wordpress`): reverted by abc1234 on 2025-05-01: CrashLoopBackOff \\(@&#8203;octocat\\)\n\nNothing was changed.",
    );
    // Asked only about the images it would write, and about TO.
    expect(calls).toEqual([["prod", "wordpress:6.6.2-apache"]]);
  });

  it("an image held elsewhere does not stop the promotion", () => {
    const plan = ok(planPromote({ from: "prod", to: "staging", environmentFiles: samples, held: heldInProd }));
    expect(plan.changes).toEqual([{ workload: "wordpress", from: "wordpress:6.6.2-apache", to: "wordpress:6.5.5-apache" }]);
  });

  it("nothing held: promotes", () => {
    expect(ok(planPromote({ from: "staging", to: "prod", environmentFiles: samples, held: () => undefined })).changed).toBe(true);
  });
});
