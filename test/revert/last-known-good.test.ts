import { describe, expect, it } from "vitest";
import { lastKnownGood, type EnvironmentMerge } from "../../src/revert/last-known-good.ts";

const sha = (c: string) => c.repeat(40);
const merge = (c: string, parent: string, verifiedHealthy: boolean, extra: Partial<EnvironmentMerge> = {}): EnvironmentMerge => ({
  sha: sha(c),
  parent: sha(parent),
  pullRequest: c.charCodeAt(0),
  verifiedHealthy,
  ...extra,
});

// a (Healthy) → b (bad image, unverified) → c (config change, failed)
const healthy = merge("a", "0", true);
const badImage = merge("b", "a", false);
const config = merge("c", "b", false);

describe("lastKnownGood", () => {
  const cases: { name: string; merges: EnvironmentMerge[]; failed: string; restoreTo: string; undoes: string[] }[] = [
    {
      name: "bad image then config change: back to the last Healthy merge, undoing both",
      merges: [healthy, badImage, config],
      failed: sha("c"),
      restoreTo: sha("a"),
      undoes: [sha("b"), sha("c")],
    },
    {
      name: "the previous merge verified Healthy: only the failed merge is undone",
      merges: [healthy, config],
      failed: sha("c"),
      restoreTo: sha("a"),
      undoes: [sha("c")],
    },
    {
      name: "no verified merge: the commit before the first unverified merge",
      merges: [badImage, config],
      failed: sha("c"),
      restoreTo: sha("a"),
      undoes: [sha("b"), sha("c")],
    },
    {
      name: "the newest Healthy merge wins over older ones",
      merges: [merge("1", "0", true), merge("2", "1", false), merge("3", "2", true), merge("4", "3", false)],
      failed: sha("4"),
      restoreTo: sha("3"),
      undoes: [sha("4")],
    },
    {
      name: "the failed merge itself never counts as known-good",
      merges: [healthy, merge("c", "a", true)],
      failed: sha("c"),
      restoreTo: sha("a"),
      undoes: [sha("c")],
    },
    {
      name: "merges after the failed one (a fix-forward) are not undone",
      merges: [healthy, badImage, merge("d", "b", false)],
      failed: sha("b"),
      restoreTo: sha("a"),
      undoes: [sha("b")],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const got = lastKnownGood(c.merges, c.failed);
      expect(got.restoreTo).toBe(c.restoreTo);
      expect(got.undoes.map((m) => m.sha)).toEqual(c.undoes);
    });

  it("refuses a failed merge it was not given", () => {
    expect(() => lastKnownGood([healthy], sha("f"))).toThrow(/fffffff is not among/);
  });
});

// Attribution (which undone merge, which image held) is src/revert/blame.ts, tested in blame.test.ts.
