// What a comment asks kustodian to do: the parser's output and every planner's input.
// `line` is the command line as the person wrote it (trimmed), so replies can quote it.

export interface ScaleCommand {
  kind: "scale";
  replicas: number;
  /** As written; omitted means "the one workload this PR touches". */
  workload?: string;
  /** As written; omitted means "the one environment this PR touches". */
  env?: string;
  /** As written: the app, where several apps have an environment of that name (`/scale 6 shop prod`). */
  app?: string;
  line: string;
}

export interface PromoteCommand {
  kind: "promote";
  from: string;
  to: string;
  line: string;
}

export interface PlanCommand {
  kind: "plan";
  line: string;
}

export interface HoldCommand {
  kind: "hold";
  line: string;
}

export interface UnholdCommand {
  kind: "unhold";
  line: string;
}

export interface RollbackCommand {
  kind: "rollback";
  line: string;
}

/** `/allow IMAGE [env]`: lift a hold that a revert put on an image (issue 7). */
export interface AllowCommand {
  kind: "allow";
  image: string;
  env?: string;
  line: string;
}

/** `/freeze [env] reason`: `reason` is the rest of the line; the handler takes a leading environment name off it. */
export interface FreezeCommand {
  kind: "freeze";
  reason: string;
  line: string;
}

/** `/unfreeze [env]` */
export interface UnfreezeCommand {
  kind: "unfreeze";
  env?: string;
  line: string;
}

export interface HelpCommand {
  kind: "help";
  line: string;
}

/** `/foo`: answered with /help's list; changes nothing. `name` is lowercased. */
export interface UnknownCommand {
  kind: "unknown";
  name: string;
  line: string;
}

/** A known command with bad arguments (`/scale six`): answered with the problem; changes nothing. */
export interface InvalidCommand {
  kind: "invalid";
  /** The command's name, lowercased (`scale`). */
  name: string;
  /** One sentence, e.g. `replicas must be a whole number >= 0, got "six"`. */
  problem: string;
  /** The command's grammar, e.g. `/scale N [workload] [env]`; empty when there is none. */
  usage: string;
  line: string;
}

export type Command =
  | ScaleCommand
  | PromoteCommand
  | PlanCommand
  | HoldCommand
  | UnholdCommand
  | RollbackCommand
  | AllowCommand
  | FreezeCommand
  | UnfreezeCommand
  | HelpCommand
  | UnknownCommand
  | InvalidCommand;

/** The commands that the grammar knows (everything but `unknown` and `invalid`). */
export type KnownCommand = Exclude<Command, UnknownCommand | InvalidCommand>;
export type CommandName = KnownCommand["kind"];
