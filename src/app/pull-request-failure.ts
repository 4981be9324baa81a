// A pull request job that cannot produce a plan because of the PR's own content (a symbolic link
// or an oversized file among the files kustodian reads, a tree too large to read, a render the
// sandbox stopped) ends with a failing kustodian/plan check and the plan comment saying what and
// where: never only a log line, so a required check never stays pending. Other errors are
// rethrown (they are the server's, not the author's).
import { publishCheckRun } from "../github/checks.ts";
import { TreeTruncatedError, UnreadableFileError } from "../github/read-files.ts";
import { upsertStickyComments } from "../github/sticky-comments.ts";
import { RenderError } from "../render/render-errors.ts";
import { UnsafeTreeEntryError } from "../repo/safe-tree-path.ts";
import { checkName, planMarker, type FlowDeps, type PullRequestRef } from "./pull-request-flow.ts";

export interface ContentFailure {
  /** The check run's title. */
  title: string;
  /** What and where, as the author can act on it. */
  message: string;
}

const unreadableAdvice: Record<UnreadableFileError["reason"], string> = {
  symlink: "kustodian reads regular files only: replace the link with the file itself",
  oversized: "kustodian reads files of at most 1 MB: split the file or move large data out of it",
  binary: "kustodian reads text files only",
  missing: "the file could not be read from GitHub; push again to retry",
};

/** The failure as the author should read it, when it is about the PR's content; undefined otherwise. */
export function contentFailure(error: unknown): ContentFailure | undefined {
  if (error instanceof UnreadableFileError)
    return { title: `Cannot read ${error.path}`, message: `${error.message}\n${unreadableAdvice[error.reason]}` };
  if (error instanceof TreeTruncatedError) return { title: "Repository too large to read", message: error.message };
  if (error instanceof UnsafeTreeEntryError) return { title: `Refused ${error.path}`, message: error.message };
  if (error instanceof RenderError) return { title: "Render refused", message: error.userMessage };
  return undefined;
}

/** The plan comment and a failing check, saying why there is no plan. */
export async function reportPullRequestFailure(deps: FlowDeps, pr: PullRequestRef, failure: ContentFailure): Promise<void> {
  const body = ["### ❌ kustodian could not plan this pull request", "", fenced(failure.message), ""].join("\n");
  await upsertStickyComments(deps.octokit, {
    repo: { owner: pr.owner, repo: pr.repo },
    issueNumber: pr.number,
    marker: planMarker,
    bodies: [body],
    ...(deps.botLogin ? { author: deps.botLogin } : {}),
  });
  await publishCheckRun(deps.octokit, {
    repo: { owner: pr.owner, repo: pr.repo },
    headSha: pr.headSha,
    name: checkName,
    conclusion: "failure",
    title: failure.title.slice(0, 200),
    summary: body,
  });
  deps.log.warn({ pr: pr.number, title: failure.title }, "pull request not planned: reported on the PR");
}

/** A text block whose fence is longer than any backtick run in the text (the text is the PR's). */
function fenced(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [`${fence}text`, text, fence].join("\n");
}
