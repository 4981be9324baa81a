// Int-or-percent arithmetic of a RollingUpdate, as Kubernetes does it: maxSurge rounds up,
// maxUnavailable rounds down, and when both come out 0 maxUnavailable becomes 1.
import type { Deployment, IntOrString } from "./types.ts";

export function scaledValue(value: IntOrString, total: number, roundUp: boolean): number {
  if (typeof value === "number") return value;
  const m = /^(\d+)%$/.exec(value.trim());
  if (!m) {
    const n = Number.parseInt(value, 10);
    return Number.isFinite(n) ? n : 0;
  }
  const exact = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** ResolveFenceposts: [maxSurge, maxUnavailable] for the deployment's replica count. */
export function resolveFenceposts(d: Deployment): { maxSurge: number; maxUnavailable: number } {
  const replicas = d.spec.replicas ?? 1;
  const rolling = d.spec.strategy?.rollingUpdate;
  const maxSurge = scaledValue(rolling?.maxSurge ?? "25%", replicas, true);
  let maxUnavailable = scaledValue(rolling?.maxUnavailable ?? "25%", replicas, false);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? "RollingUpdate") === "RollingUpdate";
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? resolveFenceposts(d).maxSurge : 0;
}

export function maxUnavailable(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const replicas = d.spec.replicas ?? 1;
  if (replicas === 0) return 0;
  return Math.min(resolveFenceposts(d).maxUnavailable, replicas);
}
