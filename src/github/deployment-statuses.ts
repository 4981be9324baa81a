import type { GitHubClient, RepoRef } from "./client.ts";
import type { DeploymentStatusRecord } from "./deployments.ts";

/**
 * Up to 100 statuses of one deployment, newest first: ONE call. Used when the latest status no
 * longer says when a rollout became Healthy (a later rollout marked it `inactive`).
 */
export async function deploymentStatuses(
  octokit: GitHubClient,
  input: { repo: RepoRef; deploymentId: number },
): Promise<DeploymentStatusRecord[]> {
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    deployment_id: input.deploymentId,
    per_page: 100,
  });
  return data.map((s) => ({
    state: s.state as DeploymentStatusRecord["state"],
    description: s.description ?? null,
    logUrl: s.log_url ?? null,
    createdAt: s.created_at,
  }));
}
