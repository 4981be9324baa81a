import { describe, expect, it } from "vitest";
import { clearTextMemos, memoByText } from "../../src/text/memo-by-text.ts";

describe("memoByText", () => {
  const counting = (maxBytes: number) => {
    const calls: string[] = [];
    const memo = memoByText((text) => {
      calls.push(text);
      return { length: text.length };
    }, maxBytes);
    return { memo, calls };
  };

  it("computes once per distinct text and returns the same value", () => {
    const { memo, calls } = counting(1024);
    const first = memo("abc");
    expect(memo("ab" + "c")).toBe(first);
    expect(memo("abd")).toEqual({ length: 3 });
    expect(calls).toEqual(["abc", "abd"]);
  });

  it("keeps at most maxBytes of texts, forgetting the least recently used first", () => {
    const { memo, calls } = counting(8); // two texts of two characters
    memo("aa");
    memo("bb");
    memo("aa"); // aa is now the most recent
    memo("cc"); // bb goes
    memo("aa");
    memo("bb");
    expect(calls).toEqual(["aa", "bb", "cc", "bb"]);
  });

  it("does not keep a text larger than the bound, and clear() forgets everything", () => {
    const { memo, calls } = counting(4);
    memo("toolong");
    memo("toolong");
    memo("ok");
    memo.clear();
    memo("ok");
    expect(calls).toEqual(["toolong", "toolong", "ok", "ok"]);
  });

  it("clearTextMemos() forgets what every memo holds", () => {
    const a = counting(1024);
    const b = counting(1024);
    a.memo("x");
    b.memo("y");
    clearTextMemos();
    a.memo("x");
    b.memo("y");
    expect([a.calls, b.calls]).toEqual([
      ["x", "x"],
      ["y", "y"],
    ]);
  });
});
