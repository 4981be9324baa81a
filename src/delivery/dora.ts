// Delivery metrics (DORA) over kustodian's own record: its GitHub Deployments (one per merge and
// environment, with the verdict and the reverts) and the git history (when each change's first
// commit was made). Pure: the history is passed in, already read.

/** One rollout as kustodian recorded it. */
export interface RecordedRollout {
  app: string;
  environment: string;
  deploymentId: number;
  mergeSha: string;
  /** The merged pull request, if any. */
  pr: number | null;
  /** The merge this rollout reverts (a kustodian revert), if it is one. */
  revertOf?: string;
  /** When the Deployment was created (the merge). */
  startedAt: Date;
  state: "healthy" | "failed" | "rolling";
  /** When the verdict was recorded. */
  concludedAt?: Date;
  /** The first commit of the change (of its pull request), for lead time. */
  firstCommitAt?: Date;
}

export interface Figure {
  /** Median, in seconds; null when there is nothing to measure. */
  medianSeconds: number | null;
  /** How many measurements the median is of. */
  count: number;
}

export interface DoraRow {
  app: string;
  environment: string;
  /** Rollouts started in the period (reverts included). */
  deployments: number;
  /** deployments / days of the period. */
  deploymentsPerDay: number;
  /** First commit → Healthy, over the Healthy changes that know their first commit. */
  leadTime: Figure;
  /** (failed or reverted) / concluded changes (reverts themselves are not changes). */
  changeFailureRate: { rate: number | null; failed: number; changes: number };
  /** Failure → the next Healthy rollout of the environment. */
  timeToRestore: Figure & { unrestored: number };
}

export interface DoraReport {
  since: Date;
  until: Date;
  days: number;
  rows: DoraRow[];
}

/** The four figures per (app, environment) for the rollouts started in [since, until). */
export function doraMetrics(rollouts: readonly RecordedRollout[], period: { since: Date; until: Date }): DoraReport {
  const days = Math.max(1 / 24, (period.until.getTime() - period.since.getTime()) / 86_400_000);
  const groups = new Map<string, RecordedRollout[]>();
  for (const r of rollouts) {
    const key = JSON.stringify([r.app, r.environment]);
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const rows = [...groups.entries()]
    .map(([key, all]) => {
      const [app, environment] = JSON.parse(key) as [string, string];
      const sorted = [...all].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime());
      return rowOf(app, environment, sorted, period, days);
    })
    .filter((row) => row.deployments > 0)
    .sort((a, b) => a.app.localeCompare(b.app) || a.environment.localeCompare(b.environment));
  return { since: period.since, until: period.until, days, rows };
}

function rowOf(
  app: string,
  environment: string,
  all: readonly RecordedRollout[],
  period: { since: Date; until: Date },
  days: number,
): DoraRow {
  const inPeriod = all.filter((r) => r.startedAt >= period.since && r.startedAt < period.until);
  const reverted = new Set(all.flatMap((r) => (r.revertOf ? [r.revertOf] : [])));
  const changes = inPeriod.filter((r) => !r.revertOf && r.state !== "rolling");
  const failedChanges = changes.filter((r) => r.state === "failed" || reverted.has(r.mergeSha));

  const leadTimes = changes
    .filter((r) => r.state === "healthy" && r.concludedAt && r.firstCommitAt && !reverted.has(r.mergeSha))
    .map((r) => (r.concludedAt!.getTime() - r.firstCommitAt!.getTime()) / 1000);

  const restores: number[] = [];
  let unrestored = 0;
  for (const failure of inPeriod.filter((r) => r.state === "failed" && r.concludedAt)) {
    const failedAt = failure.concludedAt!.getTime();
    const next = all
      .filter((r) => r.state === "healthy" && r.concludedAt && r.concludedAt.getTime() > failedAt)
      .map((r) => r.concludedAt!.getTime())
      .sort((a, b) => a - b)[0];
    if (next === undefined) unrestored++;
    else restores.push((next - failedAt) / 1000);
  }

  return {
    app,
    environment,
    deployments: inPeriod.length,
    deploymentsPerDay: inPeriod.length / days,
    leadTime: { medianSeconds: median(leadTimes), count: leadTimes.length },
    changeFailureRate: {
      rate: changes.length ? failedChanges.length / changes.length : null,
      failed: failedChanges.length,
      changes: changes.length,
    },
    timeToRestore: { medianSeconds: median(restores), count: restores.length, unrestored },
  };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}
