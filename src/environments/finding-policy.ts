// The vocabulary of an environment file's `policy.findings`: the id of every production-readiness
// finding the planner reports (src/plan/finding-rules.ts describes each), and the severities an
// environment may set. Here, below the planner, because the environment file's schema needs it.
import { z } from "zod";

export const findingIds = [
  "no-readiness-probe",
  "qos-best-effort",
  "qos-burstable",
  "no-pod-anti-affinity",
  "no-pdb",
  "pdb-blocks-drain",
  "rollout-exceeds-pdb",
  "no-prestop-drain",
  "prestop-exceeds-grace",
  "hpa-min-exceeds-max",
  "replicas-outside-hpa-bounds",
  "replicas-set-under-hpa",
  "plaintext-secret-env",
  "mutable-image-tag",
  "invalid-rollout-strategy",
  "probe-removed",
  "replicas-below-pdb",
  "held-image",
] as const;

export type FindingId = (typeof findingIds)[number];

/** Per-environment severity overrides, for the environment file schema: `{ "no-pdb": "blocking", "mutable-image-tag": "off" }`. */
export const FindingPolicy = z.partialRecord(z.enum(findingIds), z.enum(["blocking", "warning", "note", "off"]));
export type FindingPolicy = z.infer<typeof FindingPolicy>;
