import { describe, expect, it } from "vitest";
import { quantityNanos } from "../../src/plan/quantity.ts";

describe("quantityNanos", () => {
  const cases: Array<[string | number, bigint | undefined]> = [
    ["1", 1_000_000_000n],
    [1, 1_000_000_000n],
    [0.5, 500_000_000n],
    ["200m", 200_000_000n],
    ["0.2", 200_000_000n],
    ["100Mi", 100n * 1024n ** 2n * 1_000_000_000n],
    ["1Gi", 1024n ** 3n * 1_000_000_000n],
    ["1G", 1_000_000_000n * 1_000_000_000n],
    ["1e3", 1000n * 1_000_000_000n],
    ["1.5k", 1500n * 1_000_000_000n],
    ["10n", 10n],
    ["5u", 5000n],
    ["0.1n", 1n],
    ["0", 0n],
    ["-1", -1_000_000_000n],
    ["abc", undefined],
    ["1.5Zi", undefined],
    ["", undefined],
    ["m", undefined],
  ];
  it.each(cases)("%s", (input, expected) => {
    expect(quantityNanos(input)).toBe(expected);
  });

  it("compares equal quantities written differently", () => {
    expect(quantityNanos("1024Mi")).toBe(quantityNanos("1Gi"));
    expect(quantityNanos("500m")).toBe(quantityNanos(0.5));
  });
});
