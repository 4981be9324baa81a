import type { Instant, Timestamp } from "./types.ts";

/** Epoch milliseconds of a Kubernetes timestamp (string or Date) or an Instant; undefined when absent or unparsable. */
export function toMillis(value: Timestamp | Instant | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : value.getTime();
  return Number.isFinite(ms) ? ms : undefined;
}
