import type { Container, PodSpec, ResourceList } from "../k8s/manifest-types.ts";
import { quantityNanos } from "./quantity.ts";

export type QosClass = "Guaranteed" | "Burstable" | "BestEffort";

export interface PodQos {
  qosClass: QosClass;
  /** Why the pod is not Guaranteed, one phrase per cause; empty when it is. */
  reasons: string[];
}

const qosResources = ["cpu", "memory"] as const;

function positive(list: ResourceList | undefined, resource: string): bigint | undefined {
  const raw = list?.[resource];
  if (raw === undefined) return undefined;
  const nanos = quantityNanos(raw);
  return nanos !== undefined && nanos > 0n ? nanos : undefined;
}

/** API defaulting: a resource with a limit and no request gets the limit as its request. */
function effectiveRequests(container: Container): ResourceList {
  return { ...container.resources?.limits, ...container.resources?.requests };
}

/**
 * The pod's QoS class as Kubernetes computes it (pkg/apis/core/helper/qos): over containers and
 * init containers, only cpu and memory, only positive quantities; Guaranteed needs every container
 * to limit both, and the summed requests to equal the summed limits.
 */
export function podQos(podSpec: PodSpec): PodQos {
  const containers = [...podSpec.containers, ...(podSpec.initContainers ?? [])];
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  const reasons: string[] = [];
  let everyContainerLimitsBoth = true;

  for (const container of containers) {
    const containerRequests = effectiveRequests(container);
    for (const resource of qosResources) {
      const request = positive(containerRequests, resource);
      const limit = positive(container.resources?.limits, resource);
      if (request !== undefined) requests.set(resource, (requests.get(resource) ?? 0n) + request);
      if (limit !== undefined) limits.set(resource, (limits.get(resource) ?? 0n) + limit);
      if (limit === undefined) {
        everyContainerLimitsBoth = false;
        reasons.push(`container ${container.name} sets no ${resource} limit`);
      } else if (request !== undefined && request !== limit) {
        reasons.push(
          `container ${container.name} requests ${String(containerRequests[resource])} ${resource} but limits it to ${String(container.resources?.limits?.[resource])}`,
        );
      }
    }
  }

  if (requests.size === 0 && limits.size === 0) {
    return { qosClass: "BestEffort", reasons: ["no container sets cpu or memory requests or limits"] };
  }
  const sumsEqual = requests.size === limits.size && [...requests].every(([resource, request]) => limits.get(resource) === request);
  if (everyContainerLimitsBoth && sumsEqual) return { qosClass: "Guaranteed", reasons: [] };
  // Per-container differences can cancel out in the sums; name the sums when nothing else explains it.
  return { qosClass: "Burstable", reasons: reasons.length > 0 ? reasons : ["summed requests differ from summed limits"] };
}
