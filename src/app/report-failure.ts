// Every pull request job that cannot finish ends on the pull request, never only in a log line: a
// failing kustodian/plan check (a required check must not stay pending forever) and the plan
// comment saying what went wrong, in words a person can act on.
import { errorFields } from "../log/log.ts";
import { publishCheckRun } from "../github/checks.ts";
import { upsertStickyComment } from "../github/sticky-comment.ts";
import { userMessageOf } from "../github/user-error.ts";
import type { FlowDeps } from "./pull-request-flow.ts";
import { checkName, planMarker } from "./pull-request-flow.ts";

export interface FailedJob {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
}

/** The failure as the comment and check show it. */
export function failureMarkdown(error: unknown): string {
  return [
    "## kustodian rollout plan",
    "",
    `❌ **kustodian could not finish this pull request's plan.** ${userMessageOf(error)}`,
    "",
    "Nothing was committed. The `kustodian/plan` check stays failed until a run finishes.",
  ].join("\n");
}

/** Check first (it is what blocks a merge), then the comment; each is tried even when the other fails. */
export async function reportJobFailure(deps: FlowDeps, job: FailedJob, error: unknown): Promise<void> {
  const repo = { owner: job.owner, repo: job.repo };
  const body = failureMarkdown(error);
  const results = await Promise.allSettled([
    publishCheckRun(deps.octokit, {
      repo,
      headSha: job.headSha,
      name: checkName,
      conclusion: "failure",
      title: "kustodian could not finish",
      summary: body,
    }),
    upsertStickyComment(deps.octokit, {
      repo,
      issueNumber: job.number,
      marker: planMarker,
      body,
      ...(deps.botLogin ? { author: deps.botLogin } : {}),
    }),
  ]);
  for (const r of results)
    if (r.status === "rejected")
      deps.log.error({ err: errorFields(r.reason), pr: job.number }, "could not report a failure on the pull request");
}
