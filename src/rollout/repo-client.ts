import type { GitHubClient, RepoRef } from "../github/client.ts";

/** One repository as the rollout works on it: an installation's Octokit, the repository and its default branch. */
export interface RepoClient {
  octokit: GitHubClient;
  repo: RepoRef;
  /** Where merges land and reverts are committed. */
  defaultBranch: string;
  /** The app's bot login: only Deployments and commits it made are trusted. Default src/github/bot-login.ts. */
  botLogin?: string;
}
