// A merge handed from the replica that received its push to the Lease holder (issue 13: any
// replica's push is watched within 2 s). The replica writes what it understood — the repository,
// the installation, and each environment's Deployment payload — as a record in the cluster
// (src/cluster/hand-off-records.ts) before it records the Deployments on GitHub; the leader's
// informer sees it and starts the watches at once. The record only says what to watch: the
// leader acts on a verdict only with the Deployment the app created on GitHub, found by merge
// and environment (README.md, "Exactly once").
import { createHash } from "node:crypto";
import { z } from "zod";
import type { HandedOffMerge } from "./orchestrator.ts";
import { RolloutPayload } from "./payload.ts";
import type { RepoClient } from "./repo-client.ts";

/** The most environments one record carries (a ConfigMap holds 1 MiB; a payload is < 2 KiB). */
export const maxHandedOffRollouts = 200;

/** A hand-off record's content (the `merge` key of the ConfigMap, JSON). */
export const HandOff = z.object({
  repository: z.object({ owner: z.string().min(1), repo: z.string().min(1) }),
  installationId: z.int().positive(),
  defaultBranch: z.string().min(1),
  htmlUrl: z.url().optional(),
  mergeSha: z.string().regex(/^[0-9a-f]{40}(?:[0-9a-f]{24})?$/),
  rollouts: z.array(z.object({ environment: z.string().min(1), payload: RolloutPayload })).max(maxHandedOffRollouts),
});
export type HandOff = z.infer<typeof HandOff>;

/** The record's name: one per (repository, merge), so a redelivered push writes the same one. */
export function handOffName(repo: { owner: string; repo: string }, mergeSha: string): string {
  const digest = createHash("sha256").update(`${repo.owner}/${repo.repo}@${mergeSha}`).digest("hex");
  return `kustodian-hand-off-${digest.slice(0, 20)}`;
}

/** The record of a merge understood by this replica; undefined without an installation (nothing the leader could act with). */
export function handOffRecordOf(gh: RepoClient, merge: HandedOffMerge): { name: string; data: Record<string, string> } | undefined {
  if (gh.installationId === undefined) return undefined;
  const record: HandOff = {
    repository: { owner: gh.repo.owner, repo: gh.repo.repo },
    installationId: gh.installationId,
    defaultBranch: gh.defaultBranch,
    ...(gh.htmlUrl ? { htmlUrl: gh.htmlUrl } : {}),
    mergeSha: merge.mergeSha,
    rollouts: merge.rollouts.slice(0, maxHandedOffRollouts).map((r) => ({ environment: r.environment, payload: r.payload })),
  };
  return { name: handOffName(gh.repo, merge.mergeSha), data: { merge: JSON.stringify(record) } };
}

/** A record's content, if it is a valid hand-off whose payloads are of its merge. */
export function handOffOfRecord(data: Readonly<Record<string, string>>): HandOff | undefined {
  let json: unknown;
  try {
    json = JSON.parse(data.merge ?? "");
  } catch {
    return undefined;
  }
  const parsed = HandOff.safeParse(json);
  if (!parsed.success) return undefined;
  return parsed.data.rollouts.every((r) => r.payload.mergeSha === parsed.data.mergeSha) ? parsed.data : undefined;
}
