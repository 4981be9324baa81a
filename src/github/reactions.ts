import type { GitHubClient, RepoRef } from "./client.ts";
import { commentBodyLimit, truncateMarkdown } from "./truncate.ts";

export type ReactionContent = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";

/**
 * A reaction on an issue or pull request comment, in ONE call. Reacting twice with the same
 * content is harmless: GitHub answers 200 with the existing reaction instead of 201.
 */
export async function reactToComment(
  octokit: GitHubClient,
  input: { repo: RepoRef; commentId: number; content: ReactionContent },
): Promise<void> {
  await octokit.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    comment_id: input.commentId,
    content: input.content,
  });
}

/** A new comment on an issue or pull request, in ONE call; bodies over 65,536 characters are cut with a note. */
export async function replyToIssue(
  octokit: GitHubClient,
  input: { repo: RepoRef; issueNumber: number; body: string },
): Promise<{ id: number; url: string }> {
  const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    issue_number: input.issueNumber,
    body: truncateMarkdown(input.body, commentBodyLimit),
  });
  return { id: Number(data.id), url: data.html_url };
}
