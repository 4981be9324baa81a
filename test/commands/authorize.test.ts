import { describe, expect, it } from "vitest";
import { isMutating, mayRun, refusalReply, type Permission } from "../../src/commands/authorize.ts";
import type { Command } from "../../src/commands/command.ts";
import { parseCommands } from "../../src/commands/parse.ts";

const one = (line: string): Command => {
  const [command] = parseCommands(line);
  if (command === undefined) throw new Error(`no command in ${line}`);
  return command;
};

const permissions: Permission[] = ["admin", "maintain", "write", "triage", "read", "none"];

// line, mutating, then mayRun for admin, maintain, write, triage, read, none
const matrix: [string, boolean, ...boolean[]][] = [
  ["/scale 6", true, true, true, true, false, false, false],
  ["/promote staging prod", true, true, true, true, false, false, false],
  ["/hold", true, true, true, true, false, false, false],
  ["/unhold", true, true, true, true, false, false, false],
  ["/rollback", true, true, true, true, false, false, false],
  ["/plan", false, true, true, true, true, true, true],
  ["/help", false, true, true, true, true, true, true],
  ["/foo", false, true, true, true, true, true, true],
  ["/scale six", false, true, true, true, true, true, true],
];

describe("authorisation matrix", () => {
  it.each(matrix)("%s", (line, mutating, ...allowed) => {
    const command = one(line);
    expect(isMutating(command)).toBe(mutating);
    expect(permissions.map((p) => mayRun(p, command))).toEqual(allowed);
  });
});

describe("refusalReply", () => {
  it("quotes the command, says what it needs and what the person has, and that nothing changed", () => {
    expect(refusalReply("octocat", one("/scale 6 wordpress prod"), "read")).toBe(
      "> `/scale 6 wordpress prod`\n\n" +
        "Sorry @octocat, `/scale` commits to this pull request's environment files, so it needs write, maintain or admin " +
        "permission on this repository; you have read access. Nothing was changed. Someone with write access can run it for you.",
    );
  });

  it.each([
    ["/hold", "triage", "decides whether a failed rollout of this pull request is reverted", "you have triage access"],
    ["/rollback", "none", "reverts what this pull request deployed", "you have no access to this repository"],
    ["/kustodian promote staging prod", "read", "`/promote` commits to this pull request's environment files", "you have read access"],
  ] as const)("%s from %s", (line, permission, what, has) => {
    const reply = refusalReply("someone", one(line), permission);
    expect(reply).toContain(what);
    expect(reply).toContain(has);
    expect(reply).toContain("Nothing was changed.");
  });
});
