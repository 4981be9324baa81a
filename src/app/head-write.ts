import type { GitHubClient } from "../github/client.ts";
import { isBranchProtected } from "../github/branch-protection.ts";
import { mayWriteToHead, type HeadBranchState, type WriteDecision } from "../commands/write-boundary.ts";

/**
 * The write boundary of src/commands/write-boundary.ts with GitHub's answer about branch
 * protection: the protection is read (1 call) only when nothing else already forbids the write
 * and the answer is not already known (`known`: read with the rest of a pull request event's
 * context, src/github/pull-request-context.ts).
 */
export async function decideHeadWrite(
  octokit: GitHubClient,
  pr: HeadBranchState & { owner: string; repo: string },
  known?: boolean,
): Promise<WriteDecision> {
  const before = mayWriteToHead(pr, undefined);
  if (!before.write) return before;
  const headProtected = known ?? (await isBranchProtected(octokit, { repo: { owner: pr.owner, repo: pr.repo }, branch: pr.headRef }));
  return mayWriteToHead(pr, headProtected);
}
