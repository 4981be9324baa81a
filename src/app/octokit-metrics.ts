// An Octokit plugin that counts every GitHub API request by route template and status, and keeps
// the rate limit remaining (src/metrics). The route is Octokit's template ("GET /repos/{owner}/
// {repo}/pulls/{pull_number}", "POST /graphql"), never the expanded URL: bounded label values.
import type { GitHubMetrics } from "../metrics/metrics.ts";

interface RequestOptions {
  method?: string;
  url?: string;
}
interface HookedOctokit {
  hook: {
    after(name: "request", hook: (response: { status: number; headers: Record<string, unknown> }, options: RequestOptions) => void): void;
    error(
      name: "request",
      hook: (error: { status?: number; response?: { headers?: Record<string, unknown> } }, options: RequestOptions) => unknown,
    ): void;
  };
}

/**
 * The route label: Octokit's template when the request was made from one; an absolute URL (a
 * paginated request, GraphQL on GitHub Enterprise) is cut to its API path with owner, repository,
 * numbers and SHAs replaced by placeholders, so label values stay bounded.
 */
export function routeOf(method: string | undefined, url: string | undefined): string {
  let path = url ?? "?";
  if (/^https?:\/\//.test(path)) {
    path = new URL(path).pathname.replace(/^\/api\/v3(?=\/)/, "").replace(/^\/api\/graphql$/, "/graphql");
    path = path
      .replace(/^\/repos\/[^/]+\/[^/]+/, "/repos/{owner}/{repo}")
      .replace(/\/[0-9a-f]{40}(?=\/|$)/g, "/{sha}")
      .replace(/\/\d+(?=\/|$)/g, "/{n}");
  }
  return `${method ?? "GET"} ${path.split("?")[0]}`;
}

export function octokitMetrics(metrics: GitHubMetrics) {
  return (octokit: HookedOctokit): void => {
    const record = (options: RequestOptions, status: number, headers: Record<string, unknown> | undefined) => {
      const remaining = headers?.["x-ratelimit-remaining"];
      metrics.request(routeOf(options.method, options.url), status, remaining === undefined ? undefined : Number(remaining));
    };
    octokit.hook.after("request", (response, options) => record(options, response.status, response.headers));
    octokit.hook.error("request", (error, options) => {
      record(options, error.status ?? 0, error.response?.headers);
      throw error;
    });
  };
}
