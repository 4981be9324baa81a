import { defaultBotLogin } from "../github/bot-login.ts";
import type { GitHubClient, RepoRef } from "../github/client.ts";

/** One repository as the rollout works on it: an installation's Octokit, the repository and its default branch. */
export interface RepoClient {
  octokit: GitHubClient;
  repo: RepoRef;
  /** Where merges land and reverts are committed. */
  defaultBranch: string;
  /** The app's bot login: only Deployments and commits it made are trusted. Default src/github/bot-login.ts. */
  botLogin?: string;
  /** The app's installation on the repository (from the webhook): lets another replica (the Lease holder) act on it. */
  installationId?: number;
  /** The repository's web address from the API (`repository.html_url`): links point there (GitHub Enterprise too). */
  htmlUrl?: string;
}

/** The app's bot login for this repository: whose Deployments, statuses and commits count. */
export function botLoginOf(gh: RepoClient): string {
  return gh.botLogin ?? defaultBotLogin();
}

/** A commit's web page: under the repository's html_url, else github.com's. */
export function commitUrl(gh: RepoClient, sha: string): string {
  const base = gh.htmlUrl?.replace(/\/+$/, "") ?? `https://github.com/${gh.repo.owner}/${gh.repo.repo}`;
  return `${base}/commit/${sha}`;
}
