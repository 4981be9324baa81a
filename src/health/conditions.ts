import type { Condition, ObjectMeta } from "./types.ts";

/** kstatus vocabulary (sigs.k8s.io/cli-utils/pkg/kstatus/status). */
export type KstatusStatus = "InProgress" | "Current" | "Failed" | "Terminating";

export interface KstatusResult {
  status: KstatusStatus;
  reason: string;
  message: string;
}

export interface ObjectWithConditions {
  metadata?: ObjectMeta;
  status?: { observedGeneration?: number; conditions?: readonly Condition[] | null } | null;
}

export function findCondition(conditions: readonly Condition[] | null | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function inProgress(reason: string, message: string): KstatusResult {
  return { status: "InProgress", reason, message };
}

/**
 * kstatus's checks that apply to every kind (generic.go checkGenericProperties): deletion,
 * observedGeneration (skipped when absent, as kstatus does), and the Reconciling/Stalled
 * conditions. undefined when they do not decide.
 */
export function genericStatus(obj: ObjectWithConditions): KstatusResult | undefined {
  if (obj.metadata?.deletionTimestamp) {
    return { status: "Terminating", reason: "Terminating", message: "Resource scheduled for deletion" };
  }
  const generation = obj.metadata?.generation;
  const observed = obj.status?.observedGeneration;
  if (generation !== undefined && observed !== undefined && observed !== generation) {
    return inProgress("LatestGenerationNotObserved", `generation is ${generation}, but latest observed generation is ${observed}`);
  }
  for (const c of obj.status?.conditions ?? []) {
    if (c.type === "Reconciling" && c.status === "True") return inProgress(c.reason ?? "", c.message ?? "");
    if (c.type === "Stalled" && c.status === "True") {
      return { status: "Failed", reason: c.reason ?? "", message: c.message ?? "" };
    }
  }
  return undefined;
}

/** kstatus for a kind without specific rules: generic checks, then a Ready condition, else Current. */
export function conditionStatus(obj: ObjectWithConditions): KstatusResult {
  const generic = genericStatus(obj);
  if (generic) return generic;
  const ready = findCondition(obj.status?.conditions, "Ready");
  if (ready?.status === "True") return { status: "Current", reason: ready.reason ?? "", message: ready.message ?? "" };
  if (ready?.status === "False") return inProgress(ready.reason ?? "", ready.message ?? "");
  return { status: "Current", reason: "", message: "Resource is current" };
}
