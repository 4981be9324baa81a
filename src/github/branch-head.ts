import type { GitHubClient, RepoRef } from "./client.ts";

/**
 * The commit a branch points at now: ONE call (GET /repos/{owner}/{repo}/git/ref/heads/{branch}).
 * A retry after BranchMovedError needs it, since the webhook payload's head is the stale one.
 */
export async function readBranchHead(octokit: GitHubClient, input: { repo: RepoRef; branch: string }): Promise<string> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    ref: `heads/${input.branch}`,
  });
  return data.object.sha;
}
