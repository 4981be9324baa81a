import { errorFields } from "../log/log.ts";
import type { Command } from "../commands/command.ts";
import { canWrite, isMutating, mayRun, refusalReply } from "../commands/authorize.ts";
import { parseCommands } from "../commands/parse.ts";
import {
  helpReply,
  holdReply,
  invalidCommandReply,
  rollbackNotMergedReply,
  unholdReply,
  unknownCommandReply,
} from "../commands/replies.ts";
import type { RepoRef } from "../github/client.ts";
import { repositoryPermission, type RepositoryPermission } from "../github/permission.ts";
import { reactToComment, replyToIssue } from "../github/reactions.ts";
import type { AppConfig } from "../config/app-config.ts";
import { syncPullRequest, type FlowDeps, type PullRequestRef } from "./pull-request-flow.ts";
import { PlannedHeads } from "./planned-heads.ts";
import { userMessageOf } from "../github/user-error.ts";
import { quoteCommand } from "../commands/markdown.ts";
import type { FreezeCommands } from "./freeze-commands.ts";
import { promotionReport } from "./gate-report.ts";
import { applyEditCommands, isEdit, type EditCommand, type Outcome } from "./edit-commands.ts";

export interface PullRequestState extends PullRequestRef {
  title: string;
  merged: boolean;
  mergeCommitSha: string | null;
  labels: string[];
}

export interface CommentEvent {
  repo: RepoRef;
  issueNumber: number;
  commentId: number;
  body: string;
  author: string;
}

export interface CommandDeps extends FlowDeps {
  /** `/freeze` and `/unfreeze` (src/app/freeze-commands.ts); refused when absent. */
  freezes?: FreezeCommands;
  config: AppConfig;
  configProblems: string[];
  /** Reads the pull request as it is now (head may have moved since the comment). */
  loadPullRequest: () => Promise<PullRequestState>;
  /** Routes `/rollback` on a merged PR to the rollout watcher; returns the reply. */
  rollback?: (pr: PullRequestState, requestedBy: string) => Promise<string>;
  /** The head each PR's plan was last rendered for (shared by the app's events); default: this comment only. */
  plannedHeads?: PlannedHeads;
}

/** What one comment has asked for so far: the plan is rendered at most once, after its commands. */
interface CommentWork {
  /** Render the plan once the commands have run (a /plan, or an edit that pushed). */
  sync: boolean;
  permission?: RepositoryPermission;
  /** A `/promote` pushed into this environment: the reply reports its promotion gate (after the plan). */
  promotedTo?: string;
}

/**
 * A PR comment: acknowledge with 👀, run each command in order (mutating ones only for
 * writers), answer in one reply, and end with 👍 when all went through or 👎 otherwise.
 * Returns false when the comment holds no command (nothing is done at all).
 */
