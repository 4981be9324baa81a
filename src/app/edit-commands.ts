// The edit commands of ONE comment (/scale, /promote, /allow), applied together: each planned in
// order on the files the earlier ones left, then ONE render of the result, ONE commit on the PR
// branch, and (by the caller) ONE plan. A comment holding ten edits costs what one edit costs, so
// comments cannot be used to make the bot render over and over (issue 11). Every command is still
// answered; one the planner refuses is answered with its error and changes nothing, the others go
// ahead.
import type { Command } from "../commands/command.ts";
import { heldImageCheck, planAllow } from "../commands/allow.ts";
import { formatEditReply, type EditPlan } from "../commands/edit-plan.ts";
import { code, listOf, quoteCommand } from "../commands/markdown.ts";
import { planPromote } from "../commands/promote.ts";
import { planScale } from "../commands/scale.ts";
import { formatProblem, type FileProblem } from "../environments/problems.ts";
import type { RepoRef } from "../github/client.ts";
import { commitToBranch, commitWithRetry, type CommitResult } from "../github/commit.ts";
import { readGitOpsFilesAt } from "../github/read-files.ts";
import type { FileChange } from "../layout/file-change.ts";
import { unifiedDiff } from "../plan/line-diff.ts";
import { maskedText } from "../plan/secret-values.ts";
import { renderSnapshot } from "../repo/render-snapshot.ts";
import { bounded, fenced } from "../text/markdown.ts";
import type { CommandDeps, PullRequestState } from "./command-flow.ts";
import { editedWorkloads } from "./edited-workloads.ts";
import { decideHeadWrite } from "./head-write.ts";

export type EditCommand = Extract<Command, { kind: "scale" | "promote" | "allow" }>;

export type Outcome = { reply: string; ok: boolean };

export function isEdit(command: Command): command is EditCommand {
  return command.kind === "scale" || command.kind === "promote" || command.kind === "allow";
}

type Planned = Extract<EditPlan, { ok: true }>;
const changes = (plan: EditPlan): plan is Planned => plan.ok && plan.changed;

export interface EditBatchResult {
  /** One reply per command, in the order given. */
  outcomes: Outcome[];
  /** The commit that carries every change, when there was one. */
  pushed: CommitResult | null;
  /** The last environment a pushed `/promote` wrote into (its promotion gate is reported after the plan). */
  promotedTo?: string;
}

/** The commands planned one after the other, each on the files the earlier ones left. */
interface BatchPlan {
  plans: EditPlan[];
  /** The files after every change that planned. */
  files: ReadonlyMap<string, string>;
}

