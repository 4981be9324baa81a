import type { ArgoApplication, FluxKustomization, Instant, SyncObject } from "./types.ts";
import type { SyncState } from "./sync-state.ts";
import { argoSyncState } from "./argo-application.ts";
import { fluxSyncState } from "./flux-kustomization.ts";
import { HealthInputError } from "./errors.ts";
import { fullSha } from "./revision.ts";
import { toMillis } from "./time.ts";

export function isArgoApplication(o: SyncObject): o is ArgoApplication {
  if (o.apiVersion) return o.apiVersion.startsWith("argoproj.io/") && (o.kind ?? "Application") === "Application";
  return o.kind === "Application" || (!!o.status && ("sync" in o.status || "operationState" in o.status));
}

export function isFluxKustomization(o: SyncObject): o is FluxKustomization {
  if (o.apiVersion) return o.apiVersion.startsWith("kustomize.toolkit.fluxcd.io/") && (o.kind ?? "Kustomization") === "Kustomization";
  return o.kind === "Kustomization" || (!!o.status && ("lastAppliedRevision" in o.status || "lastAttemptedRevision" in o.status));
}

/** Whether the GitOps controller has applied the merge commit, failed it, or not got there yet. */
export function syncState(sync: SyncObject, mergeSha: string, options: { mergedAt?: Instant } = {}): SyncState {
  const sha = fullSha(mergeSha);
  const what = `${sync.apiVersion ?? "?"} ${sync.kind ?? "?"}`;
  if (isArgoApplication(sync)) return argoSyncState(sync, sha, toMillis(options.mergedAt));
  if (isFluxKustomization(sync)) return fluxSyncState(sync, sha);
  throw new HealthInputError(`sync object is neither an Argo CD Application nor a Flux Kustomization: ${what}`);
}
