import { describe, expect, it } from "vitest";
import { LiteralMatcher } from "../../src/text/literal-matcher.ts";

/** The obvious quadratic version: mark every occurrence of every literal, then one marker per covered run. */
function naive(text: string, literals: readonly string[], marker: string): string {
  const covered = new Array<boolean>(text.length + 1).fill(false);
  const starts = new Array<boolean>(text.length + 1).fill(false);
  for (const l of literals) {
    if (!l) continue;
    for (let i = text.indexOf(l); i !== -1; i = text.indexOf(l, i + 1)) {
      for (let j = i; j < i + l.length; j++) covered[j] = true;
      starts[i] = true;
    }
  }
  let out = "";
  for (let i = 0; i < text.length; i++) {
    if (!covered[i]) out += text[i];
    else if (i === 0 || !covered[i - 1]) out += marker;
  }
  return out;
}

function random(seed: number) {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
}

describe("LiteralMatcher", () => {
  it.each([
    ["mysql://user:S3cr3t-pass@db/x", ["S3cr3t-pass"], "mysql://user:<m>@db/x"],
    ["aaaa", ["aa"], "<m>"],
    ["xabcabcx", ["abc", "cab"], "x<m>x"],
    ["she sells", ["he", "she", "hers"], "<m> sells"],
    ["nothing here", ["absent"], "nothing here"],
    ["", ["a"], ""],
  ])("%j with %j", (text, literals, expected) => {
    expect(new LiteralMatcher(literals).replace(text, "<m>")).toBe(expected);
  });

  it("literals longer than the indexed prefix are confirmed in place, also when they share that prefix", () => {
    const header = "-----BEGIN CERTIFICATE-----\n".repeat(3);
    const a = `${header}AAAA-first`;
    const b = `${header}AAAA-second-longer`;
    const text = `x ${b} y ${a} z ${header}AAAA-neither`;
    expect(new LiteralMatcher([a, b]).replace(text, "<m>")).toBe(`x <m> y <m> z ${header}AAAA-neither`);
  });

  it("agrees with the naive masking on random texts and literal sets", () => {
    const next = random(7);
    const letters = "ab-";
    const word = (n: number) => Array.from({ length: n }, () => letters[Math.floor(next() * letters.length)]).join("");
    for (let round = 0; round < 300; round++) {
      const literals = Array.from({ length: 1 + Math.floor(next() * 5) }, () => word(1 + Math.floor(next() * (round % 3 === 0 ? 90 : 6))));
      const text = word(Math.floor(next() * 200)) + (next() < 0.5 ? literals[0]! : "") + word(20);
      expect(new LiteralMatcher(literals).replace(text, "#")).toBe(naive(text, literals, "#"));
      expect(new LiteralMatcher(literals).occurring(text)).toEqual(new Set(literals.filter((l) => text.includes(l))));
    }
  });
});
