import type { GitHubClient, RepoRef } from "./client.ts";
import { checkRunTextLimit, truncateMarkdown } from "./truncate.ts";

export type CheckConclusion = "success" | "failure" | "neutral" | "action_required";

export interface CheckRunInput {
  repo: RepoRef;
  headSha: string;
  /** Default `kustodian/plan`. */
  name?: string;
  conclusion: CheckConclusion;
  title: string;
  /** Markdown; cut (with a note) to GitHub's 65,535 characters. */
  summary: string;
  /** Markdown details; cut (with a note) to GitHub's 65,535 characters. */
  text?: string;
  /** Where the details live; GitHub asks for one with `action_required`. */
  detailsUrl?: string;
  /** When the check finished; GitHub uses the time of the call when absent. */
  completedAt?: Date;
}

export interface CheckRunResult {
  id: number;
  url: string;
}

/**
 * A completed check run on a commit, in ONE call (POST /repos/{owner}/{repo}/check-runs).
 * A second run with the same name on the same commit supersedes the first in the PR's checks,
 * so a redelivered event does no harm.
 */
export async function publishCheckRun(octokit: GitHubClient, input: CheckRunInput): Promise<CheckRunResult> {
  const output: { title: string; summary: string; text?: string } = {
    title: input.title,
    summary: truncateMarkdown(input.summary, checkRunTextLimit),
  };
  if (input.text !== undefined) output.text = truncateMarkdown(input.text, checkRunTextLimit);
  const { data } = await octokit.request("POST /repos/{owner}/{repo}/check-runs", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    name: input.name ?? "kustodian/plan",
    head_sha: input.headSha,
    status: "completed",
    conclusion: input.conclusion,
    ...(input.completedAt ? { completed_at: input.completedAt.toISOString() } : {}),
    ...(input.detailsUrl ? { details_url: input.detailsUrl } : {}),
    output,
  });
  return { id: Number(data.id), url: data.html_url ?? data.url };
}
