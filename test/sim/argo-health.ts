// Argo CD's health assessment for the resources an Application manages, enough to fill
// status.health as Argo CD would (argoproj/gitops-engine pkg/health): Deployments by rollout
// status, PVCs by phase, Ingresses and LoadBalancer Services by address, the rest Healthy.
import { getCondition } from "./conditions.ts";
import type { Deployment, KubeObject } from "./types.ts";

export type HealthStatus = "Healthy" | "Progressing" | "Degraded" | "Suspended" | "Missing" | "Unknown";

export interface Health {
  status: HealthStatus;
  message?: string;
}

const ORDER: HealthStatus[] = ["Healthy", "Suspended", "Progressing", "Missing", "Degraded", "Unknown"];

export function worst(statuses: HealthStatus[]): HealthStatus {
  return statuses.reduce<HealthStatus>((w, s) => (ORDER.indexOf(s) > ORDER.indexOf(w) ? s : w), "Healthy");
}

function deploymentHealth(d: Deployment): Health {
  if (d.spec.paused) return { status: "Suspended", message: "Deployment is paused" };
  const status = d.status ?? {};
  if ((d.metadata.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return { status: "Progressing", message: "Waiting for rollout to finish: observed deployment generation less than desired generation" };
  }
  const replicas = d.spec.replicas ?? 1;
  const updated = status.updatedReplicas ?? 0;
  const total = status.replicas ?? 0;
  const available = status.availableReplicas ?? 0;
  if (getCondition(status.conditions, "Progressing")?.reason === "ProgressDeadlineExceeded") {
    return { status: "Degraded", message: `Deployment "${d.metadata.name}" exceeded its progress deadline` };
  }
  if (updated < replicas) {
    return {
      status: "Progressing",
      message: `Waiting for rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`,
    };
  }
  if (total > updated) {
    return { status: "Progressing", message: `Waiting for rollout to finish: ${total - updated} old replicas are pending termination...` };
  }
  if (available < updated) {
    return {
      status: "Progressing",
      message: `Waiting for rollout to finish: ${available} of ${updated} updated replicas are available...`,
    };
  }
  return { status: "Healthy" };
}

export function resourceHealth(object: KubeObject | undefined): Health {
  if (!object) return { status: "Missing" };
  const status = (object.status ?? {}) as Record<string, unknown>;
  switch (`${object.apiVersion}/${object.kind}`) {
    case "apps/v1/Deployment":
      return deploymentHealth(object as Deployment);
    case "v1/PersistentVolumeClaim":
      if (status["phase"] === "Bound") return { status: "Healthy" };
      if (status["phase"] === "Lost") return { status: "Degraded" };
      return { status: "Progressing", message: "Waiting for the volume to be bound" };
    case "networking.k8s.io/v1/Ingress": {
      const lb = status["loadBalancer"] as { ingress?: unknown[] } | undefined;
      return lb?.ingress?.length ? { status: "Healthy" } : { status: "Progressing" };
    }
    case "v1/Service": {
      if ((object.spec as { type?: string } | undefined)?.type !== "LoadBalancer") return { status: "Healthy" };
      const lb = status["loadBalancer"] as { ingress?: unknown[] } | undefined;
      return lb?.ingress?.length ? { status: "Healthy" } : { status: "Progressing" };
    }
    default:
      return { status: "Healthy" };
  }
}
