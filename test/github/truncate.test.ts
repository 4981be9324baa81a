import { describe, expect, it } from "vitest";
import { truncateLine, truncateMarkdown } from "../../src/github/truncate.ts";

describe("truncateMarkdown", () => {
  it("returns text within the limit unchanged", () => {
    expect(truncateMarkdown("short", 10)).toBe("short");
    expect(truncateMarkdown("x".repeat(500), 500)).toBe("x".repeat(500));
  });

  it("stays within the limit for every size around it", () => {
    const text = "line of text\n".repeat(400);
    for (const limit of [300, 301, 1000, 2047, 5199]) {
      const out = truncateMarkdown(text, limit);
      expect(out.length).toBeLessThanOrEqual(limit);
      expect(out).toMatch(/Truncated by kustodian: \d+ of 5200 characters are not shown/);
    }
  });

  it("cuts at a line end and closes an open code fence", () => {
    const text = "intro\n\n~~~~yaml\n" + "key: value\n".repeat(200);
    const out = truncateMarkdown(text, 1000);
    expect(out).toMatch(/key: value\n~~~~\n\n> \[!NOTE\]/);
  });

  it("does not add a fence when the fences are balanced", () => {
    const text = "```\ncode\n```\n" + "prose\n".repeat(500);
    expect(truncateMarkdown(text, 800)).not.toMatch(/prose\n```/);
  });

  it("never splits a surrogate pair", () => {
    const text = "🚀".repeat(1000);
    const out = truncateMarkdown(text, 501);
    expect(out.length).toBeLessThanOrEqual(501);
    expect(out.isWellFormed()).toBe(true);
  });
});

describe("truncateLine", () => {
  it("cuts with an ellipsis to the limit", () => {
    expect(truncateLine("a".repeat(200), 140)).toBe("a".repeat(139) + "…");
    expect(truncateLine("ok", 140)).toBe("ok");
  });
});
