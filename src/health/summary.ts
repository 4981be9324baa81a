import type { Evidence, FailureReason } from "./types.ts";

const WHAT: Record<FailureReason, string> = {
  SyncFailed: "sync failed",
  ImagePullFailed: "image cannot be pulled",
  CrashLoop: "container is crash-looping",
  ContainerConfigError: "container cannot be created or started",
  ReadinessTimeout: "readiness not reached within the probe window",
  ProgressDeadlineExceeded: "progress deadline exceeded",
  OOMKilled: "container killed for exceeding its memory limit",
};

/** A short phrase for a failure reason: the summary starts with it, and a revert's headline says it. */
export function reasonPhrase(reason: FailureReason): string {
  return WHAT[reason];
}

/** Whitespace collapsed and cut to `max` characters, for one-line summaries. */
export function oneLine(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** One human line: what failed, where, and the quoted reason of the first piece of evidence. */
export function summarize(reason: FailureReason, evidence: readonly Evidence[], scope = ""): string {
  const first = evidence[0];
  if (!first) return `${WHAT[reason]}${scope}`;
  const where = first.pod ? `pod ${first.pod} container ${first.container}` : first.object;
  const more = evidence.length > 1 ? ` (+${evidence.length - 1} more)` : "";
  return oneLine(`${WHAT[reason]}${scope}: ${where}: ${first.reason}: ${first.message}`) + more;
}
