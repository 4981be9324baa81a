import type { Container, PodSpec } from "../k8s/manifest-types.ts";

export type PreStopHook =
  | { kind: "none" }
  /** A sleep action, or an exec command whose sleeps we can read: the drain lasts sleepSeconds. */
  | { kind: "sleep"; sleepSeconds: number }
  /** An exec or httpGet hook whose duration cannot be read from the manifest. */
  | { kind: "opaque" };

const defaultTerminationGracePeriodSeconds = 30;
const sleepInShell = /(?:^|[\s;&|(])sleep\s+(\d+(?:\.\d+)?)([smh]?)(?=$|[\s;&|)])/g;
const unitSeconds: Record<string, number> = { "": 1, s: 1, m: 60, h: 3600 };

/** What a container's preStop hook does, as far as the manifest tells. */
export function preStopHook(container: Container): PreStopHook {
  const preStop = container.lifecycle?.preStop;
  if (preStop === undefined) return { kind: "none" };
  if (typeof preStop.sleep?.seconds === "number") return { kind: "sleep", sleepSeconds: preStop.sleep.seconds };
  const command = preStop.exec?.command;
  if (Array.isArray(command)) {
    let total = 0;
    let found = false;
    for (const match of command.join(" ").matchAll(sleepInShell)) {
      found = true;
      total += Number(match[1]) * (unitSeconds[match[2] ?? ""] ?? 1);
    }
    if (found) return { kind: "sleep", sleepSeconds: total };
  }
  return { kind: "opaque" };
}

/** The grace period the kubelet allows a pod to stop (preStop included) before SIGKILL. */
export function terminationGracePeriodSeconds(podSpec: PodSpec): number {
  return podSpec.terminationGracePeriodSeconds ?? defaultTerminationGracePeriodSeconds;
}
