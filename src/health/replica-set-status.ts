import { genericStatus, inProgress, type KstatusResult } from "./conditions.ts";
import type { ReplicaSet } from "./types.ts";

/**
 * kstatus's status of a ReplicaSet (core.go replicasetConditions). ReplicaFailure=True (quota,
 * admission) stays InProgress there, and here: it may clear, and the progress deadline catches it.
 */
export function replicaSetProgress(rs: ReplicaSet): KstatusResult {
  const generic = genericStatus(rs);
  if (generic) return generic;
  const failure = rs.status?.conditions?.find((c) => c.type === "ReplicaFailure" && c.status === "True");
  if (failure) return inProgress("ReplicaFailure", failure.message ?? "Replica Failure condition. Check Pods");

  const spec = rs.spec?.replicas ?? 1;
  const status = rs.status ?? {};
  const replicas = status.replicas ?? 0;
  const labelled = status.fullyLabeledReplicas ?? 0;
  const available = status.availableReplicas ?? 0;
  const ready = status.readyReplicas ?? 0;
  if (spec > labelled) return inProgress("LessLabelled", `Labelled: ${labelled}/${spec}`);
  if (spec > available) return inProgress("LessAvailable", `Available: ${available}/${spec}`);
  if (spec > ready) return inProgress("LessReady", `Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress("ExtraPods", `Pending termination: ${replicas - spec}`);
  return { status: "Current", reason: "Current", message: `ReplicaSet is available. Replicas: ${replicas}` };
}
