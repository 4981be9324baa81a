import type { Evidence } from "./types.ts";

/** What the GitOps controller says about the merge commit. */
export type SyncState =
  | { state: "Applied"; detail: string }
  | { state: "Waiting"; detail: string }
  /** applied: the manifests reached the cluster but a later step failed (hook, health check). */
  | { state: "Failed"; applied: boolean; summary: string; evidence: Evidence[] };
