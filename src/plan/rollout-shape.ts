import type { Deployment, IntOrString, KubeObject } from "../k8s/manifest-types.ts";
import { isHorizontalPodAutoscaler } from "../k8s/manifest-types.ts";
import { isPercent, literalNumber, scaledValue } from "./int-or-percent.ts";

export interface RolloutShape {
  strategy: "RollingUpdate" | "Recreate";
  replicas: number;
  /** As the Deployment controller resolves it (percentages of replicas rounded up). */
  maxSurge: number;
  /** As the Deployment controller resolves it (percentages of replicas rounded down; 1 if both resolve to 0). */
  maxUnavailable: number;
  /** Pods available at least during the rollout. */
  minAvailable: number;
  /** Pods existing at most during the rollout (old + new; a new ReplicaSet never exceeds replicas). */
  maxPods: number;
  /** Steps needed to replace every pod. */
  waves: number;
  /** Recreate: every old pod stops before any new one starts, so the workload is down in between. */
  allPodsStopFirst: boolean;
  /** Set when Kubernetes would reject the strategy; the numbers are then not a rollout that can happen. */
  error?: string;
}

const defaultMaxSurge: IntOrString = "25%";
const defaultMaxUnavailable: IntOrString = "25%";

export interface RolloutShapeOptions {
  /** The pod count to plan for instead of spec.replicas; see plannedReplicas. */
  replicas?: number;
}

/**
 * The pod count a rollout will most likely replace: spec.replicas when set; else the minimum of
 * the HorizontalPodAutoscaler that owns the count; else 1, the API default.
 */
export function plannedReplicas(deployment: Deployment, objects: readonly KubeObject[]): number {
  if (deployment.spec.replicas !== undefined) return deployment.spec.replicas;
  const hpa = objects
    .filter(isHorizontalPodAutoscaler)
    .find(
      (candidate) =>
        candidate.spec.scaleTargetRef.kind === "Deployment" &&
        candidate.spec.scaleTargetRef.name === deployment.metadata.name &&
        (candidate.metadata.namespace ?? "") === (deployment.metadata.namespace ?? ""),
    );
  return hpa === undefined ? 1 : (hpa.spec.minReplicas ?? 1);
}

/** The rollout a Deployment gets, resolved the way the Deployment controller resolves it. */
export function rolloutShape(deployment: Deployment, options: RolloutShapeOptions = {}): RolloutShape {
  const spec = deployment.spec;
  const replicas = options.replicas ?? spec.replicas ?? 1;
  const strategyType = spec.strategy?.type ?? "RollingUpdate";
  const rejected = (strategy: RolloutShape["strategy"], error: string): RolloutShape => ({
    strategy,
    replicas,
    maxSurge: 0,
    maxUnavailable: 0,
    minAvailable: replicas,
    maxPods: replicas,
    waves: 0,
    allPodsStopFirst: strategy === "Recreate",
    error,
  });

  if (!Number.isInteger(replicas) || replicas < 0)
    return rejected("RollingUpdate", `replicas ${String(replicas)} is not a non-negative integer`);

  if (strategyType === "Recreate") {
    if (spec.strategy?.rollingUpdate !== undefined) {
      return rejected("Recreate", "strategy.rollingUpdate may not be set when strategy.type is Recreate");
    }
    return {
      strategy: "Recreate",
      replicas,
      maxSurge: 0,
      maxUnavailable: replicas,
      minAvailable: 0,
      maxPods: replicas,
      waves: replicas === 0 ? 0 : 1,
      allPodsStopFirst: true,
    };
  }
  if (strategyType !== "RollingUpdate") {
    return rejected("RollingUpdate", `strategy.type "${strategyType}" is neither RollingUpdate nor Recreate`);
  }

  const surgeField = spec.strategy?.rollingUpdate?.maxSurge ?? defaultMaxSurge;
  const unavailableField = spec.strategy?.rollingUpdate?.maxUnavailable ?? defaultMaxUnavailable;
  if (literalNumber(surgeField) === 0 && literalNumber(unavailableField) === 0) {
    return rejected("RollingUpdate", "maxSurge and maxUnavailable may not both be 0: the rollout could never make progress");
  }
  if (isPercent(unavailableField) && literalNumber(unavailableField) > 100) {
    return rejected("RollingUpdate", `maxUnavailable ${String(unavailableField)} may not be more than 100%`);
  }
  const surge = scaledValue(surgeField, replicas, true);
  if (surge.error !== undefined) return rejected("RollingUpdate", `maxSurge: ${surge.error}`);
  const unavailable = scaledValue(unavailableField, replicas, false);
  if (unavailable.error !== undefined) return rejected("RollingUpdate", `maxUnavailable: ${unavailable.error}`);

  const maxSurge = surge.value;
  // ResolveFenceposts: percentages can both round to 0; the controller then allows 1 unavailable.
  const maxUnavailable = maxSurge === 0 && unavailable.value === 0 ? 1 : unavailable.value;
  // The controller caps both at replicas: it never takes away more pods than exist, nor grows the new ReplicaSet past replicas.
  const effectiveUnavailable = Math.min(maxUnavailable, replicas);
  const effectiveSurge = Math.min(maxSurge, replicas);
  return {
    strategy: "RollingUpdate",
    replicas,
    maxSurge,
    maxUnavailable,
    minAvailable: replicas - effectiveUnavailable,
    maxPods: replicas + effectiveSurge,
    waves: replicas === 0 ? 0 : Math.ceil(replicas / (effectiveSurge + effectiveUnavailable)),
    allPodsStopFirst: false,
  };
}
