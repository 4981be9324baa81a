import { specFor, usageOf, type Args, type CommandSpec } from "./catalog.ts";
import type { Command, InvalidCommand } from "./command.ts";

export { helpText } from "./help.ts";

// Slash commands in a pull-request comment, in two layers:
//
// 1. Lines. Each line of the comment is classified the way Markdown would see it (blank,
//    block quote, code fence, indented code, command, text). Commands are the comment's first
//    paragraph of `/` lines: leading blank lines are skipped, then every line must be a command
//    line, and the first line that is not one ends the commands. So a command never comes from
//    a code block, a quote, or prose further down ("as I said, /scale 6 would ..." is not one).
//    One allowance: a leading quote (GitHub's "Quote reply" puts it first) is skipped when a
//    blank line follows it. Without the blank line, the next line is a lazy continuation of
//    the quote in Markdown (rendered inside it), so it is not a command either.
// 2. Arguments. A command line is split on whitespace; the first token names the command
//    (case-insensitive), the rest are matched against the command's parameters from the catalog
//    (positional, optional ones last); arguments are kept as written.
//
// A command line is `/` + a name (a letter, then letters, digits, `_` or `-`) followed by
// whitespace or the end of the line, indented at most 3 spaces (4 make Markdown code). So
// `/etc/hosts is wrong` or `//` is text, not an unknown command.
//
// `/kustodian scale 6` is accepted as well as `/scale 6` and means the same: with several bots on
// one repository (Prow has /hold, Atlantis has plan), the prefixed form addresses kustodian only.
// `/kustodian` alone is `/help`.

/** More command lines than this in one comment are answered with a problem instead of run. */
export const maxCommandsPerComment = 10;
/** GitHub's own limit for a comment body; anything beyond it is not read. */
export const maxCommentChars = 65_536;
/** A command line longer than this is answered with a problem (no command needs more), not split into arguments. */
export const maxCommandLineChars = 256;
export const commandPrefix = "kustodian";

type LineKind = "blank" | "quote" | "fence" | "indented" | "command" | "text";

const commandLine = /^\/[A-Za-z][\w-]*(?:\s|$)/;

