import type { Container, ContainerState, ContainerStatus, Evidence, KubeEvent, Pod, PodFailureReason } from "./types.ts";
import { isImagePullFailure, latestContainerEvent } from "./pod-events.ts";

// kubelet waiting reasons (pkg/kubelet/images, pkg/kubelet/container).
const IMAGE_PULL = new Set([
  "ImagePullBackOff",
  "ErrImagePull",
  "InvalidImageName",
  "ErrImageNeverPull",
  "ImageInspectError",
  "RegistryUnavailable",
]);
const CONFIG = new Set(["CreateContainerConfigError", "CreateContainerError", "RunContainerError"]);
// Terminated reasons when the runtime could not start the process at all (bad command, bad mount).
const START_FAILURES = new Set(["StartError", "ContainerCannotRun"]);

export interface ContainerFailure {
  reason: PodFailureReason;
  evidence: Evidence;
}

type Terminated = NonNullable<ContainerState["terminated"]>;

function termination(t: Terminated): string {
  const code = `exit code ${t.exitCode ?? "?"}${t.reason ? ` (${t.reason})` : ""}`;
  const message = t.message?.trim();
  return message ? `${code}: ${message}` : code;
}

function memoryLimit(container: Container | undefined): string {
  const limit = container?.resources?.limits?.["memory"];
  return limit === undefined ? "no memory limit set" : `memory limit ${limit}`;
}

function fromTermination(t: Terminated, container: Container | undefined): { reason: PodFailureReason; text: string } | undefined {
  if (t.reason === "OOMKilled") return { reason: "OOMKilled", text: `${termination(t)}; ${memoryLimit(container)}` };
  if (t.reason !== undefined && START_FAILURES.has(t.reason)) return { reason: "ContainerConfigError", text: termination(t) };
  if ((t.exitCode ?? 0) !== 0) return { reason: "CrashLoop", text: termination(t) };
  return undefined;
}

/**
 * The failure a container's status proves on first sight, or undefined. Waiting reasons
 * follow gitops-engine (Err*, *Error, *BackOff are Degraded), named more precisely; a
 * container that has just exited non-zero is the crash that CrashLoopBackOff follows.
 */
export function containerFailure(
  pod: Pod,
  container: Container | undefined,
  status: ContainerStatus,
  events: readonly KubeEvent[],
): ContainerFailure | undefined {
  const podName = pod.metadata?.name ?? "";
  const evidence = (reason: string, message: string): Evidence => ({
    object: `Pod/${podName}`,
    pod: podName,
    container: status.name,
    reason,
    message,
  });

  const waiting = status.state?.waiting;
  const why = waiting?.reason;
  if (why) {
    const said = waiting.message?.trim() || why;
    if (IMAGE_PULL.has(why)) {
      const pull = latestContainerEvent(events, pod, status.name, isImagePullFailure);
      return { reason: "ImagePullFailed", evidence: evidence(why, pull?.message ?? said) };
    }
    if (why === "CrashLoopBackOff") {
      const last = status.lastState?.terminated;
      const cause = last ? fromTermination(last, container) : undefined;
      const text = last ? `${said}; last termination: ${cause?.text ?? termination(last)}` : said;
      return { reason: cause?.reason ?? "CrashLoop", evidence: evidence(why, text) };
    }
    if (CONFIG.has(why) || /^Err|Error$/.test(why)) return { reason: "ContainerConfigError", evidence: evidence(why, said) };
    if (/BackOff$/.test(why)) return { reason: "CrashLoop", evidence: evidence(why, said) };
    return undefined;
  }

  const terminated = status.state?.terminated;
  if (terminated) {
    const cause = fromTermination(terminated, container);
    if (cause) return { reason: cause.reason, evidence: evidence(terminated.reason ?? "Error", cause.text) };
  }
  return undefined;
}