/** Edit commands that passed authorisation, applied as ONE change: one render, one commit. */
export async function applyEditCommands(
  deps: CommandDeps,
  commands: readonly EditCommand[],
  pr: PullRequestState,
): Promise<EditBatchResult> {
  const refuse = (command: EditCommand, why: string): Outcome => ({
    reply: `${quoteCommand(command.line)}\n\n${why}\n\nNothing was changed.`,
    ok: false,
  });
  const boundary = await decideHeadWrite(deps.octokit, pr);
  if (!boundary.write && boundary.reason === "closed") return { outcomes: commands.map((c) => refuse(c, boundary.why)), pushed: null };

  const repo: RepoRef = { owner: pr.owner, repo: pr.repo };
  const baseFiles = (await readGitOpsFilesAt(deps.octokit, repo, pr.baseSha)).files;
  const planOne = (command: EditCommand, files: ReadonlyMap<string, string>): EditPlan =>
    // The whole tree read: the commands find the environment files through its layout.
    command.kind === "scale"
      ? planScale({
          command,
          environmentFiles: files,
          touched: editedWorkloads(baseFiles, files),
          maxReplicas: deps.config.scale.maxReplicas,
        })
      : command.kind === "allow"
        ? planAllow({ command, environmentFiles: files })
        : planPromote({ from: command.from, to: command.to, environmentFiles: files, line: command.line, held: heldImageCheck(files) });
  const planAll = (files: ReadonlyMap<string, string>): BatchPlan => {
    let current = files;
    const plans = commands.map((command) => {
      const plan = planOne(command, current);
      if (plan.ok && plan.changed) current = new Map(current).set(plan.file, plan.after);
      return plan;
    });
    return { plans, files: current };
  };

  if (!boundary.write) {
    // Not ours to push to: each change, for a person to make.
    const { plans } = planAll((await readGitOpsFilesAt(deps.octokit, repo, pr.headSha)).files);
    return {
      outcomes: plans.map((plan, i) =>
        !plan.ok || !plan.changed
          ? { reply: formatEditReply(plan), ok: plan.ok }
          : refuse(commands[i]!, proposedChange(boundary.why, plan.file, plan.before, plan.after, deps.secretWords)),
      ),
      pushed: null,
    };
  }

  let headSha = pr.headSha;
  let first = true;
  let batch: BatchPlan | undefined;
  let problems: FileProblem[] = [];
  const pushed = await commitWithRetry({
    read: async () => {
      if (!first) headSha = (await deps.loadPullRequest()).headSha;
      first = false;
      const files = (await readGitOpsFilesAt(deps.octokit, repo, headSha)).files;
      batch = planAll(files);
      const changed = batch.plans.filter(changes);
      if (changed.length === 0) return null;
      // ONE render of every change together.
      const snapshot = await renderSnapshot(batch.files);
      problems = snapshot.problems;
      if (problems.length) return null;
      const edited = new Map<string, FileChange>();
      for (const plan of changed) edited.set(plan.file, { path: plan.file, after: batch.files.get(plan.file)! });
      const overlays = new Set<string>();
      for (const plan of changed) {
        const overlay = snapshot.environments.get(plan.env)?.overlay;
        if (overlay) overlays.add(`${overlay}/`);
      }
      return {
        headOid: headSha,
        changes: [...edited.values(), ...snapshot.changes],
        ...commitMessage(
          commands.filter((_, i) => changes(batch!.plans[i]!)),
          [...edited.keys()],
          [...overlays],
          pr.number,
        ),
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

  if (!batch) return { outcomes: commands.map((c) => refuse(c, "kustodian could not read the environment files.")), pushed: null };
  const plans = batch.plans;
  const outcomes = plans.map((plan, i): Outcome => {
    if (!plan.ok || !plan.changed) return { reply: formatEditReply(plan), ok: plan.ok };
    if (problems.length) return refuse(commands[i]!, invalidResult(plan, plans, problems));
    return { reply: formatEditReply(plan, pushed ? { commitUrl: pushed.url } : {}), ok: true };
  });
  const promoted = pushed ? plans.filter((p, i) => changes(p) && commands[i]!.kind === "promote").at(-1) : undefined;
  return { outcomes, pushed, ...(promoted?.ok ? { promotedTo: promoted.env } : {}) };
}

/**
 * Why a change that planned was not committed: the render of the comment's changes found problems.
 * Its own file's problems when it has some; else the other commands' (the comment's edits go in
 * together or not at all), or problems the pull request had already.
 */
function invalidResult(plan: Planned, plans: readonly EditPlan[], problems: readonly FileProblem[]): string {
  const own = problems.filter((p) => p.file === plan.file);
  const list = (ps: readonly FileProblem[]) => fenced(bounded(ps.map(formatProblem).join("\n")), "text");
  if (own.length) return `The change would leave an invalid environment:\n\n${list(own)}`;
  const others = plans.filter(changes).filter((p) => p !== plan && problems.some((q) => q.file === p.file));
  if (others.length)
    return `Not committed: the edits of one comment go in together, and ${listOf(others.map((p) => code(p.line)))} would leave an invalid environment:\n\n${list(problems)}`;
  return `The change would leave an invalid environment:\n\n${list(problems)}`;
}

/** ONE commit for the comment's edits: the commands (as typed) and the files they edited. */
function commitMessage(
  commands: readonly EditCommand[],
  files: readonly string[],
  overlays: readonly string[],
  pr: number,
): { headline: string; body: string } {
  const what = commands.map((c) => c.line.replace(/^\/(kustodian\s+)?/i, "")).join("; ");
  const headline = `kustodian: ${what.length > 100 ? `${what.slice(0, 99)}…` : what} (requested in #${pr})`;
  const body = [
    ...commands.map((c) => c.line),
    "",
    `Edited ${files.join(", ")} and regenerated ${overlays.length ? overlays.join(", ") : "the overlays"} from ${files.length === 1 ? "it" : "them"}.`,
  ].join("\n");
  return { headline, body };
}

/** A refused edit: why, and the environment file change a person can make in their own branch. */
function proposedChange(why: string, file: string, before: string, after: string, words?: readonly string[]): string {
  const lines = (text: string) => text.replace(/\n$/, "").split("\n");
  // Context lines can be an environment's config: secret-named values masked.
  const diff = maskedText(unifiedDiff(lines(before), lines(after), { fromFile: `a/${file}`, toFile: `b/${file}` }), undefined, words);
  return `${why}\n\nThe change it would make (then run \`npx kustodian render\` and push both):\n\n${fenced(diff.trimEnd(), "diff")}`;
}
