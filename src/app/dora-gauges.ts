// The DORA gauges on /metrics (src/metrics), per app and environment over the last 30 days, from
// the same record and computation as `kustodian metrics`. Updated when one of kustodian's rollouts
// concludes: 1 GraphQL read of the newest 100 Deployments, 1 status list per superseded one, and
// 1 call per change whose first commit is not known yet (kept in memory between updates).
import { doraMetrics } from "../delivery/dora.ts";
import type { GitHubClient, RepoRef } from "../github/client.ts";
import type { DeliveryMetrics } from "../metrics/metrics.ts";
import { recordedRollouts } from "../rollout/recorded-rollouts.ts";

const firstCommits = new Map<string, Date | undefined>();
const period = 30 * 86_400_000;

export async function updateDoraGauges(
  metrics: DeliveryMetrics,
  input: { octokit: GitHubClient; repo: RepoRef; botLogin: string; now: Date },
): Promise<void> {
  if (firstCommits.size > 10_000) firstCommits.clear();
  const rollouts = await recordedRollouts(input.octokit, input.repo, { botLogin: input.botLogin, limit: 100, firstCommits });
  const report = doraMetrics(rollouts, { since: new Date(input.now.getTime() - period), until: input.now });
  for (const row of report.rows) {
    metrics.dora(row.app, row.environment, {
      deploymentsPerDay: row.deploymentsPerDay,
      leadTimeSeconds: row.leadTime.medianSeconds,
      changeFailureRate: row.changeFailureRate.rate,
      timeToRestoreSeconds: row.timeToRestore.medianSeconds,
    });
  }
}
