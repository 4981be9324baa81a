import type { GitHubClient, RepoRef } from "./client.ts";
import { statusOf } from "./http-error.ts";

/**
 * Whether a branch is protected: ONE call (GET /repos/{owner}/{repo}/branches/{branch}, its
 * `protected` flag; readable with `contents: read`, unlike the protection settings themselves,
 * which need admin). A branch that does not exist (404) is reported as protected: there is
 * nothing kustodian may push to.
 */
export async function isBranchProtected(octokit: GitHubClient, input: { repo: RepoRef; branch: string }): Promise<boolean> {
  try {
    const { data } = await octokit.request("GET /repos/{owner}/{repo}/branches/{branch}", {
      owner: input.repo.owner,
      repo: input.repo.repo,
      branch: input.branch,
    });
    return (data as { protected?: boolean }).protected === true;
  } catch (error) {
    if (statusOf(error) === 404) return true;
    throw error;
  }
}
