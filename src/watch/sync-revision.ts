// Which revision the GitOps controller has applied, and whether that means a later merge
// took this one's place (pure). The classifier answers "is the merge SHA applied"; this
// answers "was something else applied instead", which it cannot.
import type { ArgoApplication, FluxKustomization, SyncObject } from "../health/index.ts";
import { isArgoApplication, revisionNamesSha } from "../health/index.ts";

/** The revision whose manifests are live: Argo CD Synced revision or last successful sync; Flux lastAppliedRevision. */
export function appliedRevision(sync: SyncObject): string | undefined {
  if (isArgoApplication(sync)) {
    const status = (sync as ArgoApplication).status;
    if (status?.sync?.status === "Synced" && status.sync.revision) return status.sync.revision;
    const op = status?.operationState;
    if (op?.phase === "Succeeded") return op.syncResult?.revision ?? op.operation?.sync?.revision;
    return undefined;
  }
  return (sync as FluxKustomization).status?.lastAppliedRevision || undefined;
}

interface ArgoHistory {
  status?: { history?: Array<{ revision?: string }> | null } | null;
}

export interface SupersedeInput {
  sync: SyncObject;
  mergeSha: string;
  /** appliedRevision when the watch first saw the sync object. */
  baseline: string | undefined;
  /** The sync has reported the merge SHA (applied or failed) during this watch. */
  seenMerge: boolean;
}

/**
 * The revision that took the merge's place, if one did: after the merge was seen, any other
 * applied revision; before, an applied revision other than the one live when the watch began
 * (the controller jumped past this merge). Argo CD's history also shows a merge that was
 * applied and then replaced before this watch began (a restart); Flux keeps no history, so
 * there the sync timeout decides.
 */
export function supersededBy(input: SupersedeInput): string | undefined {
  const applied = appliedRevision(input.sync);
  if (applied === undefined || revisionNamesSha(applied, input.mergeSha)) return undefined;
  if (input.seenMerge || applied !== input.baseline) return applied;
  if (isArgoApplication(input.sync)) {
    const history = (input.sync as ArgoHistory).status?.history ?? [];
    const ours = history.findIndex((h) => revisionNamesSha(h.revision, input.mergeSha));
    if (ours >= 0 && ours < history.length - 1) return applied;
  }
  return undefined;
}
