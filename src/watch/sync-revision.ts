// Which revision the GitOps controller has applied, and whether that means another commit took
// the merge's place (pure). The classifier answers "is the merge SHA applied"; this answers
// "was something else applied instead", which it cannot.
import type { ArgoApplication, FluxKustomization, SyncObject } from "../health/index.ts";
import { fluxAppliedRevision, isArgoApplication, revisionNamesSha } from "../health/index.ts";

/** The revision whose manifests are live: Argo CD Synced revision or last successful sync; Flux's applied git revision (origin revision for OCI sources). */
export function appliedRevision(sync: SyncObject): string | undefined {
  if (isArgoApplication(sync)) {
    const status = (sync as ArgoApplication).status;
    if (status?.sync?.status === "Synced" && status.sync.revision) return status.sync.revision;
    const op = status?.operationState;
    if (op?.phase === "Succeeded") return op.syncResult?.revision ?? op.operation?.sync?.revision;
    return undefined;
  }
  return fluxAppliedRevision(sync as FluxKustomization);
}

/** The bare commit SHA of a reported revision (`main@sha1:<sha>`, `sha1:<sha>`, `<sha>`). */
export function revisionSha(revision: string): string {
  return revision.trim().toLowerCase().split(/[@:/]/).pop() ?? "";
}

interface ArgoHistory {
  status?: { history?: Array<{ revision?: string }> | null } | null;
}

export type Replacement =
  /** Another revision was applied after the merge's: the merge's manifests no longer run. */
  | { certain: true; revision: string }
  /** Another revision is applied and the merge's never was (as far as this watch saw): a later
   *  commit the sync jumped to, or an older one it is still catching up with. Only git can say. */
  | { certain: false; revision: string };

/**
 * Whether another revision than the merge is applied, and whether that certainly replaced the
 * merge: yes once this watch saw the merge reported, or when Argo CD's history lists the merge
 * followed by later syncs (applied and replaced before the watch began, e.g. across a restart).
 */
export function replacement(sync: SyncObject, mergeSha: string, seenMerge: boolean): Replacement | undefined {
  const applied = appliedRevision(sync);
  if (applied === undefined || revisionNamesSha(applied, mergeSha)) return undefined;
  if (seenMerge) return { certain: true, revision: applied };
  if (isArgoApplication(sync)) {
    const history = (sync as ArgoHistory).status?.history ?? [];
    const ours = history.findIndex((h) => revisionNamesSha(h.revision, mergeSha));
    if (ours >= 0 && ours < history.length - 1) return { certain: true, revision: applied };
  }
  return { certain: false, revision: applied };
}
