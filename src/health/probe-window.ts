import type { Container, ContainerStatus, Probe } from "./types.ts";
import { resolvedProbe } from "../k8s/probe-defaults.ts";
import { toMillis } from "./time.ts";

/**
 * Seconds after container start by which `failureThreshold` probes have run without a
 * success: initialDelaySeconds + (failureThreshold - 1) x periodSeconds + timeoutSeconds.
 * Unset or 0 fields count as Kubernetes defaults them (src/k8s/probe-defaults.ts). The rollout
 * plan shows this same number (base WordPress 5/5/1/3 -> 16 s).
 */
export function probeFailureWindowSeconds(probe: Probe): number {
  const p = resolvedProbe(probe);
  return p.initialDelaySeconds + (p.failureThreshold - 1) * p.periodSeconds + p.timeoutSeconds;
}

/** The readiness failure window; same formula, named for what the plan and the classifier mean. */
export function readinessFailureWindowSeconds(probe: Probe): number {
  return probeFailureWindowSeconds(probe);
}

/**
 * When a running, not-ready container is proven unready: container start + readiness window
 * + slack. Readiness probes only begin once a startup probe has passed, and the status does
 * not say when that was, so a startup probe adds its whole window (the latest it can pass
 * without killing the container). undefined: the rule does not apply (no readiness probe,
 * not running, or the startup probe has not passed yet).
 */
export function readinessDeadlineMs(container: Container | undefined, status: ContainerStatus, slackSeconds: number): number | undefined {
  const probe = container?.readinessProbe;
  if (!probe) return undefined;
  const startedAt = toMillis(status.state?.running?.startedAt);
  if (startedAt === undefined || status.started === false) return undefined;
  const startup = container.startupProbe ? probeFailureWindowSeconds(container.startupProbe) : 0;
  return startedAt + (startup + readinessFailureWindowSeconds(probe) + slackSeconds) * 1000;
}

/** Slack added to the readiness window when the environment sets none (policy.slackSeconds); the plan uses it too. */
export const DEFAULT_SLACK_SECONDS = 2;
