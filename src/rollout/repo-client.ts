import type { GitHubClient, RepoRef } from "../github/client.ts";

/** One repository as the rollout works on it: an installation's Octokit, the repository and its default branch. */
export interface RepoClient {
  octokit: GitHubClient;
  repo: RepoRef;
  /** Where merges land and reverts are committed. */
  defaultBranch: string;
}

/** A pino-compatible logger (Probot's `app.log` / `context.log`): a metadata object and a fixed message. */
export interface RolloutLog {
  info(meta: object, message: string): void;
  warn(meta: object, message: string): void;
  error(meta: object, message: string): void;
}

const ignore = (): void => {};
export const silentRolloutLog: RolloutLog = { info: ignore, warn: ignore, error: ignore };
