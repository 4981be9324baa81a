import type { Verdict } from "./types.ts";
import type { PodHealth } from "./pod-health.ts";
import type { FluxReadiness } from "./flux-kustomization.ts";

/** Argo CD / gitops-engine health vocabulary (the subset a Deployment, Pod or Kustomization gets). */
export type ArgoHealth = "Healthy" | "Progressing" | "Degraded" | "Suspended";

/** kstatus vocabulary for a verdict. */
export type KstatusVerdict = "Current" | "InProgress" | "Failed";

/** Our rollout or pod verdict in Argo CD's words, so tests compare like with like. */
export function toArgoHealth(v: Verdict | PodHealth): ArgoHealth {
  switch (v.status) {
    case "Healthy":
    case "Ready":
      return "Healthy";
    case "Failed":
      return "Degraded";
    case "Terminal":
      return v.phase === "Succeeded" ? "Healthy" : "Degraded";
    case "Progressing":
      return v.reason === "Paused" ? "Suspended" : "Progressing";
    case "WaitingForSync":
    case "NotReady":
      return "Progressing";
  }
}

/** Our rollout or pod verdict in kstatus's words (a finished pod is Current there). */
export function toKstatus(v: Verdict | PodHealth): KstatusVerdict {
  switch (v.status) {
    case "Healthy":
    case "Ready":
    case "Terminal":
      return "Current";
    case "Failed":
      return "Failed";
    case "Progressing":
    case "WaitingForSync":
    case "NotReady":
      return "InProgress";
  }
}

/** A Flux Kustomization's own state in Argo CD's words (resource_customizations health.lua). */
export function fluxReadinessToArgoHealth(r: FluxReadiness): ArgoHealth {
  switch (r.state) {
    case "Ready":
      return "Healthy";
    case "Failed":
      return "Degraded";
    case "Suspended":
      return "Suspended";
    case "Reconciling":
      return "Progressing";
  }
}
