import type { ArgoApplication, Evidence } from "./types.ts";
import type { SyncState } from "./sync-state.ts";
import { toMillis } from "./time.ts";

// Application conditions that mean Argo CD could not render or apply the desired state.
const ERROR_CONDITIONS = new Set(["ComparisonError", "SyncError"]);

function revisionsOf(x: { revision?: string; revisions?: string[] | null } | null | undefined): string[] {
  return [x?.revision, ...(x?.revisions ?? [])].filter((r): r is string => !!r).map((r) => r.toLowerCase());
}

/**
 * Argo CD: applied when status.sync is Synced at the merge SHA (revision or, multi-source,
 * revisions). Failed when the sync operation for that SHA ended Failed/Error, or when an
 * error condition is present (conditions carry no revision; `mergedAt` drops older ones).
 */
export function argoSyncState(app: ArgoApplication, sha: string, mergedAt?: number): SyncState {
  const object = `Application/${app.metadata?.name ?? ""}`;
  const status = app.status ?? {};
  const synced = status.sync?.status === "Synced" && revisionsOf(status.sync).includes(sha);
  const short = sha.slice(0, 7);

  const op = status.operationState;
  const opRevisions = [...revisionsOf(op?.syncResult), ...revisionsOf(op?.operation?.sync)];
  if (op && (op.phase === "Failed" || op.phase === "Error") && opRevisions.includes(sha)) {
    const evidence: Evidence[] = [{ object, reason: `Operation${op.phase}`, message: op.message ?? "" }];
    for (const r of op.syncResult?.resources ?? []) {
      if (r.status !== "SyncFailed") continue;
      evidence.push({ object: `${r.kind ?? "Resource"}/${r.name ?? ""}`, reason: r.status, message: r.message ?? "" });
    }
    return {
      state: "Failed",
      applied: synced,
      summary: `Argo CD sync of ${short} ${op.phase?.toLowerCase()}: ${op.message ?? ""}`.trim(),
      evidence,
    };
  }
  if (synced) return { state: "Applied", detail: `${object} Synced at ${short}` };

  const errors = (status.conditions ?? []).filter((c) => {
    if (!ERROR_CONDITIONS.has(c.type)) return false;
    const since = toMillis(c.lastTransitionTime);
    return mergedAt === undefined || since === undefined || since >= mergedAt;
  });
  if (errors.length > 0) {
    const evidence = errors.map((c) => ({ object, reason: c.type, message: c.message ?? "" }));
    return { state: "Failed", applied: false, summary: `Argo CD ${errors[0]!.type}: ${errors[0]!.message ?? ""}`.trim(), evidence };
  }
  const at = revisionsOf(status.sync)[0]?.slice(0, 7) ?? "no revision";
  const running = op?.phase === "Running" ? `; operation Running` : "";
  return { state: "Waiting", detail: `${object} ${status.sync?.status ?? "Unknown"} at ${at}, waiting for ${short}${running}` };
}
