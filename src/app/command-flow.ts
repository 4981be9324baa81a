import { errorFields } from "../log/log.ts";
import { maskedText } from "../plan/secret-values.ts";
import type { Command } from "../commands/command.ts";
import { canWrite, isMutating, mayRun, refusalReply } from "../commands/authorize.ts";
import { parseCommands } from "../commands/parse.ts";
import { heldImageCheck, planAllow } from "../commands/allow.ts";
import { planPromote } from "../commands/promote.ts";
import { planScale } from "../commands/scale.ts";
import { formatEditReply, type EditPlan } from "../commands/edit-plan.ts";
import {
  helpReply,
  holdReply,
  invalidCommandReply,
  rollbackNotMergedReply,
  unholdReply,
  unknownCommandReply,
} from "../commands/replies.ts";
import { formatProblem } from "../environments/problems.ts";
import { commitToBranch, commitWithRetry } from "../github/commit.ts";
import type { RepoRef } from "../github/client.ts";
import { repositoryPermission, type RepositoryPermission } from "../github/permission.ts";
import { reactToComment, replyToIssue } from "../github/reactions.ts";
import { readGitOpsFilesAt } from "../github/read-files.ts";
import { renderSnapshot } from "../repo/render-snapshot.ts";
import type { AppConfig } from "../config/app-config.ts";
import { syncPullRequest, type FlowDeps, type PullRequestRef } from "./pull-request-flow.ts";
import { editedWorkloads } from "./edited-workloads.ts";
import { decideHeadWrite } from "./head-write.ts";
import { PlannedHeads } from "./planned-heads.ts";
import { userMessageOf } from "../github/user-error.ts";
import { unifiedDiff } from "../plan/line-diff.ts";
import { bounded, fenced } from "../text/markdown.ts";
import { quoteCommand } from "../commands/markdown.ts";
import type { FreezeCommands } from "./freeze-commands.ts";
import { promotionReport } from "./gate-report.ts";

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

type Outcome = { reply: string; ok: boolean };

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
  for (const command of commands) {
    try {
      if (isMutating(command)) {
        work.permission ??= await repositoryPermission(deps.octokit, { repo: event.repo, username: event.author });
        if (!mayRun(work.permission, command)) {
          outcomes.push({ reply: refusalReply(event.author, command, work.permission), ok: false });
          continue;
        }
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
      return editCommand(deps, command, pr, work);
    case "freeze":
    case "unfreeze":
      if (!deps.freezes)
        return { reply: `${quoteCommand(command.line)}\n\nFreezes are not available in this kustodian deployment.`, ok: false };
      return { reply: await deps.freezes.run(command, { by: event.author, pr }), ok: true };
  }
}

/** /scale and /promote: edit one environment file, regenerate its overlay, ONE commit on the PR branch. */
async function editCommand(
  deps: CommandDeps,
  command: Extract<Command, { kind: "scale" | "promote" | "allow" }>,
  pr: PullRequestState,
  work: CommentWork,
): Promise<Outcome & { refresh?: boolean }> {
  const refuse = (why: string): Outcome => ({ reply: `${quoteCommand(command.line)}\n\n${why}\n\nNothing was changed.`, ok: false });
  const boundary = await decideHeadWrite(deps.octokit, pr);
  if (!boundary.write && boundary.reason === "closed") return refuse(boundary.why);

  const repo: RepoRef = { owner: pr.owner, repo: pr.repo };
  const baseFiles = (await readGitOpsFilesAt(deps.octokit, repo, pr.baseSha)).files;
  let headSha = pr.headSha;
  let plan: EditPlan | undefined;
  let problems: string[] = [];
  let first = true;
  const planAt = (files: ReadonlyMap<string, string>): EditPlan => {
    // The whole tree read: the commands find the environment files through its layout.
    const environmentFiles = files;
    return command.kind === "scale"
      ? planScale({
          command,
          environmentFiles,
          touched: editedWorkloads(baseFiles, files),
          maxReplicas: deps.config.scale.maxReplicas,
        })
      : command.kind === "allow"
        ? planAllow({ command, environmentFiles })
        : planPromote({
            from: command.from,
            to: command.to,
            environmentFiles,
            line: command.line,
            held: heldImageCheck(environmentFiles),
          });
  };

  if (!boundary.write) {
    // Not ours to push to: the change, for a person to make.
    plan = planAt((await readGitOpsFilesAt(deps.octokit, repo, headSha)).files);
    if (!plan.ok || !plan.changed) return { reply: formatEditReply(plan), ok: plan.ok };
    return refuse(proposedChange(boundary.why, plan.file, plan.before, plan.after, deps.secretWords));
  }

  const pushed = await commitWithRetry({
    read: async () => {
      if (!first) headSha = (await deps.loadPullRequest()).headSha;
      first = false;
      const files = (await readGitOpsFilesAt(deps.octokit, repo, headSha)).files;
      plan = planAt(files);
      if (!plan.ok || !plan.changed) return null;
      const edited = new Map(files).set(plan.file, plan.after);
      const snapshot = await renderSnapshot(edited);
      problems = snapshot.problems.map(formatProblem);
      if (problems.length) return null;
      return {
        headOid: headSha,
        changes: [{ path: plan.file, after: plan.after }, ...snapshot.changes],
        headline: `kustodian: ${command.line.replace(/^\/(kustodian\s+)?/i, "")} (requested in #${pr.number})`,
        body: `${command.line}\n\nEdited ${plan.file} and regenerated ${snapshot.environments.get(plan.env)?.overlay ?? "its overlay"}/ from it.`,
      };
    },
    commit: (c) =>
      commitToBranch(deps.octokit, {
        repo,
        branch: pr.headRef,
        expectedHeadOid: c.headOid,
        headline: c.headline,
        body: c.body ?? "",
        changes: c.changes,
      }),
  });

  if (!plan) return refuse("kustodian could not read the environment files.");
  if (problems.length) return refuse(`The change would leave an invalid environment:\n\n${fenced(bounded(problems.join("\n")), "text")}`);
  const reply = formatEditReply(plan, pushed ? { commitUrl: pushed.url } : {});
  // Our own push's synchronize event is skipped (no loops), so the plan is updated after the comment's commands.
  if (pushed) work.sync = true;
  if (pushed && command.kind === "promote") work.promotedTo = command.to;
  return { reply, ok: plan.ok, refresh: Boolean(pushed) };
}

/** A refused edit: why, and the environment file change a person can make in their own branch. */
function proposedChange(why: string, file: string, before: string, after: string, words?: readonly string[]): string {
  const lines = (text: string) => text.replace(/\n$/, "").split("\n");
  // Context lines can be an environment's config: secret-named values masked.
  const diff = maskedText(unifiedDiff(lines(before), lines(after), { fromFile: `a/${file}`, toFile: `b/${file}` }), undefined, words);
  return `${why}\n\nThe change it would make (then run \`npx kustodian render\` and push both):\n\n${fenced(diff.trimEnd(), "diff")}`;
}
