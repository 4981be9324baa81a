// kustodian's rollouts as its Deployments record them, each with its verdict and its change's first
// commit: the input of the DORA figures (src/delivery/dora.ts), for `kustodian metrics` and the
// app's gauges. The first commit comes from git when a clone is at hand and the merge commit has
// the pull request's branch as second parent, else from the pull request's commits (1 call).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { RecordedRollout } from "../delivery/dora.ts";
import type { GitHubClient, RepoRef } from "../github/client.ts";
import { deploymentStatuses } from "../github/deployment-statuses.ts";
import { listDeployments, type DeploymentRecord } from "../github/deployments.ts";
import { kustodianDeployments, type TrackedDeployment } from "./record-deployments.ts";

const run = promisify(execFile);

/** kustodian's rollouts in the repository, each with its verdict and its change's first commit. */
export async function recordedRollouts(
  octokit: GitHubClient,
  repo: RepoRef,
  options: {
    botLogin: string;
    limit: number;
    /** A clone of the repository (the CLI's working directory); none in the app. */
    gitDir?: string;
    /** First commits already known, by merge SHA (the app keeps them between updates). */
    firstCommits?: Map<string, Date | undefined>;
  },
): Promise<RecordedRollout[]> {
  const records = await listDeployments(octokit, { repo, limit: options.limit, by: options.botLogin });
  const byId = new Map(records.map((r) => [r.id, r]));
  const firstCommits = options.firstCommits ?? new Map<string, Date | undefined>();
  const out: RecordedRollout[] = [];
  for (const d of kustodianDeployments(records, options.botLogin)) {
    const record = byId.get(d.id)!;
    const verdict = await verdictOf(octokit, repo, d, record, options.botLogin);
    const key = d.payload.mergeSha;
    if (!d.payload.revertOf && !firstCommits.has(key))
      firstCommits.set(key, await firstCommitOf(octokit, repo, options.gitDir, d.payload.mergeSha, d.payload.pr));
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
  botLogin: string,
): Promise<Pick<RecordedRollout, "state" | "concludedAt">> {
  const latest = record.latestStatus;
  if (latest?.state === "success") return { state: "healthy", concludedAt: new Date(latest.createdAt) };
  if (latest?.state === "failure" || latest?.state === "error") return { state: "failed", concludedAt: new Date(latest.createdAt) };
  if (latest?.state === "inactive") {
    // Superseded later: its own verdict is further down its statuses (1 call).
    const statuses = await deploymentStatuses(octokit, { repo, deploymentId: d.id, by: botLogin });
    const verdict = statuses.find((s) => s.state === "success" || s.state === "failure" || s.state === "error");
    if (verdict) return { state: verdict.state === "success" ? "healthy" : "failed", concludedAt: new Date(verdict.createdAt) };
  }
  return { state: "rolling" };
}

/** The pull request's first commit: from git when the merge commit is here and has two parents, else from the API. */
async function firstCommitOf(
  octokit: GitHubClient,
  repo: RepoRef,
  cwd: string | undefined,
  mergeSha: string,
  pr: number | null,
): Promise<Date | undefined> {
  if (cwd !== undefined) {
    const fromGit = await firstCommitInGit(cwd, mergeSha);
    if (fromGit) return fromGit;
  }
  if (pr === null) return undefined;
  let data: unknown;
  try {
    ({ data } = await octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", {
      ...repo,
      pull_number: pr,
      per_page: 100,
    }));
  } catch {
    return undefined; // a deleted pull request: no lead time for this change
  }
  const dates = (data as { commit: { author: { date?: string } | null } }[]).flatMap((c) =>
    c.commit.author?.date ? [Date.parse(c.commit.author.date)] : [],
  );
  return dates.length ? new Date(Math.min(...dates)) : undefined;
}

/** The author date of the first commit on the merge's second parent side, when the clone has the merge. */
async function firstCommitInGit(cwd: string, mergeSha: string): Promise<Date | undefined> {
  try {
    const parents = (await run("git", ["-C", cwd, "rev-list", "--parents", "-n", "1", mergeSha])).stdout.trim().split(" ").slice(1);
    if (parents.length !== 2) return undefined;
    const dates = (await run("git", ["-C", cwd, "log", "--format=%aI", "--reverse", `${parents[0]}..${parents[1]}`])).stdout
      .trim()
      .split("\n");
    return dates[0] ? new Date(dates[0]) : undefined;
  } catch {
    return undefined; // not in this clone: the caller asks the API
  }
}
