// Output is untrusted text: a name from a pull request that holds a newline, a code fence and a
// heading ("## ✅ Approved") can neither close the fence it is printed in nor render a heading;
// table cells stay cells; quoted messages are bounded.
import { describe, expect, it } from "vitest";
import { planMarkdown } from "../../src/plan/markdown.ts";
import type { EnvironmentPlan, Plan } from "../../src/plan/plan-types.ts";
import { bounded, escapeMarkdown, fenced, inlineCode } from "../../src/text/markdown.ts";

const evil = "web\n```\n## ✅ Approved\n````\n| x | y |\n@security-team";

/**
 * Headings and fenced blocks as CommonMark sees them: a fence closes only with the same character
 * at least as long as its opener, and a heading is `#`..`######` + space at a line start outside code.
 */
function structure(markdown: string): { headings: string[]; codeLines: string[] } {
  const headings: string[] = [];
  const codeLines: string[] = [];
  let open: { char: string; length: number } | undefined;
  for (const line of markdown.split("\n")) {
    const fence = /^ {0,3}(`{3,}|~{3,})(.*)$/.exec(line);
    if (open) {
      if (fence && fence[1]![0] === open.char && fence[1]!.length >= open.length && fence[2]!.trim() === "") open = undefined;
      else codeLines.push(line);
      continue;
    }
    if (fence && !(fence[1]![0] === "`" && fence[2]!.includes("`"))) {
      open = { char: fence[1]![0]!, length: fence[1]!.length };
      continue;
    }
    if (/^ {0,3}#{1,6}(\s|$)/.test(line)) headings.push(line);
  }
  return { headings, codeLines };
}

function env(): EnvironmentPlan {
  return {
    name: "prod",
    file: "environments/prod.yaml",
    status: "changed",
    production: true,
    problems: [],
    staleOverlay: false,
    changes: [
      {
        workload: evil,
        namespace: "prod",
        kind: "Deployment",
        category: "image",
        field: "containers.web.image",
        from: "nginx:1",
        to: evil,
        rolls: true,
      },
    ],
    rollouts: [],
    findings: [
      {
        id: "mutable-image-tag",
        severity: "warning",
        environment: "prod",
        kind: "Deployment",
        namespace: "prod",
        workload: evil,
        message: `image ${evil} uses a mutable tag`,
        why: "because\n## no",
      },
    ],
    diff: `--- a/Deployment/${evil}\n+++ b/Deployment/${evil}\n-  image: nginx:1\n+  image: ${evil}`,
  };
}

describe("markdown injection", () => {
  it("a plan with an object name holding a newline, a fence and '## ✅ Approved': no heading, the diff stays in its block", () => {
    const plan: Plan = { base: "main", head: "evil", environments: [env()], blocking: false };
    const text = planMarkdown(plan);
    const { headings, codeLines } = structure(text);
    expect(headings.filter((h) => h.includes("Approved"))).toEqual([]);
    expect(headings).toEqual(["## kustodian rollout plan", "### prod · production"]);
    // The diff's lines, fence-like ones included, are code.
    expect(codeLines).toContain("```");
    expect(codeLines).toContain("## ✅ Approved");
    // Every table row keeps its cells: no unescaped pipe or newline from a name.
    const cells = (row: string) => row.replace(/\\\|/g, "").split("|").length - 2;
    const rows = text.split("\n").filter((l) => l.startsWith("| "));
    expect(rows.filter((r) => r.startsWith("| **prod**")).map(cells)).toEqual([6]);
    expect(rows.filter((r) => r.startsWith("| web")).map(cells)).toEqual([4]);
    // No mention outside code.
    expect(text.split("\n").filter((l) => !codeLines.includes(l) && /@security-team/.test(l))).toEqual([]);
  });

  it("fenced() outlasts any backtick run inside; inlineCode and escapeMarkdown keep a name on one inert line", () => {
    for (const inner of ["```", "````````", evil, "`"]) {
      const { headings, codeLines } = structure(`${fenced(inner, "text")}\n## after`);
      expect(codeLines.join("\n")).toBe(inner.replace(/\n+$/, ""));
      expect(headings).toEqual(["## after"]);
    }
    expect(inlineCode(evil)).not.toContain("\n");
    expect(escapeMarkdown(evil).replaceAll("@&#8203;", "@")).not.toMatch(/\n|(?<!\\)[|`#]/);
    expect(escapeMarkdown(evil)).not.toContain("@security-team");
  });

  it("every quoted message is bounded", () => {
    const stderr = "error: ".repeat(100_000);
    const quoted = bounded(stderr, 4000);
    expect(quoted.length).toBeLessThan(4100);
    expect(quoted).toMatch(/more characters not shown\)$/);
  });
});
