import type { HelpCommand, HoldCommand, InvalidCommand, RollbackCommand, UnholdCommand, UnknownCommand } from "./command.ts";
import { helpText } from "./help.ts";
import { code, plain, quoteCommand } from "./markdown.ts";

// Replies for the commands that edit no file. /scale and /promote have theirs beside their
// planners (formatScaleReply, formatPromoteReply); a refusal is refusalReply in authorize.ts.

const reply = (line: string, ...paragraphs: string[]): string => [quoteCommand(line), ...paragraphs].join("\n\n");

export function unknownCommandReply(command: UnknownCommand): string {
  return reply(command.line, `I don't know ${code(`/${command.name}`)}.`, helpText());
}

/** `/scale six`: the problem, the usage, and that nothing changed. */
export function invalidCommandReply(command: InvalidCommand): string {
  const usage = command.usage ? ` Usage: ${code(command.usage)}` : "";
  return reply(command.line, `${plain(command.problem)}.${usage}`, "Nothing was changed.");
}

export function helpReply(command: HelpCommand): string {
  return reply(command.line, helpText());
}

/** `wasHeld`: whether the PR was on hold before this command (the handler keeps that state). */
export function holdReply(command: HoldCommand, state: { wasHeld: boolean }): string {
  return state.wasHeld
    ? reply(command.line, "This pull request is already on hold; nothing changed.")
    : reply(
        command.line,
        "On hold: if this pull request's rollout fails after the merge, kustodian reports the failure and does not revert it. " +
          `${code("/unhold")} undoes this.`,
      );
}

export function unholdReply(command: UnholdCommand, state: { wasHeld: boolean }): string {
  return state.wasHeld
    ? reply(command.line, "No longer on hold: if this pull request's rollout fails after the merge, kustodian reverts it.")
    : reply(command.line, "This pull request was not on hold; nothing changed.");
}

/** /rollback on a pull request that is not merged: there is no rollout to undo yet. */
export function rollbackNotMergedReply(command: RollbackCommand): string {
  return reply(
    command.line,
    `Nothing to roll back: this pull request is not merged, so nothing of it has been deployed. ${code("/rollback")} works on a merged pull request.`,
  );
}
