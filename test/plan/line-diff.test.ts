import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lineEdits, unifiedDiff } from "../../src/plan/line-diff.ts";

const lines = (text: string) => (text === "" ? [] : text.split(""));

describe("lineEdits", () => {
  const cases: Array<[string, string, number]> = [
    ["", "", 0],
    ["abc", "abc", 0],
    ["", "abc", 3],
    ["abc", "", 3],
    ["abcabba", "cbabac", 5],
    ["abcdef", "abxdef", 2],
    ["aaaa", "aaab", 2],
  ];
  it.each(cases)("%s -> %s: %i edits", (a, b, distance) => {
    const edits = lineEdits(lines(a), lines(b));
    expect(edits.filter((edit) => edit.op !== "equal").length).toBe(distance);
    expect(edits.filter((edit) => edit.op !== "insert").map((edit) => edit.line)).toEqual(lines(a));
    expect(edits.filter((edit) => edit.op !== "delete").map((edit) => edit.line)).toEqual(lines(b));
  });

  it("is minimal and reversible on random inputs, like diff -u", () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const randomLines = () => Array.from({ length: Math.floor(random() * 30) }, () => "abcde"[Math.floor(random() * 5)] ?? "a");
    const directory = mkdtempSync(join(tmpdir(), "line-diff-"));
    for (let round = 0; round < 60; round++) {
      const a = randomLines();
      const b = randomLines();
      const edits = lineEdits(a, b);
      expect(edits.filter((edit) => edit.op !== "insert").map((edit) => edit.line)).toEqual(a);
      expect(edits.filter((edit) => edit.op !== "delete").map((edit) => edit.line)).toEqual(b);
      writeFileSync(join(directory, "a"), a.map((line) => `${line}\n`).join(""));
      writeFileSync(join(directory, "b"), b.map((line) => `${line}\n`).join(""));
      let reference: string;
      try {
        reference = execFileSync("diff", ["--minimal", "-U0", join(directory, "a"), join(directory, "b")], { encoding: "utf8" });
      } catch (error) {
        reference = String((error as { stdout?: string }).stdout ?? "");
      }
      const referenceEdits = reference.split("\n").filter((line) => /^[-+](?![-+]{2} )/.test(line)).length;
      expect(edits.filter((edit) => edit.op !== "equal").length).toBe(referenceEdits);
    }
  });
});

describe("unifiedDiff", () => {
  const options = { fromFile: "a", toFile: "b" };
  it("is empty for equal texts", () => {
    expect(unifiedDiff(["x", "y"], ["x", "y"], options)).toBe("");
  });

  it("writes diff -u hunks with three lines of context", () => {
    const before = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15"];
    const after = ["1", "2", "3", "4", "five", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"];
    expect(unifiedDiff(before, after, options)).toBe(
      [
        "--- a",
        "+++ b",
        "@@ -2,7 +2,7 @@",
        " 2",
        " 3",
        " 4",
        "-5",
        "+five",
        " 6",
        " 7",
        " 8",
        "@@ -13,3 +13,4 @@",
        " 13",
        " 14",
        " 15",
        "+16",
        "",
      ].join("\n"),
    );
  });

  it("joins changes separated by six or fewer unchanged lines into one hunk", () => {
    const before = ["a", "1", "2", "3", "4", "5", "6", "b"];
    const after = ["A", "1", "2", "3", "4", "5", "6", "B"];
    expect(unifiedDiff(before, after, options).match(/^@@/gm)).toHaveLength(1);
  });

  it("writes added and removed files against an empty side", () => {
    expect(unifiedDiff([], ["x", "y"], { fromFile: "/dev/null", toFile: "b" })).toBe("--- /dev/null\n+++ b\n@@ -0,0 +1,2 @@\n+x\n+y\n");
    expect(unifiedDiff(["x"], [], { fromFile: "a", toFile: "/dev/null" })).toBe("--- a\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n");
  });
});
