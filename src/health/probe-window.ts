import type { Container, ContainerStatus, Probe } from "./types.ts";
import { toMillis } from "./time.ts";

/** Kubernetes defaults for an unset probe field (k8s.io/api core/v1 Probe). */
export const PROBE_DEFAULTS = {
  initialDelaySeconds: 0,
  periodSeconds: 10,
  timeoutSeconds: 1,
  failureThreshold: 3,
} as const;

function positiveOr(value: number | undefined, fallback: number): number {
  return value !== undefined && value > 0 ? value : fallback;
}

/**
 * Seconds after container start by which `failureThreshold` probes have run without a
 * success: initialDelaySeconds + (failureThreshold - 1) x periodSeconds + timeoutSeconds.
 * The rollout plan shows this same number (base WordPress 5/5/1/3 -> 16 s).
 */
export function probeFailureWindowSeconds(probe: Probe): number {
  const initialDelay = Math.max(0, probe.initialDelaySeconds ?? PROBE_DEFAULTS.initialDelaySeconds);
  const period = positiveOr(probe.periodSeconds, PROBE_DEFAULTS.periodSeconds);
  const timeout = positiveOr(probe.timeoutSeconds, PROBE_DEFAULTS.timeoutSeconds);
  const failureThreshold = positiveOr(probe.failureThreshold, PROBE_DEFAULTS.failureThreshold);
  return initialDelay + (failureThreshold - 1) * period + timeout;
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

/** Slack added to the readiness window when the caller configures none. */
export const DEFAULT_SLACK_SECONDS = 2;
