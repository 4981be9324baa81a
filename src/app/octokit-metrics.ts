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

export function octokitMetrics(metrics: GitHubMetrics) {
  return (octokit: HookedOctokit): void => {
    const record = (options: RequestOptions, status: number, headers: Record<string, unknown> | undefined) => {
      const remaining = headers?.["x-ratelimit-remaining"];
      metrics.request(`${options.method ?? "GET"} ${options.url ?? "?"}`, status, remaining === undefined ? undefined : Number(remaining));
    };
    octokit.hook.after("request", (response, options) => record(options, response.status, response.headers));
    octokit.hook.error("request", (error, options) => {
      record(options, error.status ?? 0, error.response?.headers);
      throw error;
    });
  };
}
