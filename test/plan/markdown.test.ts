import { describe, expect, it } from "vitest";
import { commentLimit, duration, planMarkdown } from "../../src/plan/markdown.ts";
import type { EnvironmentPlan, Plan } from "../../src/plan/plan-types.ts";

function env(name: string, diffLines: number): EnvironmentPlan {
  return {
    name,
    file: `environments/${name}.yaml`,
    status: "changed",
    production: false,
    problems: [],
    staleOverlay: false,
    changes: [
      {
        workload: "wordpress",
        namespace: name,
        kind: "Deployment",
        category: "image",
        field: "containers.wordpress.image",
        from: "wordpress:1",
        to: "wordpress:2",
        rolls: true,
      },
    ],
    rollouts: [],
    findings: [],
    diff: Array.from({ length: diffLines }, (_, i) => `+  line ${i} ${"x".repeat(60)}`).join("\n"),
  };
}

describe("plan markdown", () => {
  it("keeps a huge plan under GitHub's comment limit by truncating diffs, with a note saying how to see them", () => {
    const plan: Plan = { base: "main", head: "big", environments: [env("dev", 3000), env("prod", 3000)], blocking: false };
    const text = planMarkdown(plan);
    expect(text.length).toBeLessThanOrEqual(commentLimit - 512);
    expect(text).toContain("| **dev** | wordpress | containers.wordpress.image: wordpress:1 → wordpress:2 |");
    expect(
      text.match(/more line\(s\) not shown to fit GitHub's comment limit; run `npx kustodian plan --base main` for the whole diff/g),
    ).toHaveLength(2);
    // Both environments keep a share of their diff.
    expect(text).toContain("+  line 0 ");
    expect(text.split("<details>")).toHaveLength(3);
  });

  it("leaves a plan that fits untouched", () => {
    const plan: Plan = { base: "main", head: "small", environments: [env("dev", 5)], blocking: false };
    expect(planMarkdown(plan)).toContain("+  line 4 ");
    expect(planMarkdown(plan)).not.toContain("not shown");
  });

  it.each([
    [16, "16 s"],
    [119, "119 s"],
    [600, "10 min"],
    [630, "10 min 30 s"],
  ])("writes %i seconds as %s", (s, text) => expect(duration(s)).toBe(text));
});
