import { describe, expect, it } from "vitest";
import type { Command } from "../../src/commands/command.ts";
import { helpText, maxCommandsPerComment, parseCommands } from "../../src/commands/parse.ts";

const scale = (line: string, replicas: number, workload?: string, env?: string): Command => ({
  kind: "scale",
  replicas,
  ...(workload === undefined ? {} : { workload }),
  ...(env === undefined ? {} : { env }),
  line,
});
const invalid = (line: string, name: string, problem: string, usage: string): Command => ({ kind: "invalid", name, problem, usage, line });

describe("parseCommands: which lines count", () => {
  const cases: { name: string; body: string; want: Command[] }[] = [
    { name: "one command", body: "/scale 6", want: [scale("/scale 6", 6)] },
    { name: "leading blank lines are skipped", body: "\n  \n/plan", want: [{ kind: "plan", line: "/plan" }] },
    {
      name: "several commands, one per line",
      body: "/scale 6 wordpress prod\n/promote staging prod\n/plan",
      want: [
        scale("/scale 6 wordpress prod", 6, "wordpress", "prod"),
        { kind: "promote", from: "staging", to: "prod", line: "/promote staging prod" },
        { kind: "plan", line: "/plan" },
      ],
    },
    {
      name: "CRLF line ends",
      body: "/hold\r\n/plan\r\n",
      want: [
        { kind: "hold", line: "/hold" },
        { kind: "plan", line: "/plan" },
      ],
    },
    { name: "the first line that is not a command ends them", body: "/plan\nthanks!\n/scale 6", want: [{ kind: "plan", line: "/plan" }] },
    {
      name: "a blank line ends them too (commands are the first paragraph)",
      body: "/plan\n\n/scale 6",
      want: [{ kind: "plan", line: "/plan" }],
    },
    { name: "prose first: nothing counts", body: "LGTM\n/scale 6", want: [] },
    { name: "a mention of a command inside prose", body: "we could /scale 6 later", want: [] },
    { name: "a fenced code block first", body: "```\n/scale 6\n```\n", want: [] },
    { name: "a tilde fence first", body: "~~~sh\n/scale 6\n~~~", want: [] },
    { name: "a fence after commands ends them", body: "/plan\n```\n/scale 6\n```", want: [{ kind: "plan", line: "/plan" }] },
    { name: "indented code (4 spaces) is not a command", body: "    /scale 6", want: [] },
    { name: "a tab-indented line is code", body: "\t/scale 6", want: [] },
    { name: "up to 3 spaces of indentation is still a paragraph", body: "   /scale 6", want: [scale("/scale 6", 6)] },
    { name: "a quote never counts", body: "> /scale 6", want: [] },
    { name: "a quote line after commands ends them", body: "/plan\n> /scale 6", want: [{ kind: "plan", line: "/plan" }] },
    {
      name: "a leading quote reply, a blank line, then commands",
      body: "> can you scale it?\n> please\n\n/scale 6",
      want: [scale("/scale 6", 6)],
    },
    { name: "a line right after a quote is part of it (lazy continuation)", body: "> can you scale it?\n/scale 6", want: [] },
    { name: "a path is not a command", body: "/etc/hosts is wrong", want: [] },
    { name: "a lone slash is not a command", body: "/ scale 6", want: [] },
    { name: "empty comment", body: "", want: [] },
  ];
  it.each(cases)("$name", ({ body, want }) => {
    expect(parseCommands(body)).toEqual(want);
  });
});

