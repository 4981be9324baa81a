import type { PodDisruptionBudget } from "../k8s/manifest-types.ts";
import { scaledValue } from "./int-or-percent.ts";

export interface DisruptionBudget {
  /** Pods the budget keeps healthy. */
  desiredHealthy: number;
  /** Evictions allowed when every expected pod is healthy. */
  disruptionsAllowed: number;
  /** How the PDB states its budget, for messages: "minAvailable 2". */
  stated: string;
  error?: string;
}

/**
 * What a PodDisruptionBudget allows with a given number of pods, as the disruption controller
 * computes it: percentages of either field round up; a PDB with neither field keeps nothing back.
 */
export function disruptionBudget(pdb: PodDisruptionBudget, expectedPods: number): DisruptionBudget {
  const { minAvailable, maxUnavailable } = pdb.spec;
  if (maxUnavailable !== undefined) {
    const scaled = scaledValue(maxUnavailable, expectedPods, true);
    const stated = `maxUnavailable ${String(maxUnavailable)}`;
    if (scaled.error !== undefined) return { desiredHealthy: 0, disruptionsAllowed: expectedPods, stated, error: scaled.error };
    const desiredHealthy = Math.max(0, expectedPods - scaled.value);
    return { desiredHealthy, disruptionsAllowed: expectedPods - desiredHealthy, stated };
  }
  if (minAvailable !== undefined) {
    const scaled = scaledValue(minAvailable, expectedPods, true);
    const stated = `minAvailable ${String(minAvailable)}`;
    if (scaled.error !== undefined) return { desiredHealthy: 0, disruptionsAllowed: expectedPods, stated, error: scaled.error };
    return { desiredHealthy: scaled.value, disruptionsAllowed: Math.max(0, expectedPods - scaled.value), stated };
  }
  return { desiredHealthy: 0, disruptionsAllowed: expectedPods, stated: "no budget" };
}
