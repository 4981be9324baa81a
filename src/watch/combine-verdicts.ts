// One verdict for a target with several Deployments (pure): Failed if any failed (the first,
// in the target's order), Healthy when all are, otherwise Progressing with the earliest
// time-based check.
import type { Verdict } from "../health/index.ts";

export interface NamedVerdict {
  deployment: string;
  verdict: Verdict;
}

export function combineVerdicts(verdicts: readonly NamedVerdict[]): Verdict {
  const failed = verdicts.find((v) => v.verdict.status === "Failed");
  if (failed) return failed.verdict;
  const waiting = verdicts.find((v) => v.verdict.status === "WaitingForSync");
  if (waiting) return waiting.verdict;
  const pending = verdicts.filter((v) => v.verdict.status === "Progressing");
  if (pending.length === 0) {
    return {
      status: "Healthy",
      detail: verdicts.map((v) => (v.verdict.status === "Healthy" ? v.verdict.detail : v.deployment)).join("; "),
    };
  }
  const checks = pending.flatMap((v) =>
    v.verdict.status === "Progressing" && v.verdict.nextCheckAt ? [v.verdict.nextCheckAt.getTime()] : [],
  );
  const first = pending[0]!.verdict as Extract<Verdict, { status: "Progressing" }>;
  const detail = pending.map((v) => (v.verdict.status === "Progressing" ? v.verdict.detail : "")).join("; ");
  return checks.length > 0
    ? { status: "Progressing", reason: first.reason, detail, nextCheckAt: new Date(Math.min(...checks)) }
    : { status: "Progressing", reason: first.reason, detail };
}