describe("parseCommands: the grammar of each command", () => {
  const cases: { line: string; want: Command }[] = [
    { line: "/scale 6", want: scale("/scale 6", 6) },
    { line: "/scale 0", want: scale("/scale 0", 0) },
    { line: "/scale 06", want: scale("/scale 06", 6) },
    { line: "/scale 6 wordpress", want: scale("/scale 6 wordpress", 6, "wordpress") },
    { line: "/scale   6\twordpress  prod  ", want: scale("/scale   6\twordpress  prod", 6, "wordpress", "prod") },
    { line: "/SCALE 6 WordPress Prod", want: scale("/SCALE 6 WordPress Prod", 6, "WordPress", "Prod") },
    { line: "/Promote Staging prod", want: { kind: "promote", from: "Staging", to: "prod", line: "/Promote Staging prod" } },
    { line: "/plan", want: { kind: "plan", line: "/plan" } },
    { line: "/HOLD", want: { kind: "hold", line: "/HOLD" } },
    { line: "/unhold", want: { kind: "unhold", line: "/unhold" } },
    { line: "/rollback", want: { kind: "rollback", line: "/rollback" } },
    { line: "/help", want: { kind: "help", line: "/help" } },
    { line: "/kustodian scale 6 wordpress", want: scale("/kustodian scale 6 wordpress", 6, "wordpress") },
    { line: "/Kustodian /plan", want: { kind: "plan", line: "/Kustodian /plan" } },
    { line: "/kustodian", want: { kind: "help", line: "/kustodian" } },
    { line: "/foo bar", want: { kind: "unknown", name: "foo", line: "/foo bar" } },
    { line: "/Deploy", want: { kind: "unknown", name: "deploy", line: "/Deploy" } },
    { line: "/kustodian frobnicate", want: { kind: "unknown", name: "frobnicate", line: "/kustodian frobnicate" } },
    {
      line: "/scale six",
      want: invalid("/scale six", "scale", 'replicas must be a whole number >= 0, got "six"', "/scale N [workload] [env]"),
    },
    {
      line: "/scale -1",
      want: invalid("/scale -1", "scale", 'replicas must be a whole number >= 0, got "-1"', "/scale N [workload] [env]"),
    },
    {
      line: "/scale 2.5",
      want: invalid("/scale 2.5", "scale", 'replicas must be a whole number >= 0, got "2.5"', "/scale N [workload] [env]"),
    },
    {
      line: "/scale +3",
      want: invalid("/scale +3", "scale", 'replicas must be a whole number >= 0, got "+3"', "/scale N [workload] [env]"),
    },
    {
      line: "/scale 99999999999999999999",
      want: invalid(
        "/scale 99999999999999999999",
        "scale",
        // A whole number, too large for anything: out of bounds, not "not a whole number" (issue 12).
        "replicas 99999999999999999999 is out of bounds: far more than any limit",
        "/scale N [workload] [env]",
      ),
    },
    { line: "/scale", want: invalid("/scale", "scale", "missing N (the number of replicas)", "/scale N [workload] [env]") },
    {
      line: "/scale 6 wordpress prod now",
      want: invalid(
        "/scale 6 wordpress prod now",
        "scale",
        'unexpected argument "now": /scale takes N [workload] [env]',
        "/scale N [workload] [env]",
      ),
    },
    {
      line: "/promote staging",
      want: invalid("/promote staging", "promote", "missing TO (the environment to copy the images into)", "/promote FROM TO"),
    },
    {
      line: "/promote",
      want: invalid("/promote", "promote", "missing FROM (the environment to copy the images from)", "/promote FROM TO"),
    },
    {
      line: "/promote dev staging prod",
      want: invalid("/promote dev staging prod", "promote", 'unexpected argument "prod": /promote takes FROM TO', "/promote FROM TO"),
    },
    {
      line: "/plan please now",
      want: invalid("/plan please now", "plan", 'unexpected arguments "please now": /plan takes no arguments', "/plan"),
    },
    { line: "/hold cancel", want: invalid("/hold cancel", "hold", 'unexpected argument "cancel": /hold takes no arguments', "/hold") },
  ];
  it.each(cases)("$line", ({ line, want }) => {
    expect(parseCommands(line)).toEqual([want]);
  });
});

describe("parseCommands: limits", () => {
  it(`runs at most ${maxCommandsPerComment} commands per comment and says so for the rest`, () => {
    const body = Array.from({ length: maxCommandsPerComment + 3 }, (_, i) => `/scale ${i}`).join("\n");
    const commands = parseCommands(body);
    expect(commands).toHaveLength(maxCommandsPerComment + 1);
    expect(commands[maxCommandsPerComment]).toEqual({
      kind: "invalid",
      name: "scale",
      problem: `at most ${maxCommandsPerComment} commands are run per comment; this one and any after it were not`,
      usage: "",
      line: `/scale ${maxCommandsPerComment}`,
    });
  });
});

describe("/freeze and /unfreeze", () => {
  it.each([
    { body: "/freeze prod incident 42: payments down", want: { kind: "freeze", reason: "prod incident 42: payments down" } },
    { body: "/freeze", want: { kind: "invalid", problem: "missing [env] reason (why (an environment first, or all))" } },
    { body: "/unfreeze", want: { kind: "unfreeze" } },
    { body: "/unfreeze prod", want: { kind: "unfreeze", env: "prod" } },
    { body: "/unfreeze prod staging", want: { kind: "invalid" } },
  ])("$body", ({ body, want }) => {
    expect(parseCommands(body)[0]).toMatchObject(want);
  });
});

describe("helpText", () => {
  it("lists every command with its arguments and who may run it", () => {
    const text = helpText();
    for (const usage of [
      "/scale N [workload] [env]",
      "/promote FROM TO",
      "/plan",
      "/hold",
      "/unhold",
      "/rollback",
      "/allow IMAGE [env]",
      "/freeze [env] reason",
      "/unfreeze [env]",
      "/help",
    ]) {
      expect(text).toContain(`| \`${usage}\` |`);
    }
    expect(text).toMatch(/\| `\/scale N \[workload\] \[env\]` \| .+ \| write, maintain or admin \|/);
    expect(text).toMatch(/\| `\/plan` \| .+ \| anyone who can comment \|/);
    expect(text).toMatch(/\| `\/help` \| .+ \| anyone who can comment \|/);
    expect(text).toMatch(/\| `\/freeze \[env\] reason` \| .+ \| maintain or admin \|/);
    // One table row per command, nothing else that looks like one.
    expect(text.split("\n").filter((l) => l.startsWith("| `/"))).toHaveLength(10);
  });
});
