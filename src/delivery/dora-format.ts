import { formatDuration } from "../text/duration.ts";
import type { DoraReport, Figure } from "./dora.ts";

/** The report as a markdown table, with the counts behind each figure. */
export function doraMarkdown(report: DoraReport): string {
  const out = [
    `## Delivery metrics, ${report.since.toISOString().slice(0, 10)} → ${report.until.toISOString().slice(0, 10)} (${round(report.days)} days)`,
    "",
  ];
  if (report.rows.length === 0) return [...out, "No kustodian rollouts in this period.", ""].join("\n");
  out.push(
    "| App | Environment | Deployment frequency | Lead time for changes (median) | Change failure rate | Time to restore (median) |",
    "| --- | --- | --- | --- | --- | --- |",
  );
  for (const r of report.rows) {
    const cfr = r.changeFailureRate;
    out.push(
      `| ${r.app} | ${r.environment} | ${round(r.deploymentsPerDay)}/day (${r.deployments} deployments) | ${figure(r.leadTime, "change")} | ${
        cfr.rate === null ? "—" : `${round(cfr.rate * 100)}%`
      } (${cfr.failed} of ${cfr.changes} changes) | ${figure(r.timeToRestore, "restore")}${r.timeToRestore.unrestored ? `, ${r.timeToRestore.unrestored} not restored` : ""} |`,
    );
  }
  out.push(
    "",
    "Lead time: first commit of the pull request → Healthy. Change failure rate: changes whose rollout failed or was reverted, of all concluded changes (reverts are not counted as changes). Time to restore: failed verdict → the next Healthy rollout of the environment.",
    "",
  );
  return out.join("\n");
}

function figure(f: Figure, what: string): string {
  return f.medianSeconds === null ? `— (0 ${what}s)` : `${formatDuration(f.medianSeconds)} (${f.count} ${what}${f.count === 1 ? "" : "s"})`;
}

function round(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** The report as JSON: times as ISO strings, durations in seconds. */
export function doraJson(report: DoraReport): string {
  return `${JSON.stringify({ since: report.since.toISOString(), until: report.until.toISOString(), days: report.days, rows: report.rows }, null, 2)}\n`;
}
