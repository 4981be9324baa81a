import { describe, expect, it } from "vitest";
import { commitUrl, type RepoClient } from "../../src/rollout/repo-client.ts";

const gh = (htmlUrl?: string): RepoClient => ({
  octokit: {} as RepoClient["octokit"],
  repo: { owner: "octo", repo: "gitops" },
  defaultBranch: "main",
  ...(htmlUrl ? { htmlUrl } : {}),
});

describe("commitUrl: links from the API's html_url", () => {
  it.each([
    [undefined, "https://github.com/octo/gitops/commit/abc"],
    ["https://github.example.com/octo/gitops", "https://github.example.com/octo/gitops/commit/abc"],
    ["https://github.example.com/octo/gitops/", "https://github.example.com/octo/gitops/commit/abc"],
  ])("html_url %s -> %s", (htmlUrl, url) => {
    expect(commitUrl(gh(htmlUrl), "abc")).toBe(url);
  });
});
