import type { KubeEvent, Pod } from "./types.ts";
import { toMillis } from "./time.ts";

function eventTime(e: KubeEvent): number {
  return (
    toMillis(e.series?.lastObservedTime) ??
    toMillis(e.lastTimestamp) ??
    toMillis(e.eventTime) ??
    toMillis(e.firstTimestamp) ??
    toMillis(e.metadata?.creationTimestamp) ??
    0
  );
}

function isAboutContainer(e: KubeEvent, pod: Pod, container: string): boolean {
  const ref = e.involvedObject ?? e.regarding ?? undefined;
  if (!ref || (ref.kind !== undefined && ref.kind !== "Pod")) return false;
  const meta = pod.metadata;
  if (ref.uid && meta?.uid) {
    if (ref.uid !== meta.uid) return false;
  } else if (ref.name !== meta?.name || (ref.namespace && meta?.namespace && ref.namespace !== meta.namespace)) {
    return false;
  }
  // kubelet names the container in fieldPath: spec.containers{name} / spec.initContainers{name}.
  return !ref.fieldPath || ref.fieldPath.endsWith(`{${container}}`);
}

/** The message of the most recent event about this pod's container that `matches`. */
export function latestContainerEvent(
  events: readonly KubeEvent[],
  pod: Pod,
  container: string,
  matches: (reason: string, message: string) => boolean,
): { reason: string; message: string } | undefined {
  let best: { reason: string; message: string; at: number } | undefined;
  for (const e of events) {
    const reason = e.reason ?? "";
    const message = e.message ?? e.note ?? "";
    if (!isAboutContainer(e, pod, container) || !matches(reason, message)) continue;
    const at = eventTime(e);
    if (!best || at >= best.at) best = { reason, message, at };
  }
  return best && { reason: best.reason, message: best.message };
}

export const isReadinessFailure = (reason: string, message: string): boolean =>
  reason === "Unhealthy" && /^Readiness probe (failed|errored)/.test(message);

export const isImagePullFailure = (reason: string, message: string): boolean => reason === "Failed" && /pull|image/i.test(message);
