import { isAppAccount } from "./bot-login.ts";
import type { GitHubClient, RepoRef } from "./client.ts";
import type { DeploymentStatusRecord } from "./deployments.ts";

/**
 * The statuses the app wrote on one deployment (of its newest 100), newest first: ONE call. Used
 * when the latest status no longer says when a rollout became Healthy (a later rollout marked it
 * `inactive`), or was written by someone else. Anyone with repository access can add a status to
 * the app's Deployment; only the app's own statuses are its verdicts (issue 11), so the others are
 * left out here, once, for every reader.
 */
export async function deploymentStatuses(
  octokit: GitHubClient,
  input: {
    repo: RepoRef;
    deploymentId: number;
    /** The app's bot login: only statuses this account created are returned. */
    by: string;
  },
): Promise<DeploymentStatusRecord[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    deployment_id: input.deploymentId,
    per_page: 100,
  });
  return data.flatMap((s) =>
    isAppAccount(s.creator, input.by)
      ? [
          {
            state: s.state as DeploymentStatusRecord["state"],
            description: s.description ?? null,
            logUrl: s.log_url ?? null,
            createdAt: s.created_at,
          },
        ]
      : [],
  );
}
