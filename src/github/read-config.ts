// The text of a repository's config file as Probot's config convention finds it: the repository's
// own `.github/<name>`, else the organisation's `.github` repository's. Read raw, so a bad file is
// reported by its own parser (with line and column), never as a client error carrying API URLs.
import type { GitHubClient, RepoRef } from "./client.ts";
import { statusOf } from "./http-error.ts";

/** The config file's text and the repository it came from; undefined when neither has one. */
export async function readConfigText(
  octokit: GitHubClient,
  repo: RepoRef,
  path: string,
): Promise<{ text: string; repo: string } | undefined> {
  for (const name of [repo.repo, ".github"]) {
    try {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        owner: repo.owner,
        repo: name,
        path,
        mediaType: { format: "raw" },
      });
      return { text: typeof data === "string" ? data : "", repo: name };
    } catch (error) {
      if (statusOf(error) === 404) continue;
      throw error;
    }
  }
  return undefined;
}
