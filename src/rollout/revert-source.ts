// What a revert restores, from git: the environment's files at the commit before the merge.
// A Deployment's payload is never enough on its own (anyone with `deployments: write` can create
// a Deployment with any payload; issue 11): the commit is the merge's first parent, read from
// GitHub's git data, or — for a rebase merge, where the app recorded the branch head before all
// of the merged commits — the recorded commit once git confirms it is an ancestor of the merge.
import { commitsBetween, readCommit } from "../github/commits.ts";
import { statusOf } from "../github/http-error.ts";
import type { RepoClient } from "./repo-client.ts";

/**
 * The commit whose files a revert of `mergeSha` restores. Calls: 1 (the merge commit), plus 1
 * compare when `recorded` (the app's own record of the branch head before the merge) differs from
 * the first parent. Throws when the merge has no parent (nothing to restore).
 */
export async function restoreSourceOf(gh: RepoClient, input: { mergeSha: string; recorded?: string }): Promise<string> {
  const merge = await readCommit(gh.octokit, { repo: gh.repo, sha: input.mergeSha });
  const firstParent = merge.parents[0];
  if (!firstParent) throw new Error(`commit ${input.mergeSha.slice(0, 7)} has no parent: there is nothing to restore`);
  const recorded = input.recorded?.toLowerCase();
  if (!recorded || recorded === firstParent) return firstParent;
  // The recorded head must be an ancestor of the merge (the merge is "ahead" of it); a commit on
  // another branch — one nobody reviewed into the default branch — is not.
  try {
    const { status } = await commitsBetween(gh.octokit, { repo: gh.repo, base: recorded, head: input.mergeSha });
    return status === "ahead" ? recorded : firstParent;
  } catch (error) {
    if (statusOf(error) === 404) return firstParent;
    throw error;
  }
}