function classify(line: string): LineKind {
  if (line.trim() === "") return "blank";
  if (/^(?: {0,3}\t| {4})/.test(line)) return "indented";
  const text = line.replace(/^ {1,3}/, "");
  if (text.startsWith(">")) return "quote";
  if (/^(?:`{3,}|~{3,})/.test(text)) return "fence";
  if (commandLine.test(text)) return "command";
  return "text";
}

/**
 * The commands of a comment body, in order. Pure; never throws. Linear in the body, which is
 * read up to `maxCommentChars`: every regex here is anchored and has no nested or adjacent
 * quantifiers that could backtrack, and each line is looked at a bounded number of times.
 */
export function parseCommands(body: string): Command[] {
  const lines = (body.length > maxCommentChars ? body.slice(0, maxCommentChars) : body).split(/\r\n|\r|\n/);
  let i = skipPreamble(lines);
  const commands: Command[] = [];
  for (; i < lines.length && classify(lines[i]!) === "command"; i++) {
    const line = lines[i]!.trim();
    if (commands.length === maxCommandsPerComment) {
      commands.push(tooMany(line));
      break;
    }
    commands.push(line.length > maxCommandLineChars ? tooLong(line) : parseCommandLine(line));
  }
  return commands;
}

/** Index of the first line after leading blank lines and leading quotes that a blank line closes. */
function skipPreamble(lines: readonly string[]): number {
  let i = 0;
  while (i < lines.length) {
    const kind = classify(lines[i]!);
    if (kind === "blank") {
      i++;
    } else if (kind === "quote") {
      while (i < lines.length && classify(lines[i]!) === "quote") i++;
      // A non-blank line right after a quote continues it (Markdown's lazy continuation).
      if (i < lines.length && classify(lines[i]!) !== "blank") return lines.length;
    } else {
      return i;
    }
  }
  return i;
}

function tooLong(line: string): InvalidCommand {
  const name = nameOf(line.slice(0, 64)).slice(0, 32);
  return {
    kind: "invalid",
    name,
    problem: `a command line is at most ${maxCommandLineChars} characters; this one has ${line.length}`,
    usage: "",
    line: `${line.slice(0, 80)}…`,
  };
}

function tooMany(line: string): InvalidCommand {
  const name = nameOf(line.slice(0, 64)).slice(0, 32);
  return {
    kind: "invalid",
    name,
    problem: `at most ${maxCommandsPerComment} commands are run per comment; this one and any after it were not`,
    usage: "",
    line: line.length > maxCommandLineChars ? `${line.slice(0, 80)}…` : line,
  };
}

function nameOf(line: string): string {
  return (line.split(/\s+/)[0] ?? "").replace(/^\//, "").toLowerCase();
}

/** One command line (already known to start with `/name`). */
export function parseCommandLine(line: string): Command {
  const tokens = line.trim().split(/\s+/);
  let name = (tokens[0] ?? "").slice(1).toLowerCase();
  let args = tokens.slice(1);
  if (name === commandPrefix) {
    name = args.length === 0 ? "help" : args[0]!.replace(/^\//, "").toLowerCase();
    args = args.slice(1);
  }
  const spec = specFor(name);
  if (spec === undefined) return { kind: "unknown", name, line };
  const matched = matchArgs(spec, args);
  if (typeof matched === "string") return { kind: "invalid", name, problem: matched, usage: usageOf(spec), line };
  return spec.build(matched, line);
}

/** The arguments by parameter name, or a problem sentence. */
function matchArgs(spec: CommandSpec, tokens: readonly string[]): Args | string {
  const values = new Map<string, string | number>();
  let next = 0;
  for (const param of spec.params) {
    const token = tokens[next];
    if (token === undefined) {
      if (param.optional) continue;
      return `missing ${param.display} (${param.describe})`;
    }
    if (param.type === "text") {
      values.set(param.name, tokens.slice(next).join(" "));
      next = tokens.length;
      continue;
    }
    next++;
    if (param.type === "count") {
      const count = wholeNumber(token);
      if (count === undefined && /^\d+$/.test(token)) return `${param.name} ${token} is out of bounds: far more than any limit`;
      if (count === undefined) return `${param.name} must be a whole number >= 0, got "${token}"`;
      values.set(param.name, count);
    } else {
      values.set(param.name, token);
    }
  }
  const extra = tokens.slice(next);
  if (extra.length > 0) {
    const takes =
      spec.params.length === 0
        ? "takes no arguments"
        : `takes ${spec.params.map((p) => (p.optional ? `[${p.display}]` : p.display)).join(" ")}`;
    return `unexpected ${extra.length === 1 ? "argument" : "arguments"} "${extra.join(" ")}": /${spec.name} ${takes}`;
  }
  return argsOf(spec.name, values);
}

function wholeNumber(token: string): number | undefined {
  if (!/^\d+$/.test(token)) return undefined;
  const n = Number(token);
  return Number.isSafeInteger(n) ? n : undefined;
}

function argsOf(command: string, values: ReadonlyMap<string, string | number>): Args {
  // A wrong name or type here is a bug in the catalog, not in the comment.
  const get = (name: string, type: "string" | "number"): string | number | undefined => {
    const value = values.get(name);
    if (value !== undefined && typeof value !== type) throw new TypeError(`/${command}: argument ${name} is not a ${type}`);
    return value;
  };
  const required = <T>(name: string, value: T | undefined): T => {
    if (value === undefined) throw new TypeError(`/${command}: argument ${name} is missing`);
    return value;
  };
  return {
    count: (name) => required(name, get(name, "number") as number | undefined),
    word: (name) => required(name, get(name, "string") as string | undefined),
    optionalWord: (name) => get(name, "string") as string | undefined,
  };
}
