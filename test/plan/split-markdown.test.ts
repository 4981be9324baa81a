import { describe, expect, it } from "vitest";
import { splitMarkdown, splitMarkdownPieces } from "../../src/plan/split-markdown.ts";

/** Whether every fence a part opens, it closes, and every <details> too. */
function wellFormed(part: string): boolean {
  let fence: string | undefined;
  let details = 0;
  for (const line of part.split("\n")) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (m) {
      if (fence === undefined) fence = m[1];
      else if (line.trim() === fence) fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    if (/^\s*<details\b/.test(line)) details++;
    if (/^\s*<\/details>/.test(line)) details--;
  }
  return fence === undefined && details === 0;
}

function envSection(name: string, objects: number, linesPerObject: number): string {
  const diff: string[] = [];
  for (let o = 0; o < objects; o++) {
    diff.push(`--- base/ConfigMap/${name}/object-${o}`, `+++ head/ConfigMap/${name}/object-${o}`, "@@ -1,1 +1,1 @@");
    for (let l = 0; l < linesPerObject; l++) diff.push(`+  KEY_${o}_${l}: value-${"x".repeat(20)}`);
  }
  return [
    `### ${name}`,
    "",
    "| Workload | Field | From | To |",
    "",
    `<details><summary>Rendered manifest diff for ${name}</summary>`,
    "",
    "```diff",
    ...diff,
    "```",
    "",
    "</details>",
  ].join("\n");
}

const plan = (envs: [string, number, number][]) =>
  ["## kustodian rollout plan", "", "| Environment |", "", ...envs.map(([n, o, l]) => envSection(n, o, l))].join("\n");

describe("splitMarkdown", () => {
  const cases: { name: string; text: string; limit: number; parts: number; firstLines: string[] }[] = [
    { name: "a text that fits is one part, unchanged", text: plan([["staging", 2, 3]]), limit: 10_000, parts: 1, firstLines: [] },
    {
      name: "two environments that each fit are cut at the second's heading",
      text: plan([
        ["staging", 4, 20],
        ["prod", 4, 20],
      ]),
      limit: 5_000,
      parts: 2,
      firstLines: ["## kustodian rollout plan", "### prod"],
    },
    {
      name: "one environment larger than a part is cut before an object, the block closed and reopened",
      text: plan([["prod", 6, 40]]),
      limit: 5_000,
      parts: 3,
      firstLines: [
        "## kustodian rollout plan",
        "<details><summary>Rendered manifest diff for prod (continued)</summary>",
        "<details><summary>Rendered manifest diff for prod (continued)</summary>",
      ],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const parts = splitMarkdown(c.text, { limit: c.limit });
      expect(parts).toHaveLength(c.parts);
      for (const p of parts) {
        expect(p.length).toBeLessThanOrEqual(c.limit);
        expect(wellFormed(p)).toBe(true);
      }
      if (c.parts === 1) expect(parts[0]).toBe(c.text);
      else expect(parts.map((p) => p.split("\n")[0])).toEqual(c.firstLines);
      // Nothing is lost or reordered.
      expect(
        splitMarkdownPieces(c.text, { limit: c.limit })
          .map((p) => p.text)
          .join("\n"),
      ).toBe(c.text);
    });
  }

  it("a part that continues a diff starts at an object's header, not in the middle of one", () => {
    const parts = splitMarkdown(plan([["prod", 6, 40]]), { limit: 5_000 });
    for (const p of parts.slice(1)) {
      const lines = p.split("\n");
      expect(lines.slice(0, 4)).toEqual([lines[0], "", "```diff", expect.stringMatching(/^--- base\/ConfigMap\/prod\/object-\d+$/)]);
    }
  });

  it("a single object larger than a part is cut at line ends, inside a closed and reopened fence", () => {
    const text = plan([["prod", 1, 400]]);
    const parts = splitMarkdown(text, { limit: 4_000 });
    expect(parts.length).toBeGreaterThan(3);
    for (const p of parts) {
      expect(p.length).toBeLessThanOrEqual(4_000);
      expect(wellFormed(p)).toBe(true);
    }
    expect(
      splitMarkdownPieces(text, { limit: 4_000 })
        .map((p) => p.text)
        .join("\n"),
    ).toBe(text);
  });

  it("a line longer than a part is the one thing cut inside a line; every character is kept", () => {
    const text = ["# t", "```json", "x".repeat(9_000), "```"].join("\n");
    const parts = splitMarkdown(text, { limit: 3_000 });
    for (const p of parts) expect(p.length).toBeLessThanOrEqual(3_000);
    expect(parts.join("").replace(/```json|```|\n/g, "")).toBe(`# t${"x".repeat(9_000)}`);
  });

  it("a fence inside a code block of longer fences is not taken for its end", () => {
    const text = ["## a", "````md", "```", ...Array.from({ length: 200 }, (_, i) => `line ${i}`), "```", "````"].join("\n");
    const parts = splitMarkdown(text, { limit: 1_000 });
    for (const p of parts.slice(1)) expect(p.startsWith("````md\n")).toBe(true);
    for (const p of parts.slice(0, -1)) expect(p.endsWith("\n````")).toBe(true);
  });
});
