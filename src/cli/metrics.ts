// `kustodian metrics`: DORA figures from kustodian's own record. Reads the repository's GitHub
// Deployments (only those the app created, with kustodian's payload) and, for lead time, the git
// history of the repository in the working directory (a merge commit's second parent is the pull
// request's branch); for a squash or rebase merge, or a commit not fetched, the pull request's first
// commit from the API. Token: GITHUB_TOKEN; repository: --repo, else the `origin` remote.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Octokit } from "@octokit/rest";
import { doraMetrics } from "../delivery/dora.ts";
import { doraJson, doraMarkdown } from "../delivery/dora-format.ts";
import type { GitHubClient, RepoRef } from "../github/client.ts";
import { recordedRollouts } from "../rollout/recorded-rollouts.ts";
import { parseDuration } from "../text/duration.ts";
import type { CliIo } from "./io.ts";

const run = promisify(execFile);

export interface MetricsOptions {
  since: string;
  format: "markdown" | "json";
  repo?: string;
  /** The app's bot login: only its Deployments count. */
  botLogin: string;
  /** Most Deployments read (newest first). */
  limit: number;
  token: string | undefined;
  /** Default GitHub's API (GITHUB_API_URL for GitHub Enterprise). */
  baseUrl?: string;
  now?: Date;
}

export async function metricsCommand(io: CliIo, options: MetricsOptions): Promise<number> {
  const sinceSeconds = parseDuration(options.since);
  if (sinceSeconds === undefined || sinceSeconds === 0)
    throw usage(`--since must be a duration such as 30d or 12h, got "${options.since}"`);
  if (!options.token)
    throw usage("metrics reads GitHub Deployments: set GITHUB_TOKEN (a token that can read the repository's deployments)");
  const repo = options.repo ? parseRepo(options.repo) : await originRepo(io.cwd);
  const octokit = new Octokit({ auth: options.token, ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}) }) as unknown as GitHubClient;
  const now = options.now ?? new Date();
  const rollouts = await recordedRollouts(octokit, repo, { ...options, gitDir: io.cwd });
  const report = doraMetrics(rollouts, { since: new Date(now.getTime() - sinceSeconds * 1000), until: now });
  io.stdout.write(options.format === "json" ? doraJson(report) : doraMarkdown(report));
  return 0;
}

function parseRepo(text: string): RepoRef {
  const m = /^([\w.-]+)\/([\w.-]+)$/.exec(text);
  if (!m) throw usage(`--repo must be OWNER/NAME, got "${text}"`);
  return { owner: m[1]!, repo: m[2]! };
}

async function originRepo(cwd: string): Promise<RepoRef> {
  let url: string;
  try {
    url = (await run("git", ["-C", cwd, "remote", "get-url", "origin"])).stdout.trim();
  } catch {
    throw usage("no --repo and no git remote `origin` to read it from");
  }
  const m = /github[^/:]*[/:]([\w.-]+)\/([\w.-]+?)(?:\.git)?\/?$/.exec(url);
  if (!m) throw usage(`the origin remote (${url}) is not a GitHub repository; pass --repo OWNER/NAME`);
  return { owner: m[1]!, repo: m[2]! };
}

function usage(message: string): Error {
  return Object.assign(new Error(message), { code: "KUSTODIAN_USAGE" });
}
