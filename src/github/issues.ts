import type { GitHubClient, RepoRef } from "./client.ts";

export interface IssueRecord {
  number: number;
  title: string;
  body: string;
  url: string;
  author: { login: string; type: string } | null;
  createdAt: string;
}

/** Open issues (not pull requests) with `label` opened by `creator`, newest first: ONE call (up to 100). */
export async function openIssuesWithLabel(
  octokit: GitHubClient,
  input: { repo: RepoRef; label: string; creator?: string },
): Promise<IssueRecord[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/issues", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    labels: input.label,
    state: "open",
    ...(input.creator ? { creator: input.creator } : {}),
    per_page: 100,
  });
  return data
    .filter((i) => !i.pull_request)
    .map((i) => ({
      number: i.number,
      title: i.title,
      body: i.body ?? "",
      url: i.html_url,
      author: i.user ? { login: i.user.login, type: i.user.type } : null,
      createdAt: i.created_at,
    }));
}

/** ONE call. */
export async function createIssue(
  octokit: GitHubClient,
  input: { repo: RepoRef; title: string; body: string; labels: string[] },
): Promise<{ number: number; url: string }> {
  const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    title: input.title,
    body: input.body,
    labels: input.labels,
  });
  return { number: data.number, url: data.html_url };
}

/** ONE call: closes the issue (a comment saying why is the caller's). */
export async function closeIssue(octokit: GitHubClient, input: { repo: RepoRef; issueNumber: number }): Promise<void> {
  await octokit.request("PATCH /repos/{owner}/{repo}/issues/{issue_number}", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    issue_number: input.issueNumber,
    state: "closed",
    state_reason: "completed",
  });
}
