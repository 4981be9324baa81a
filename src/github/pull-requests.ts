import type { GitHubClient, RepoRef } from "./client.ts";
import { statusOf } from "./http-error.ts";

/** A pull request as the rollout needs it: title and body (revert trailers), labels (/hold), merge. */
export interface PullRequestSummary {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  merged: boolean;
  mergeCommitSha: string | null;
  headRef: string;
  baseRef: string;
  labels: string[];
  url: string;
  /** Who opened it (GitHub's record): revert trailers in the body count only when the app did. */
  author: string | null;
}

interface RestPull {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  merged?: boolean | null;
  merged_at?: string | null;
  merge_commit_sha?: string | null;
  head: { ref: string };
  base: { ref: string };
  labels?: ({ name?: string } | string)[];
  html_url: string;
  user?: { login?: string } | null;
}

function summary(p: RestPull): PullRequestSummary {
  return {
    number: p.number,
    title: p.title,
    body: p.body ?? "",
    state: p.state === "open" ? "open" : "closed",
    merged: p.merged === true || Boolean(p.merged_at),
    mergeCommitSha: p.merge_commit_sha ?? null,
    headRef: p.head.ref,
    baseRef: p.base.ref,
    labels: (p.labels ?? []).flatMap((l) => (typeof l === "string" ? [l] : l.name ? [l.name] : [])),
    url: p.html_url,
    author: p.user?.login ?? null,
  };
}

/**
 * The pull requests a commit belongs to: ONE call (GET /repos/{owner}/{repo}/commits/{sha}/pulls).
 * For a merge commit that is the merged pull request (merge, squash or rebase merge).
 */
export async function pullRequestsOfCommit(octokit: GitHubClient, input: { repo: RepoRef; sha: string }): Promise<PullRequestSummary[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{commit_sha}/pulls", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    commit_sha: input.sha,
    per_page: 100,
  });
  return (data as RestPull[]).map(summary);
}

/** A pull request as it is now (labels put on after the merge included): ONE call. */
export async function readPullRequest(octokit: GitHubClient, input: { repo: RepoRef; number: number }): Promise<PullRequestSummary> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    pull_number: input.number,
  });
  return summary(data as RestPull);
}

/** A new branch at `sha`: ONE call. `created: false` when the branch already exists (GitHub's 422), which is not an error. */
export async function createBranch(
  octokit: GitHubClient,
  input: { repo: RepoRef; branch: string; sha: string },
): Promise<{ created: boolean }> {
  try {
    await octokit.request("POST /repos/{owner}/{repo}/git/refs", {
      owner: input.repo.owner,
      repo: input.repo.repo,
      ref: `refs/heads/${input.branch}`,
      sha: input.sha,
    });
    return { created: true };
  } catch (error) {
    if (statusOf(error) === 422) return { created: false };
    throw error;
  }
}

export interface OpenPullRequestInput {
  repo: RepoRef;
  /** Branch with the change (same repository). */
  head: string;
  base: string;
  title: string;
  body: string;
}

/**
 * A pull request from `head` into `base`: ONE call, or when one is already open for that branch
 * (GitHub's 422), that one (one more call), so a retry never opens a second.
 */
export async function openPullRequest(
  octokit: GitHubClient,
  input: OpenPullRequestInput,
): Promise<{ number: number; url: string; created: boolean }> {
  try {
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/pulls", {
      owner: input.repo.owner,
      repo: input.repo.repo,
      head: input.head,
      base: input.base,
      title: input.title,
      body: input.body,
      maintainer_can_modify: true,
    });
    return { number: data.number, url: data.html_url, created: true };
  } catch (error) {
    if (statusOf(error) !== 422) throw error;
    const existing = await findPullRequestFrom(octokit, { repo: input.repo, branch: input.head, base: input.base });
    if (!existing) throw error;
    return { number: existing.number, url: existing.url, created: false };
  }
}

/** The newest pull request (open or closed) from a branch of the repository into `base`, or undefined: ONE call. */
export async function findPullRequestFrom(
  octokit: GitHubClient,
  input: { repo: RepoRef; branch: string; base: string },
): Promise<PullRequestSummary | undefined> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    head: `${input.repo.owner}:${input.branch}`,
    base: input.base,
    state: "all",
    per_page: 1,
  });
  const found = data[0];
  return found ? summary(found as RestPull) : undefined;
}
