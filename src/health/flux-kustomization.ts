import type { FluxKustomization } from "./types.ts";
import type { SyncState } from "./sync-state.ts";
import { findCondition, genericStatus } from "./conditions.ts";
import { revisionNamesSha } from "./revision.ts";

// Ready=False reasons that are not a verdict on the attempted revision: the source could not
// be fetched, a dependency is not ready, or the controller is still working (retries).
const NOT_ABOUT_REVISION = new Set(["ArtifactFailed", "DependencyNotReady", "Progressing", "ProgressingWithRetry"]);

export interface FluxReadiness {
  state: "Ready" | "Reconciling" | "Failed" | "Suspended";
  reason: string;
  message: string;
}

/** The Kustomization's own state, ignoring revisions: kstatus generic rules, then Ready. */
export function fluxReadiness(k: FluxKustomization): FluxReadiness {
  if (k.spec?.suspend) return { state: "Suspended", reason: "Suspended", message: "Kustomization is suspended" };
  const generic = genericStatus(k);
  if (generic) return { state: generic.status === "Failed" ? "Failed" : "Reconciling", reason: generic.reason, message: generic.message };
  const ready = findCondition(k.status?.conditions, "Ready");
  const reason = ready?.reason ?? "";
  const message = ready?.message ?? "";
  if (ready?.status === "True") return { state: "Ready", reason, message };
  if (ready?.status === "False") return { state: "Failed", reason, message };
  return { state: "Reconciling", reason: reason || "NotObserved", message };
}

/**
 * The git revision a Kustomization last applied: lastAppliedOriginRevision when its source is an
 * OCIRepository or ExternalArtifact (lastAppliedRevision is then a digest), else lastAppliedRevision.
 */
export function fluxAppliedRevision(k: FluxKustomization): string | undefined {
  const status = k.status ?? {};
  return status.lastAppliedOriginRevision || status.lastAppliedRevision || undefined;
}

/**
 * Flux: applied when lastAppliedRevision (or, for an OCIRepository / ExternalArtifact source,
 * lastAppliedOriginRevision) names the merge SHA and Ready=True. Failed when the
 * Kustomization failed (Ready=False or Stalled) while lastAttemptedRevision names the SHA,
 * unless the reason is not about the revision (NOT_ABOUT_REVISION).
 */
export function fluxSyncState(k: FluxKustomization, sha: string): SyncState {
  const object = `Kustomization/${k.metadata?.name ?? ""}`;
  const status = k.status ?? {};
  const appliedRevision = fluxAppliedRevision(k);
  const applied = revisionNamesSha(status.lastAppliedRevision, sha) || revisionNamesSha(status.lastAppliedOriginRevision, sha);
  const attempted = revisionNamesSha(status.lastAttemptedRevision, sha);
  const short = sha.slice(0, 7);
  if (applied && findCondition(status.conditions, "Ready")?.status === "True") {
    return { state: "Applied", detail: `${object} applied ${appliedRevision}` };
  }
  const readiness = fluxReadiness(k);
  if (readiness.state === "Failed" && attempted && !NOT_ABOUT_REVISION.has(readiness.reason)) {
    return {
      state: "Failed",
      applied,
      summary: `Flux ${readiness.reason} for ${short}: ${readiness.message}`.trim(),
      evidence: [{ object, reason: readiness.reason, message: readiness.message }],
    };
  }
  return {
    state: "Waiting",
    detail: `${object} ${readiness.state}${readiness.reason ? ` (${readiness.reason})` : ""}, last applied ${appliedRevision ?? "nothing"}, waiting for ${short}`,
  };
}
