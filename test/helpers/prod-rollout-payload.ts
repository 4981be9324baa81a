// The payload kustodian records on its GitHub Deployment of a merge to the sample's prod (Argo CD
// syncs it), for tests that put Deployments into the fake GitHub themselves (forgeries included).
import type { RolloutPayload } from "../../src/rollout/payload.ts";

export function prodRolloutPayload(merge: { mergeSha: string; baseSha: string; pr: number; title: string }): RolloutPayload {
  return {
    kustodian: 1,
    ...merge,
    workloads: ["wordpress"],
    target: {
      context: "prod",
      namespace: "wordpress-prod",
      sync: { tool: "argocd", application: "wordpress-prod", namespace: "argocd" },
      slackSeconds: 5,
      mergedAt: "2026-01-01T00:00:00Z",
    },
  };
}
