// `kustodian metrics`: DORA figures from kustodian's own record. Reads the repository's GitHub
// Deployments (only those the app created, with kustodian's payload) and, for lead time, the git
// history of the repository in the working directory (a merge commit's second parent is the pull
// request's branch); for a squash or rebase merge, or a commit not fetched, the pull request's first
// commit from the API. Token: GITHUB_TOKEN; repository: --repo, else the `origin` remote.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Octokit } from "@octokit/rest";
import { doraMetrics, type RecordedRollout } from "../delivery/dora.ts";
import { doraJson, doraMarkdown } from "../delivery/dora-format.ts";
import type { GitHubClient, RepoRef } from "../github/client.ts";
import { deploymentStatuses } from "../github/deployment-statuses.ts";
import { listDeployments, type DeploymentRecord } from "../github/deployments.ts";
import { kustodianDeployments, type TrackedDeployment } from "../rollout/record-deployments.ts";
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
  const rollouts = await recordedRollouts(octokit, repo, io.cwd, options);
  const report = doraMetrics(rollouts, { since: new Date(now.getTime() - sinceSeconds * 1000), until: now });
  io.stdout.write(options.format === "json" ? doraJson(report) : doraMarkdown(report));
  return 0;
}

/** kustodian's rollouts in the repository, each with its verdict and its change's first commit. */
export async function recordedRollouts(
  octokit: GitHubClient,
  repo: RepoRef,
  cwd: string,
  options: { botLogin: string; limit: number },
): Promise<RecordedRollout[]> {
  const records = await listDeployments(octokit, { repo, limit: options.limit });
  const byId = new Map(records.map((r) => [r.id, r]));
  const firstCommits = new Map<string, Date | undefined>();
  const out: RecordedRollout[] = [];
  for (const d of kustodianDeployments(records, options.botLogin)) {
    const record = byId.get(d.id)!;
    const verdict = await verdictOf(octokit, repo, d, record);
    const key = d.payload.mergeSha;
    if (!d.payload.revertOf && !firstCommits.has(key))
      firstCommits.set(key, await firstCommitOf(octokit, repo, cwd, d.payload.mergeSha, d.payload.pr));
    const first = firstCommits.get(key);
    out.push({
      app: repo.repo,
      environment: d.environment,
      deploymentId: d.id,
      mergeSha: d.payload.mergeSha,
      pr: d.payload.pr,
      ...(d.payload.revertOf ? { revertOf: d.payload.revertOf.mergeSha } : {}),
      startedAt: new Date(record.createdAt),
      ...verdict,
      ...(first ? { firstCommitAt: first } : {}),
    });
  }
  return out;
}

async function verdictOf(
  octokit: GitHubClient,
  repo: RepoRef,
  d: TrackedDeployment,
  record: DeploymentRecord,
): Promise<Pick<RecordedRollout, "state" | "concludedAt">> {
  const latest = record.latestStatus;
  if (latest?.state === "success") return { state: "healthy", concludedAt: new Date(latest.createdAt) };
  if (latest?.state === "failure" || latest?.state === "error") return { state: "failed", concludedAt: new Date(latest.createdAt) };
  if (latest?.state === "inactive") {
    // Superseded later: its own verdict is further down its statuses (1 call).
    const statuses = await deploymentStatuses(octokit, { repo, deploymentId: d.id });
    const verdict = statuses.find((s) => s.state === "success" || s.state === "failure" || s.state === "error");
    if (verdict) return { state: verdict.state === "success" ? "healthy" : "failed", concludedAt: new Date(verdict.createdAt) };
  }
  return { state: "rolling" };
}

/** The pull request's first commit: from git when the merge commit is here and has two parents, else from the API. */
async function firstCommitOf(
  octokit: GitHubClient,
  repo: RepoRef,
  cwd: string,
  mergeSha: string,
  pr: number | null,
): Promise<Date | undefined> {
  try {
    const parents = (await run("git", ["-C", cwd, "rev-list", "--parents", "-n", "1", mergeSha])).stdout.trim().split(" ").slice(1);
    if (parents.length === 2) {
      const dates = (await run("git", ["-C", cwd, "log", "--format=%aI", "--reverse", `${parents[0]}..${parents[1]}`])).stdout
        .trim()
        .split("\n");
      if (dates[0]) return new Date(dates[0]);
    }
  } catch {
    // Not in this clone: ask the API below.
  }
  if (pr === null) return undefined;
  const { data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", {
    ...repo,
    pull_number: pr,
    per_page: 100,
  });
  const dates = (data as { commit: { author: { date?: string } | null } }[]).flatMap((c) =>
    c.commit.author?.date ? [Date.parse(c.commit.author.date)] : [],
  );
  return dates.length ? new Date(Math.min(...dates)) : undefined;
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
