import { readinessFailureWindowSeconds } from "../health/probe-window.ts";
import { resolvedProbe } from "../k8s/probe-defaults.ts";
import type { Container, Deployment, Probe } from "../k8s/manifest-types.ts";
import { preStopHook, terminationGracePeriodSeconds } from "./pre-stop.ts";
import { rolloutShape } from "./rollout-shape.ts";

export const defaultProgressDeadlineSeconds = 600;

/** Earliest a probe can have passed: initialDelaySeconds + periodSeconds × successThreshold. */
export function earliestSuccessSeconds(probe: Probe): number {
  const p = resolvedProbe(probe);
  return p.initialDelaySeconds + p.periodSeconds * p.successThreshold;
}

/** Seed 001's worst case before a failing liveness probe restarts a freshly started container: each check may take period + timeout. */
export function livenessRestartSeconds(probe: Probe): number {
  const p = resolvedProbe(probe);
  return p.initialDelaySeconds + (p.periodSeconds + p.timeoutSeconds) * p.failureThreshold;
}

export interface ContainerTiming {
  container: string;
  /** Earliest this container can be Ready after it starts (0 without readiness or startup probe). */
  readySeconds: number;
  /** When failing readiness is certain, after container start; null without a readiness probe. */
  failureWindowSeconds: number | null;
  /** Worst case before a failing liveness probe restarts the container; null without a liveness probe. */
  livenessRestartSeconds: number | null;
}

/**
 * A startup probe holds the readiness probe back until it passes, so readiness starts counting
 * after it (at the earliest) and fails for certain only after the startup probe's own window too.
 */
export function containerTiming(container: Container): ContainerTiming {
  const { readinessProbe, startupProbe, livenessProbe } = container;
  const startupPassedSeconds = startupProbe === undefined ? 0 : earliestSuccessSeconds(startupProbe);
  let readySeconds = startupPassedSeconds;
  let failureWindowSeconds: number | null = null;
  if (readinessProbe !== undefined) {
    const readiness = resolvedProbe(readinessProbe);
    readySeconds = Math.max(startupPassedSeconds, readiness.initialDelaySeconds) + readiness.periodSeconds * readiness.successThreshold;
    failureWindowSeconds =
      readinessFailureWindowSeconds(readinessProbe) + (startupProbe === undefined ? 0 : readinessFailureWindowSeconds(startupProbe));
  }
  return {
    container: container.name,
    readySeconds,
    failureWindowSeconds,
    livenessRestartSeconds: livenessProbe === undefined ? null : livenessRestartSeconds(livenessProbe),
  };
}

export interface RolloutTiming {
  containers: ContainerTiming[];
  /** Earliest a new pod can be Ready: the slowest container's readySeconds. */
  readySeconds: number;
  minReadySeconds: number;
  /** Earliest a new pod counts as available: the slowest container's readySeconds + minReadySeconds. */
  availableSeconds: number;
  /** Latest container failure window: past it, a new pod that never became Ready has failed. Null without readiness probes. */
  failureWindowSeconds: number | null;
  /** failureWindowSeconds + the configured slack: when kustodian calls the rollout failed. Null without readiness probes. */
  revertAfterSeconds: number | null;
  /** How long a stopping pod keeps running: its preStop sleep, at most the grace period (0 when unknown). */
  stopSeconds: number;
  terminationGracePeriodSeconds: number;
  /** Lower bound for the whole rollout from the probe timings; excludes scheduling and image pulls. */
  estimatedSeconds: number;
  /** What the Deployment controller, and so Argo CD and Flux, wait for before reporting the rollout stuck. */
  progressDeadlineSeconds: number;
}

export interface RolloutTimingOptions {
  /** Added to the failure window before kustodian calls the rollout failed. */
  slackSeconds?: number;
  /** The pod count to plan for instead of spec.replicas (see plannedReplicas in rollout-shape.ts). */
  replicas?: number;
}

/**
 * How long a Deployment's rollout takes, from its probes.
 *
 * RollingUpdate: waves × availableSeconds. Stopping old pods does not add time: the controller
 * stops counting a pod once it is Terminating, so the next wave starts while the old pod drains,
 * and the rollout is complete before the last old pods finish their preStop sleep.
 * Recreate: the controller waits until every old pod is gone, so stopSeconds + availableSeconds.
 */
export function rolloutTiming(deployment: Deployment, options: RolloutTimingOptions = {}): RolloutTiming {
  const podSpec = deployment.spec.template.spec;
  const containers = podSpec.containers.map(containerTiming);
  const minReadySeconds = deployment.spec.minReadySeconds ?? 0;
  const readySeconds = Math.max(0, ...containers.map((c) => c.readySeconds));
  const availableSeconds = readySeconds + minReadySeconds;
  const windows = containers.flatMap((c) => (c.failureWindowSeconds === null ? [] : [c.failureWindowSeconds]));
  const failureWindowSeconds = windows.length === 0 ? null : Math.max(...windows);
  const gracePeriod = terminationGracePeriodSeconds(podSpec);
  const sleeps = podSpec.containers.map(preStopHook).map((hook) => (hook.kind === "sleep" ? hook.sleepSeconds : 0));
  const stopSeconds = Math.min(gracePeriod, Math.max(0, ...sleeps));
  const shape = rolloutShape(deployment, options.replicas === undefined ? {} : { replicas: options.replicas });
  const estimatedSeconds = shape.waves === 0 ? 0 : shape.allPodsStopFirst ? stopSeconds + availableSeconds : shape.waves * availableSeconds;
  return {
    containers,
    readySeconds,
    minReadySeconds,
    availableSeconds,
    failureWindowSeconds,
    revertAfterSeconds: failureWindowSeconds === null ? null : failureWindowSeconds + (options.slackSeconds ?? 0),
    stopSeconds,
    terminationGracePeriodSeconds: gracePeriod,
    estimatedSeconds,
    progressDeadlineSeconds: deployment.spec.progressDeadlineSeconds ?? defaultProgressDeadlineSeconds,
  };
}
