// A probe with every field Kubernetes defaults filled in, as the API server stores it
// (k8s.io/kubernetes pkg/apis/core/v1 SetDefaults_Probe): timeoutSeconds, periodSeconds,
// successThreshold and failureThreshold that are absent or 0 become 1, 10, 1 and 3;
// initialDelaySeconds stays 0. Validation rejects negative values, so on a live object there are
// none; a rendered manifest may still carry one, and it is read as the API server's default too
// (initialDelaySeconds as 0). The health verdict and the rollout plan both read probes through
// this, so they count the same seconds.
import type { Probe } from "./manifest-types.ts";

export interface ResolvedProbe {
  initialDelaySeconds: number;
  periodSeconds: number;
  timeoutSeconds: number;
  successThreshold: number;
  failureThreshold: number;
}

export const probeDefaults: Readonly<ResolvedProbe> = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 3,
};

function positiveOr(value: number | null | undefined, fallback: number): number {
  return typeof value === "number" && value > 0 ? value : fallback;
}

export function resolvedProbe(probe: Probe): ResolvedProbe {
  return {
    initialDelaySeconds: Math.max(0, probe.initialDelaySeconds ?? probeDefaults.initialDelaySeconds),
    periodSeconds: positiveOr(probe.periodSeconds, probeDefaults.periodSeconds),
    timeoutSeconds: positiveOr(probe.timeoutSeconds, probeDefaults.timeoutSeconds),
    successThreshold: positiveOr(probe.successThreshold, probeDefaults.successThreshold),
    failureThreshold: positiveOr(probe.failureThreshold, probeDefaults.failureThreshold),
  };
}
