import type { Container, ContainerStatus, Evidence, Instant, KubeEvent, Pod, PodFailureReason } from "./types.ts";
import { containerFailure, type ContainerFailure } from "./pod-failures.ts";
import { DEFAULT_SLACK_SECONDS, readinessDeadlineMs, readinessFailureWindowSeconds } from "./probe-window.ts";
import { isReadinessFailure, latestContainerEvent } from "./pod-events.ts";
import { findCondition } from "./conditions.ts";
import { HealthInputError } from "./errors.ts";
import { toMillis } from "./time.ts";

/** What one pod of the new ReplicaSet says about the rollout. */
export type PodHealth =
  | { status: "Ready"; detail: string }
  | { status: "NotReady"; detail: string; nextCheckAt?: Date }
  | { status: "Failed"; reason: PodFailureReason; evidence: Evidence[] }
  /** Finished without container evidence (evicted, node shutdown...): the ReplicaSet replaces it. */
  | { status: "Terminal"; phase: "Succeeded" | "Failed"; detail: string };

export interface PodContext {
  events?: readonly KubeEvent[];
  now: Instant;
  slackSeconds?: number;
}

/** Most specific first: it names the fix (image, config, memory) before the symptom. */
export const POD_FAILURE_PRIORITY: readonly PodFailureReason[] = [
  "ImagePullFailed",
  "ContainerConfigError",
  "OOMKilled",
  "CrashLoop",
  "ReadinessTimeout",
];

export function byPriority(a: { reason: PodFailureReason }, b: { reason: PodFailureReason }): number {
  return POD_FAILURE_PRIORITY.indexOf(a.reason) - POD_FAILURE_PRIORITY.indexOf(b.reason);
}

export function nowMillis(now: Instant): number {
  const ms = toMillis(now);
  if (ms === undefined) throw new HealthInputError(`now is not a valid time: ${String(now)}`);
  return ms;
}

function isPodReady(pod: Pod): boolean {
  const ready = findCondition(pod.status?.conditions, "Ready");
  if (ready) return ready.status === "True";
  const statuses = pod.status?.containerStatuses ?? [];
  return pod.status?.phase === "Running" && statuses.length > 0 && statuses.every((s) => s.ready === true);
}

function readinessTimeout(
  pod: Pod,
  container: Container,
  status: ContainerStatus,
  events: readonly KubeEvent[],
  now: number,
  slackSeconds: number,
): ContainerFailure {
  const podName = pod.metadata?.name ?? "";
  const window = readinessFailureWindowSeconds(container.readinessProbe ?? {});
  const startedAt = toMillis(status.state?.running?.startedAt) ?? now;
  const timing = `not Ready ${Math.floor((now - startedAt) / 1000)} s after start; readiness window ${window} s + ${slackSeconds} s slack`;
  const probe = latestContainerEvent(events, pod, status.name, isReadinessFailure);
  return {
    reason: "ReadinessTimeout",
    evidence: {
      object: `Pod/${podName}`,
      pod: podName,
      container: status.name,
      reason: probe ? probe.reason : "ContainersNotReady",
      message: probe ? `${probe.message} (${timing})` : timing,
    },
  };
}

function waitingDetail(pod: Pod): string {
  const status = pod.status ?? {};
  const unscheduled = findCondition(status.conditions, "PodScheduled");
  if (unscheduled?.status === "False") return `${unscheduled.reason ?? "not scheduled"}: ${unscheduled.message ?? ""}`.trim();
  const waiting = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]
    .map((s) => s.state?.waiting?.reason && `${s.name}: ${s.state.waiting.reason}`)
    .filter(Boolean);
  return waiting.length > 0 ? waiting.join(", ") : "containers not ready";
}

/**
 * The pod-level rules: a failure proven by a container's status (first sight) or by the
 * readiness window having passed; otherwise Ready, NotReady (with the time the readiness
 * rule could fire), or Terminal.
 */
export function classifyPod(pod: Pod, context: PodContext): PodHealth {
  const now = nowMillis(context.now);
  const slack = context.slackSeconds ?? DEFAULT_SLACK_SECONDS;
  const events = context.events ?? [];
  const status = pod.status ?? {};

  if (pod.metadata?.deletionTimestamp) return { status: "NotReady", detail: "terminating" };
  if (status.phase === "Succeeded") return { status: "Terminal", phase: "Succeeded", detail: "completed" };
  if (status.phase === "Failed" && status.reason) {
    return { status: "Terminal", phase: "Failed", detail: `${status.reason}: ${status.message ?? ""}`.trim() };
  }

  const specs = new Map<string, Container>();
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) specs.set(c.name, c);

  const failures: ContainerFailure[] = [];
  for (const s of [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]) {
    const failure = containerFailure(pod, specs.get(s.name), s, events);
    if (failure) failures.push(failure);
  }

  const ready = isPodReady(pod);
  let nextCheck: number | undefined;
  if (status.phase === "Running" && !ready) {
    for (const s of status.containerStatuses ?? []) {
      const spec = specs.get(s.name);
      const deadline = s.ready ? undefined : readinessDeadlineMs(spec, s, slack);
      if (deadline === undefined || !spec) continue;
      if (now >= deadline) failures.push(readinessTimeout(pod, spec, s, events, now, slack));
      else nextCheck = Math.min(nextCheck ?? deadline, deadline);
    }
  }

  if (failures.length > 0) {
    failures.sort(byPriority);
    return { status: "Failed", reason: failures[0]!.reason, evidence: failures.map((f) => f.evidence) };
  }
  if (status.phase === "Failed") return { status: "Terminal", phase: "Failed", detail: "failed without a container failure" };
  if (ready) return { status: "Ready", detail: "ready" };
  const detail = `${status.phase ?? "not observed"}: ${waitingDetail(pod)}`;
  return nextCheck === undefined
    ? { status: "NotReady", detail }
    : {
        status: "NotReady",
        detail: `${detail}; readiness window ends ${new Date(nextCheck).toISOString()}`,
        nextCheckAt: new Date(nextCheck),
      };
}
