// What kustodian stores in a GitHub Deployment's payload: everything a restarted bot needs to
// resume watching the rollout and to revert it, without re-reading or re-rendering the merge.
import { z } from "zod";
import { defaultAppName, defaultLayout } from "../layout/layout.ts";
import { environmentRef } from "../layout/paths.ts";
import type { EnvironmentPaths } from "../revert/environment-files.ts";
import type { RolloutTarget } from "../watch/types.ts";

const Sha = z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/, { error: "expected a full commit SHA" });

const SyncTarget = z.discriminatedUnion("tool", [
  z.object({ tool: z.literal("argocd"), application: z.string().min(1), namespace: z.string().min(1) }),
  z.object({ tool: z.literal("flux"), kustomization: z.string().min(1), namespace: z.string().min(1) }),
]);

/** The payload of a kustodian Deployment (`kustodian: 1` tells ours from others'). */
export const RolloutPayload = z.object({
  kustodian: z.literal(1),
  mergeSha: Sha,
  /** The commit before the merge: what a revert restores. */
  baseSha: Sha,
  /** The merged pull request, or null (a revert committed straight to the branch). */
  pr: z.int().positive().nullable(),
  title: z.string(),
  /** Workloads whose rollout decides the verdict. */
  workloads: z.array(z.string()),
  target: z.object({
    context: z.string().min(1),
    namespace: z.string().min(1),
    sync: SyncTarget,
    slackSeconds: z.number().min(0),
    mergedAt: z.iso.datetime({ offset: true }),
  }),
  /**
   * Where the environment's files are (src/layout) at the merge: what a revert restores. Absent in
   * Deployments recorded before layouts existed: then the default layout's paths of the environment.
   */
  paths: z
    .object({ app: z.string().min(1), file: z.string().min(1), overlay: z.string().min(1), bases: z.array(z.string().min(1)) })
    .optional(),
  /** Set when the merge is itself a kustodian revert: it is watched and reported, never reverted. */
  revertOf: z.object({ mergeSha: Sha, pr: z.int().positive().nullable() }).optional(),
});
export type RolloutPayload = z.infer<typeof RolloutPayload>;

/** The payload of a Deployment as GitHub gives it back, if it is one of kustodian's. */
export function parseRolloutPayload(payload: unknown): RolloutPayload | undefined {
  const result = RolloutPayload.safeParse(payload);
  return result.success ? result.data : undefined;
}

export function payloadOf(
  target: RolloutTarget,
  merge: {
    baseSha: string;
    pr: number | null;
    title: string;
    revertOf?: { mergeSha: string; pr: number | null };
    paths?: { app: string; file: string; overlay: string; bases: string[] };
  },
): RolloutPayload {
  return {
    kustodian: 1,
    mergeSha: target.mergeSha,
    baseSha: merge.baseSha,
    pr: merge.pr,
    title: merge.title,
    workloads: target.deployments,
    target: {
      context: target.context,
      namespace: target.namespace,
      sync: target.sync,
      slackSeconds: target.slackSeconds,
      mergedAt: target.mergedAt.toISOString(),
    },
    ...(merge.paths ? { paths: merge.paths } : {}),
    ...(merge.revertOf ? { revertOf: merge.revertOf } : {}),
  };
}

/** The files of a Deployment's environment: from its payload, else the default layout's. */
export function environmentPathsOf(environment: string, paths: RolloutPayload["paths"]): EnvironmentPaths & { bases: readonly string[] } {
  if (!paths) return environmentRef(defaultLayout, defaultAppName, environment);
  return { key: environment, file: paths.file, overlay: paths.overlay, bases: paths.bases };
}

/** The watcher's target, rebuilt from a Deployment (environment name and payload). */
export function targetOf(environment: string, payload: RolloutPayload): RolloutTarget {
  return {
    environment,
    context: payload.target.context,
    namespace: payload.target.namespace,
    deployments: payload.workloads,
    sync: payload.target.sync,
    mergeSha: payload.mergeSha,
    slackSeconds: payload.target.slackSeconds,
    mergedAt: new Date(payload.target.mergedAt),
  };
}
