// Condition helpers with the semantics of k8s.io/kubernetes deployment util: setting a condition
// that already has the same status and reason changes nothing; a change of reason with the same
// status keeps lastTransitionTime.
import type { Condition } from "./types.ts";

export function getCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: Condition["status"], reason: string, message: string, now: string): Condition {
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/** SetDeploymentCondition: returns the new list. */
export function setCondition(conditions: Condition[] | undefined, condition: Condition): Condition[] {
  const list = conditions ?? [];
  const current = getCondition(list, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return list;
  const next = { ...condition };
  if (current && current.status === condition.status && current.lastTransitionTime) next.lastTransitionTime = current.lastTransitionTime;
  return [...list.filter((c) => c.type !== condition.type), next];
}

export function removeCondition(conditions: Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}
