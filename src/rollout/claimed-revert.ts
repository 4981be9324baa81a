// A verdict claimed before a restart or a lost Lease (status "Reverting: ..."): the revert
// commit (or revert pull request) it made, if it made one, found in git.
import { readBranchHead } from "../github/branch-head.ts";
import { findPullRequestFrom } from "../github/pull-requests.ts";
import { revertBranchName } from "../revert/build-revert.ts";
import type { TrackedDeployment } from "./record-deployments.ts";
import { commitUrl, type RepoClient } from "./repo-client.ts";
import { findRevertCommit, type RevertOutcome } from "./revert-environment.ts";

/** The claimed revert and the evidence its commit kept; null when the claim was made but the revert not. */
export async function findClaimedRevert(
  gh: RepoClient,
  d: TrackedDeployment,
): Promise<{ outcome: RevertOutcome; evidence: string[] } | null> {
  const head = await readBranchHead(gh.octokit, { repo: gh.repo, branch: gh.defaultBranch });
  const commit = await findRevertCommit(gh, { mergeSha: d.payload.mergeSha, environment: d.environment, head });
  if (commit) {
    return {
      outcome: { kind: "committed", sha: commit.sha, url: commitUrl(gh, commit.sha), message: commit.message, existing: false },
      evidence: bodyLines(commit.message),
    };
  }
  const pr = await findPullRequestFrom(gh.octokit, {
    repo: gh.repo,
    branch: revertBranchName(d.environment, d.payload.mergeSha),
    base: gh.defaultBranch,
  });
  if (pr)
    return { outcome: { kind: "pull-request", number: pr.number, url: pr.url, existing: false, changedSinceMerge: [] }, evidence: [] };
  return null;
}

/** The evidence lines a revert commit's body kept (its `- ` lines before the trailers). */
function bodyLines(message: string): string[] {
  const paragraphs = message.replace(/\r\n/g, "\n").split(/\n\n+/);
  return (
    paragraphs
      .slice(1, -1)
      .flatMap((p) => (p.split("\n").every((l) => l.startsWith("- ")) ? p.split("\n").map((l) => l.slice(2)) : []))
      // A list of files (a revert pull request's) is not evidence.
      .filter((l) => !/^[\w./-]+(?:\.ya?ml|\/)$/.test(l))
  );
}
