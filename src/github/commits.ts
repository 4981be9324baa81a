import type { GitHubClient, RepoRef } from "./client.ts";

/** A commit as kustodian needs it after a merge: its parents, its message (trailers) and when it was committed. */
export interface CommitSummary {
  sha: string;
  /** Parent SHAs; the first is the branch's previous head for a merge commit. */
  parents: string[];
  message: string;
  /** Committer date (ISO 8601), or null when GitHub gives none. */
  committedAt: string | null;
  /** The GitHub accounts GitHub matched to the author and committer (null when none, or not read), and whether GitHub verified the signature. */
  author: string | null;
  committer: string | null;
  verified: boolean;
}

interface RestCommit {
  sha: string;
  parents?: { sha: string }[];
  author?: { login?: string } | null;
  committer?: { login?: string } | null;
  commit: { message: string; committer?: { date?: string | null } | null; verification?: { verified?: boolean } | null };
}

function summary(c: RestCommit): CommitSummary {
  return {
    sha: c.sha,
    parents: (c.parents ?? []).map((p) => p.sha),
    message: c.commit.message,
    committedAt: c.commit.committer?.date ?? null,
    author: c.author?.login ?? null,
    committer: c.committer?.login ?? null,
    verified: c.commit.verification?.verified === true,
  };
}

/** One commit with its GitHub author, committer and signature verification: ONE call (GET /repos/{owner}/{repo}/commits/{ref}). */
export async function readCommitWithAuthors(octokit: GitHubClient, input: { repo: RepoRef; sha: string }): Promise<CommitSummary> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits/{ref}", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    ref: input.sha,
  });
  return summary(data as RestCommit);
}

/** The newest `limit` (at most 100) commits of a branch, newest first: ONE call (GET /repos/{owner}/{repo}/commits). */
export async function listBranchCommits(
  octokit: GitHubClient,
  input: { repo: RepoRef; branch: string; limit: number },
): Promise<CommitSummary[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/commits", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    sha: input.branch,
    per_page: Math.max(1, Math.min(100, input.limit)),
  });
  return (data as RestCommit[]).map(summary);
}

/**
 * The commits reachable from `head` and not from `base` (GitHub's three-dot compare), oldest
 * first: ONE call (GET /repos/{owner}/{repo}/compare/{base}...{head}). GitHub returns at most
 * 250 commits this way; `total` says how many there are. `status` is `ahead` when `head`
 * contains `base` (a later commit of the branch).
 */
export async function commitsBetween(
  octokit: GitHubClient,
  input: { repo: RepoRef; base: string; head: string },
): Promise<{ commits: CommitSummary[]; total: number; status: "ahead" | "behind" | "identical" | "diverged" }> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    basehead: `${input.base}...${input.head}`,
    per_page: 100,
  });
  const commits = (data.commits as RestCommit[]).map(summary);
  return { commits, total: data.total_commits ?? commits.length, status: data.status };
}

/** One commit's parents and message: ONE call (GET /repos/{owner}/{repo}/git/commits/{sha}). */
export async function readCommit(octokit: GitHubClient, input: { repo: RepoRef; sha: string }): Promise<CommitSummary> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    commit_sha: input.sha,
  });
  return {
    sha: data.sha,
    parents: data.parents.map((p) => p.sha),
    message: data.message,
    committedAt: data.committer?.date ?? null,
    // The git data API names no GitHub accounts: read through readCommitWithAuthors when it matters.
    author: null,
    committer: null,
    verified: data.verification?.verified === true,
  };
}
