// The text of a repository's config file as Probot's config convention finds it: the repository's
// own `.github/<name>`, else the organisation's `.github` repository's. Read raw, so a bad file is
// reported by its own parser (with line and column), never as a client error carrying API URLs.
import type { GitHubClient, RepoRef } from "./client.ts";
import { statusOf } from "./http-error.ts";

/**
 * The config file's text and the repository it came from; undefined when neither has one.
 * `sideBySide`: both repositories are asked at once (one round trip instead of two, one call
 * wasted when the repository has its own file), for the verdict-to-revert path.
 */
export async function readConfigText(
  octokit: GitHubClient,
  repo: RepoRef,
  path: string,
  options: { sideBySide?: boolean } = {},
): Promise<{ text: string; repo: string } | undefined> {
  const read = async (name: string) => {
    try {
      const { data } = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        owner: repo.owner,
        repo: name,
        path,
        mediaType: { format: "raw" },
      });
      return { text: typeof data === "string" ? data : "", repo: name };
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  };
  if (options.sideBySide) {
    const own = read(repo.repo);
    const organisation = read(".github");
    organisation.catch(() => undefined); // not needed when the repository has its own
    return (await own) ?? (await organisation);
  }
  return (await read(repo.repo)) ?? (await read(".github"));
}
