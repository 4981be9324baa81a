import { describe, expect, it } from "vitest";
import type { Command } from "../../src/commands/command.ts";
import { code, plain } from "../../src/commands/markdown.ts";
import { helpText, parseCommands } from "../../src/commands/parse.ts";
import {
  helpReply,
  holdReply,
  invalidCommandReply,
  rollbackNotMergedReply,
  unholdReply,
  unknownCommandReply,
} from "../../src/commands/replies.ts";

function one<K extends Command["kind"]>(line: string, kind: K): Extract<Command, { kind: K }> {
  const [command] = parseCommands(line);
  if (command?.kind !== kind) throw new Error(`${line}: expected ${kind}, got ${JSON.stringify(command)}`);
  return command as Extract<Command, { kind: K }>;
}

describe("replies", () => {
  it("unknown command: says so and lists the commands", () => {
    expect(unknownCommandReply(one("/deploy now", "unknown"))).toBe(`> \`/deploy now\`\n\nI don't know \`/deploy\`.\n\n${helpText()}`);
  });

  it("invalid command: the problem, the usage, and nothing changed", () => {
    expect(invalidCommandReply(one("/scale six", "invalid"))).toBe(
      '> `/scale six`\n\nreplicas must be a whole number \\>= 0, got "six". Usage: `/scale N [workload] [env]`\n\nNothing was changed.',
    );
  });

  it("does not turn echoed text into mentions or links", () => {
    const line = "/scale 6 wordpress prod @acme/owners [x](https://evil.example)";
    const reply = invalidCommandReply(one(line, "invalid"));
    expect(reply.startsWith(`> \`${line}\``)).toBe(true);
    const outsideCode = reply.replace(/`[^`]*`/g, "");
    expect(outsideCode).not.toMatch(/@acme|\]\(/);
    expect(reply).toContain('unexpected arguments "@&#8203;acme/owners \\[x\\]\\(https://evil.example\\)"');
  });

  it("help, hold, unhold, rollback", () => {
    expect(helpReply(one("/help", "help"))).toBe(`> \`/help\`\n\n${helpText()}`);
    expect(holdReply(one("/hold", "hold"), { wasHeld: false })).toContain("On hold: if this pull request's rollout fails after the merge");
    expect(holdReply(one("/hold", "hold"), { wasHeld: true })).toContain("already on hold; nothing changed");
    expect(unholdReply(one("/unhold", "unhold"), { wasHeld: true })).toContain("No longer on hold");
    expect(unholdReply(one("/unhold", "unhold"), { wasHeld: false })).toContain("was not on hold; nothing changed");
    expect(rollbackNotMergedReply(one("/rollback", "rollback"))).toContain("this pull request is not merged");
  });
});

describe("markdown helpers", () => {
  it.each([
    ["/scale 6", "`/scale 6`"],
    ["a `b` c", "``a `b` c``"],
    ["`x", "`` `x ``"],
    ["two\nlines", "`two lines`"],
  ])("code(%j)", (text, want) => {
    expect(code(text)).toBe(want);
  });

  it("plain escapes Markdown and defuses mentions", () => {
    expect(plain("*hi* @bob <b>")).toBe("\\*hi\\* @&#8203;bob \\<b\\>");
  });
});
