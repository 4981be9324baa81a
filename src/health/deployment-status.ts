import { findCondition, genericStatus, inProgress, type KstatusResult } from "./conditions.ts";
import type { Deployment } from "./types.ts";

// Kubernetes treats MaxInt32 as "no progress deadline" (deployment_util.go).
const NO_PROGRESS_DEADLINE = 2147483647;

/**
 * kstatus's status of a Deployment (core.go deploymentConditions after the generic checks):
 * Current only when every replica is updated, ready and available, no old replica is left,
 * the controller reports NewReplicaSetAvailable (when a progress deadline is set) and
 * Available=True. A Progressing condition with reason ProgressDeadlineExceeded is Failed.
 */
export function deploymentProgress(deployment: Deployment): KstatusResult {
  const generic = genericStatus(deployment);
  if (generic) return generic;

  const conditions = deployment.status?.conditions;
  const deadline = deployment.spec?.progressDeadlineSeconds ?? NO_PROGRESS_DEADLINE;
  const progressingCond = findCondition(conditions, "Progressing");
  if (progressingCond?.reason === "ProgressDeadlineExceeded") {
    return { status: "Failed", reason: "ProgressDeadlineExceeded", message: progressingCond.message ?? "Progress deadline exceeded" };
  }
  const progressing =
    deadline === NO_PROGRESS_DEADLINE || (progressingCond?.status === "True" && progressingCond.reason === "NewReplicaSetAvailable");
  const available = findCondition(conditions, "Available")?.status === "True";

  const spec = deployment.spec?.replicas ?? 1;
  const status = deployment.status ?? {};
  const replicas = status.replicas ?? 0;
  const updated = status.updatedReplicas ?? 0;
  const ready = status.readyReplicas ?? 0;
  const availableReplicas = status.availableReplicas ?? 0;

  if (spec > replicas) return inProgress("LessReplicas", `Replicas: ${replicas}/${spec}`);
  if (spec > updated) return inProgress("LessUpdated", `Updated: ${updated}/${spec}`);
  if (replicas > spec) return inProgress("ExtraPods", `Pending termination: ${replicas - spec}`);
  if (updated > availableReplicas) return inProgress("LessAvailable", `Available: ${availableReplicas}/${updated}`);
  if (spec > ready) return inProgress("LessReady", `Ready: ${ready}/${spec}`);
  if (!progressing) return inProgress("ReplicaSetNotAvailable", "ReplicaSet not Available");
  if (!available) return inProgress("DeploymentNotAvailable", "Deployment not Available");
  return { status: "Current", reason: "Current", message: `Deployment is available. Replicas: ${replicas}` };
}
