// Linear-time parsing of what people write: revert trailers (a quadratic regex took 1.6 s on
// 65 kB) and slash commands. Each adversarial input is 65 kB or more; the assertions are on the
// bounds of the answer, plus a very generous time bound (50x what a linear parser needs here).
import { describe, expect, it } from "vitest";
import { maxCommandLineChars, maxCommandsPerComment, parseCommands } from "../../src/commands/parse.ts";
import { parseRevertTrailers, trailerMessageLimit } from "../../src/revert/trailers.ts";

const a = "a".repeat(40);
const kB65 = 65 * 1024;

function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

const trailerAttacks: [string, string][] = [
  ["a value with a long whitespace run inside (the old regex backtracked over it per character)", `Reverts: x${" \t".repeat(kB65 / 2)}y`],
  ["one long line of key characters", `${"a-".repeat(kB65 / 2)}:`],
  ["many whitespace-only lines (paragraph splitting)", `x${"\n \t ".repeat(kB65 / 4)}\nReverts: ${a}`],
  ["many colons", ":".repeat(kB65)],
  ["valid trailers after 1 MB of noise", `${"Reverts: x\n".repeat(100_000)}\nReverts: ${a}\nKustodian-Revert: prod`],
];

describe("revert trailers", () => {
  for (const [name, input] of trailerAttacks) {
    it(`${name} (${Math.round(input.length / 1024)} kB): answered at once`, () => {
      const { ms } = timed(() => parseRevertTrailers(input));
      expect(ms).toBeLessThan(250);
    });
  }

  it("reads only the last trailerMessageLimit characters, so the work is bounded whatever the size", () => {
    expect(trailerMessageLimit).toBeLessThanOrEqual(64 * 1024);
    const message = `${"x".repeat(2_000_000)}\n\nReverts: ${a}\nKustodian-Revert: prod`;
    expect(parseRevertTrailers(message)).toEqual({ reverts: a, environment: "prod" });
  });

  it("still reads git's trailer rules: last paragraph only, both keys needed", () => {
    expect(parseRevertTrailers(`Reverts: ${a}\nKustodian-Revert: prod\n\nlater text`)).toBeUndefined();
    expect(parseRevertTrailers(`Title\n\nReverts: ${a}`)).toBeUndefined();
    expect(parseRevertTrailers(`Title\r\n\r\nreverts:   ${a.toUpperCase()}  \r\nKUSTODIAN-REVERT: prod\r\n`)).toEqual({
      reverts: a,
      environment: "prod",
    });
  });
});

const commandAttacks: [string, string][] = [
  ["one command line of 65 kB of arguments", `/scale ${"6 ".repeat(kB65 / 2)}`],
  ["one command line of 65 kB of whitespace", `/plan${" \t".repeat(kB65 / 2)}x`],
  ["65 kB of /plan lines", "/plan\n".repeat(kB65 / 6)],
  ["65 kB of quote lines", "> /plan\n".repeat(kB65 / 8)],
  ["65 kB of blank lines then a command", `${" \n".repeat(kB65 / 2)}/plan`],
  ["65 kB of indentation", `${" ".repeat(kB65)}/plan`],
  ["1 MB body", `/help\n${"x".repeat(1_000_000)}`],
];

describe("slash commands", () => {
  for (const [name, input] of commandAttacks) {
    it(`${name}: at most ${maxCommandsPerComment} commands, each bounded, answered at once`, () => {
      const { value: commands, ms } = timed(() => parseCommands(input));
      expect(commands.length).toBeLessThanOrEqual(maxCommandsPerComment + 1);
      for (const c of commands) {
        expect(c.line.length).toBeLessThanOrEqual(maxCommandLineChars + 1);
        if (c.kind === "invalid") expect(c.problem.length).toBeLessThan(400);
      }
      expect(ms).toBeLessThan(250);
    });
  }

  it("a command line over the limit is refused with a short problem, not split into 30,000 arguments", () => {
    const [command] = parseCommands(`/scale ${"6 ".repeat(kB65 / 2)}`);
    expect(command).toMatchObject({ kind: "invalid", name: "scale" });
    if (command?.kind !== "invalid") throw new Error("unreachable");
    expect(command.problem).toContain(`at most ${maxCommandLineChars} characters`);
  });
});