export async function handleCommandComment(deps: CommandDeps, event: CommentEvent): Promise<boolean> {
  const commands = parseCommands(event.body);
  if (commands.length === 0) return false;
  await reactToComment(deps.octokit, { repo: event.repo, commentId: event.commentId, content: "eyes" });

  let pr: PullRequestState | undefined;
  const work: CommentWork = { sync: false };
  const outcomes: Outcome[] = [];
  // The comment's edits, applied together after the loop (one render, one commit): where their replies go.
  const edits: { command: EditCommand; at: number }[] = [];
  for (const command of commands) {
    try {
      if (isMutating(command)) {
        work.permission ??= await repositoryPermission(deps.octokit, { repo: event.repo, username: event.author });
        if (!mayRun(work.permission, command)) {
          outcomes.push({ reply: refusalReply(event.author, command, work.permission), ok: false });
          continue;
        }
      }
      if (isEdit(command)) {
        edits.push({ command, at: outcomes.length });
        outcomes.push({ reply: "", ok: true });
        continue;
      }
      pr ??= await deps.loadPullRequest();
      const outcome = await runCommand(deps, event, command, pr, work);
      if (outcome.refresh) pr = await deps.loadPullRequest();
      outcomes.push(outcome);
    } catch (error) {
      deps.log.error({ err: errorFields(error), command: command.line }, "command failed");
      outcomes.push({
        reply: `${quoteCommand(command.line)}\n\nkustodian could not finish this command: ${userMessageOf(error)}\n\nNothing else was changed.`,
        ok: false,
      });
    }
  }
  if (edits.length) {
    try {
      const batch = await applyEditCommands(
        deps,
        edits.map((e) => e.command),
        await deps.loadPullRequest(),
      );
      batch.outcomes.forEach((outcome, i) => (outcomes[edits[i]!.at] = outcome));
      // Our own push's synchronize event is skipped (no loops), so the plan is updated after the comment's commands.
      if (batch.pushed) work.sync = true;
      if (batch.promotedTo) work.promotedTo = batch.promotedTo;
    } catch (error) {
      deps.log.error({ err: errorFields(error), commands: edits.map((e) => e.command.line) }, "edit commands failed");
      for (const { command, at } of edits)
        outcomes[at] = {
          reply: `${quoteCommand(command.line)}\n\nkustodian could not finish this command: ${userMessageOf(error)}\n\nNothing was changed.`,
          ok: false,
        };
    }
  }
  if (work.sync) {
    // ONE render for the whole comment, however many /plan lines and edits it held.
    try {
      const current = await deps.loadPullRequest();
      const synced = await syncPullRequest(deps, current, async () => deps.loadPullRequest(), deps.configProblems);
      deps.plannedHeads?.set(PlannedHeads.key(current), synced.headSha);
      if (work.promotedTo && synced.gates) outcomes.push({ reply: promotionReport(synced.gates, work.promotedTo).trimStart(), ok: true });
    } catch (error) {
      deps.log.error({ err: errorFields(error) }, "plan after commands failed");
      outcomes.push({ reply: `kustodian could not update the plan: ${userMessageOf(error)}`, ok: false });
    }
  }
  const replies = outcomes.map((o) => o.reply).filter(Boolean);
  if (replies.length)
    await replyToIssue(deps.octokit, { repo: event.repo, issueNumber: event.issueNumber, body: replies.join("\n\n---\n\n") });
  await reactToComment(deps.octokit, { repo: event.repo, commentId: event.commentId, content: outcomes.every((o) => o.ok) ? "+1" : "-1" });
  return true;
}

async function runCommand(
  deps: CommandDeps,
  event: CommentEvent,
  command: Command,
  pr: PullRequestState,
  work: CommentWork,
): Promise<Outcome & { refresh?: boolean }> {
  switch (command.kind) {
    case "unknown":
      return { reply: unknownCommandReply(command), ok: false };
    case "invalid":
      return { reply: invalidCommandReply(command), ok: false };
    case "help":
      return { reply: helpReply(command), ok: true };
    case "plan": {
      if (pr.state !== "open")
        return { reply: `${quoteCommand(command.line)}\n\nThis pull request is closed; its plan is final.`, ok: false };
      if (work.sync) return { reply: "", ok: true }; // this comment renders the plan once already
      work.permission ??= await repositoryPermission(deps.octokit, { repo: event.repo, username: event.author });
      const planned = deps.plannedHeads?.get(PlannedHeads.key(pr));
      if (!canWrite(work.permission) && planned === pr.headSha) {
        return {
          reply: `${quoteCommand(command.line)}\n\nThe plan above is already for the head of this pull request (${pr.headSha.slice(0, 7)}); it is rendered again on the next push.`,
          ok: true,
        };
      }
      work.sync = true;
      return { reply: "", ok: true };
    }
    case "hold":
    case "unhold": {
      const wasHeld = pr.labels.includes(deps.config.holdLabel);
      if (command.kind === "hold" && !wasHeld) {
        await deps.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/labels", {
          ...event.repo,
          issue_number: pr.number,
          labels: [deps.config.holdLabel],
        });
      }
      if (command.kind === "unhold" && wasHeld) {
        await deps.octokit.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", {
          ...event.repo,
          issue_number: pr.number,
          name: deps.config.holdLabel,
        });
      }
      const reply = command.kind === "hold" ? holdReply(command, { wasHeld }) : unholdReply(command, { wasHeld });
      return { reply, ok: true, refresh: true };
    }
    case "rollback": {
      if (!pr.merged) return { reply: rollbackNotMergedReply(command), ok: false };
      if (!deps.rollback) {
        return {
          reply: `${quoteCommand(command.line)}\n\nThe rollout watcher is not running in this kustodian deployment, so it cannot revert. Nothing was changed.`,
          ok: false,
        };
      }
      return { reply: await deps.rollback(pr, event.author), ok: true };
    }
    case "scale":
    case "promote":
    case "allow":
      throw new Error("unreachable: edit commands are applied together (src/app/edit-commands.ts)");
    case "freeze":
    case "unfreeze":
      if (!deps.freezes)
        return { reply: `${quoteCommand(command.line)}\n\nFreezes are not available in this kustodian deployment.`, ok: false };
      return { reply: await deps.freezes.run(command, { by: event.author, pr }), ok: true };
  }
}
