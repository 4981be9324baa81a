// The workloads a merge's watch takes over from earlier merges in the same environment (issue 13).
// A merge made before the previous one's verdict ends that watch ("Superseded"), so the earlier
// merge's workloads would never get a verdict when the later merge changes other workloads (a
// config change breaking wordpress, then a mysql image): the environment stays broken and the
// later merge is verified Healthy. The later watch therefore covers them too. Pure.
import { isOpen, type TrackedDeployment } from "./record-deployments.ts";

/** How many earlier Deployments are looked at, newest first. */
const depth = 20;

/** Whether a Deployment's watch ended without a verdict because a later merge was synced (decide-actions.ts's description). */
function superseded(d: TrackedDeployment): boolean {
  return d.latestStatus?.state === "inactive" && (d.latestStatus.description ?? "").startsWith("Superseded by");
}

/**
 * The Deployments (workload names) of `environment` that the earlier, still unverified rollouts
 * there watch: newest first, the open or superseded ones before the newest concluded one; only
 * those that `present` (the Deployments rendered after this merge) still has. Sorted, without
 * `own` (this merge's workloads).
 */
export function carriedWorkloads(
  existing: readonly TrackedDeployment[],
  input: { environment: string; mergeSha: string; own: readonly string[]; present: ReadonlySet<string> },
): string[] {
  const earlier = existing
    .filter((d) => d.environment === input.environment && d.payload.mergeSha !== input.mergeSha)
    .sort((a, b) => b.id - a.id)
    .slice(0, depth);
  const carried = new Set<string>();
  for (const d of earlier) {
    if (!isOpen(d.latestStatus) && !superseded(d)) break;
    for (const w of d.payload.workloads) if (input.present.has(w) && !input.own.includes(w)) carried.add(w);
  }
  return [...carried].sort();
}
