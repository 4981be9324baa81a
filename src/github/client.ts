import type { ProbotOctokit } from "probot";

/**
 * The part of Octokit the GitHub adapter uses. `context.octokit` in a Probot handler (a
 * ProbotOctokit: core + REST endpoint methods + paginate + retry + throttling) satisfies it, and
 * so does any Octokit built from @octokit/core with the paginate plugin.
 *
 * Every call goes through `request` (typed by route string), `graphql` or `paginate`, so tests
 * can count calls at the HTTP boundary with nock.
 */
export type GitHubClient = Pick<ProbotOctokit, "request" | "graphql" | "paginate">;

/** A repository, as every function of the adapter takes it. */
export interface RepoRef {
  owner: string;
  repo: string;
}

export function fullName(repo: RepoRef): string {
  return `${repo.owner}/${repo.repo}`;
}
