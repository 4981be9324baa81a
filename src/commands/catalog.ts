import type { CommandName, KnownCommand } from "./command.ts";

// The commands kustodian knows, as data: name, arguments, one-line description and whether the
// command changes anything. The parser, /help and authorisation all read this one table, so a
// new command (issue 7's `/allow IMAGE [env]`) is one more entry here plus its Command type.

/**
 * One positional argument. `count` is a whole number >= 0; `word` is one whitespace-free token,
 * kept exactly as written (names are checked by the planner, which knows the valid ones).
 */
export interface Param {
  /** The field it fills, also used in problems: `replicas must be a whole number >= 0`. */
  name: string;
  /** How /help and usage lines show it: `N`, `workload`, `FROM`. */
  display: string;
  /** `text`: the rest of the line, spaces kept (only as the last parameter). */
  type: "count" | "word" | "text";
  optional?: boolean;
  /** What it is, for "missing ..." problems. */
  describe: string;
}

/** The matched arguments, by Param.name. */
export interface Args {
  count(name: string): number;
  word(name: string): string;
  optionalWord(name: string): string | undefined;
}

export interface CommandSpec {
  name: CommandName;
  params: readonly Param[];
  summary: string;
  /** Changes the PR branch or what happens to the rollout: needs write permission or more. */
  mutating: boolean;
  /** Needs more than write: `maintain` means maintain or admin (freezes stop everyone's deploys). */
  requires?: "maintain";
  build(args: Args, line: string): KnownCommand;
}

/** A spec whose builder returns its own command type. */
type SpecOf<K extends CommandName> = CommandSpec & { name: K; build(args: Args, line: string): Extract<KnownCommand, { kind: K }> };

/** Keyed by name so the compiler insists on one entry per command; insertion order is /help's order. */
const specs: { [K in CommandName]: SpecOf<K> } = {
  scale: {
    name: "scale",
    params: [
      { name: "replicas", display: "N", type: "count", describe: "the number of replicas" },
      { name: "workload", display: "workload", type: "word", optional: true, describe: "the workload to scale" },
      { name: "env", display: "env", type: "word", optional: true, describe: "the environment" },
    ],
    summary:
      "Set the workload's replicas in the environment's file on this PR's branch (under an autoscaler: its minReplicas). " +
      "Defaults: the workload and environment this PR changes.",
    mutating: true,
    build: (args, line) => {
      const workload = args.optionalWord("workload");
      const env = args.optionalWord("env");
      return {
        kind: "scale",
        replicas: args.count("replicas"),
        ...(workload === undefined ? {} : { workload }),
        ...(env === undefined ? {} : { env }),
        line,
      };
    },
  },
  promote: {
    name: "promote",
    params: [
      { name: "from", display: "FROM", type: "word", describe: "the environment to copy the images from" },
      { name: "to", display: "TO", type: "word", describe: "the environment to copy the images into" },
    ],
    summary: "Copy FROM's images into TO's environment file on this PR's branch (images only).",
    mutating: true,
    build: (args, line) => ({ kind: "promote", from: args.word("from"), to: args.word("to"), line }),
  },
  plan: {
    name: "plan",
    params: [],
    summary: "Post the rollout plan again.",
    mutating: false,
    build: (_args, line) => ({ kind: "plan", line }),
  },
  hold: {
    name: "hold",
    params: [],
    summary: "If this PR's rollout fails after the merge, report it but do not revert it.",
    mutating: true,
    build: (_args, line) => ({ kind: "hold", line }),
  },
  unhold: {
    name: "unhold",
    params: [],
    summary: "Undo /hold: a failed rollout of this PR is reverted again.",
    mutating: true,
    build: (_args, line) => ({ kind: "unhold", line }),
  },
  rollback: {
    name: "rollback",
    params: [],
    summary: "On a merged PR: revert the environments it changed, in a new commit.",
    mutating: true,
    build: (_args, line) => ({ kind: "rollback", line }),
  },
  allow: {
    name: "allow",
    params: [
      { name: "image", display: "IMAGE", type: "word", describe: "the held image to allow again" },
      { name: "env", display: "env", type: "word", optional: true, describe: "the environment that holds it" },
    ],
    summary: "Lift the hold a revert put on IMAGE (in env, default: the one environment holding it), on this PR's branch.",
    mutating: true,
    build: (args, line) => {
      const env = args.optionalWord("env");
      return { kind: "allow", image: args.word("image"), ...(env === undefined ? {} : { env }), line };
    },
  },
  freeze: {
    name: "freeze",
    params: [{ name: "reason", display: "[env] reason", type: "text", describe: "why (an environment first, or all)" }],
    summary:
      "Freeze deployments to env (default: all environments): pull requests that change it get a failing kustodian/freeze check until /unfreeze. Recorded as an issue labelled kustodian/freeze. Maintain or admin.",
    mutating: true,
    requires: "maintain",
    build: (args, line) => ({ kind: "freeze", reason: args.word("reason"), line }),
  },
  unfreeze: {
    name: "unfreeze",
    params: [{ name: "env", display: "env", type: "word", optional: true, describe: "the environment (default: all freezes)" }],
    summary: "Lift the /freeze of env (default: every /freeze); windows in .github/kustodian.yml end by themselves. Maintain or admin.",
    mutating: true,
    requires: "maintain",
    build: (args, line) => {
      const env = args.optionalWord("env");
      return { kind: "unfreeze", ...(env === undefined ? {} : { env }), line };
    },
  },
  help: {
    name: "help",
    params: [],
    summary: "List these commands.",
    mutating: false,
    build: (_args, line) => ({ kind: "help", line }),
  },
};

export const commandSpecs: readonly CommandSpec[] = Object.values(specs);

export function specFor(name: string): CommandSpec | undefined {
  return Object.hasOwn(specs, name) ? specs[name as CommandName] : undefined;
}

/** `/scale N [workload] [env]` */
export function usageOf(spec: CommandSpec): string {
  return [`/${spec.name}`, ...spec.params.map((p) => (p.optional ? `[${p.display}]` : p.display))].join(" ");
}
