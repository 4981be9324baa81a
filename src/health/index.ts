// Public API of the health classifier.
export type * from "./types.ts";
export { classifyRollout } from "./classify.ts";
export { classifyPod, type PodHealth, type PodContext } from "./pod-health.ts";
export { readinessFailureWindowSeconds, probeFailureWindowSeconds, readinessDeadlineMs, DEFAULT_SLACK_SECONDS } from "./probe-window.ts";
export { syncState, isArgoApplication, isFluxKustomization } from "./sync-status.ts";
export type { SyncState } from "./sync-state.ts";
export { fluxAppliedRevision, fluxReadiness, type FluxReadiness } from "./flux-kustomization.ts";
export { deploymentProgress } from "./deployment-status.ts";
export { replicaSetProgress } from "./replica-set-status.ts";
export { conditionStatus, type KstatusResult, type KstatusStatus } from "./conditions.ts";
export { findNewReplicaSet, newReplicaSetPods, podsOfReplicaSet } from "./new-replica-set.ts";
export { revisionNamesSha } from "./revision.ts";
export { toArgoHealth, toKstatus, fluxReadinessToArgoHealth, type ArgoHealth, type KstatusVerdict } from "./reference-status.ts";
export { HealthInputError } from "./errors.ts";
export { reasonPhrase } from "./summary.ts";
