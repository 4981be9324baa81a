// The GitHub request counter's route label stays bounded whatever URL Octokit was given.
import { expect, it } from "vitest";
import { routeOf } from "../../src/app/octokit-metrics.ts";

it.each([
  ["/repos/{owner}/{repo}/pulls/{pull_number}", "GET /repos/{owner}/{repo}/pulls/{pull_number}"],
  ["http://127.0.0.1:4000/api/v3/repos/acme/gitops/issues/101/comments?per_page=100", "GET /repos/{owner}/{repo}/issues/{n}/comments"],
  [`https://ghe.example.com/api/v3/repos/a/b/commits/${"a".repeat(40)}/pulls`, "GET /repos/{owner}/{repo}/commits/{sha}/pulls"],
  ["http://127.0.0.1:4000/api/graphql", "GET /graphql"],
  ["https://api.github.com/app/installations?per_page=100&page=2", "GET /app/installations"],
])("%s → %s", (url, label) => {
  expect(routeOf("GET", url)).toBe(label);
});
