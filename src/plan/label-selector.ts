import type { LabelSelector } from "../k8s/manifest-types.ts";

/**
 * Whether a metav1.LabelSelector selects a set of labels. An empty selector selects everything
 * (as policy/v1 PodDisruptionBudgets and affinity terms treat it); a missing one is the caller's call.
 */
export function selectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const present = Object.hasOwn(labels, requirement.key);
    const value = labels[requirement.key];
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case "In":
        if (!present || value === undefined || !values.includes(value)) return false;
        break;
      case "NotIn":
        if (present && value !== undefined && values.includes(value)) return false;
        break;
      case "Exists":
        if (!present) return false;
        break;
      case "DoesNotExist":
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A Service's selector (a plain map): an empty or missing one selects no pods (it has manual endpoints). */
export function serviceSelectorMatches(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([key, value]) => labels[key] === value);
}
