// One GitHub Deployment per (merge, environment), never two: looked up before it is created, and
// when two processes still race to create it, the lowest id wins (see README.md).
import { isAppAccount } from "../github/bot-login.ts";
import {
  createDeployment,
  listDeployments,
  setDeploymentStatus,
  type DeploymentRecord,
  type DeploymentState,
} from "../github/deployments.ts";
import type { DetectedMerge } from "./detect-merge.ts";
import { parseRolloutPayload, payloadOf, type RolloutPayload } from "./payload.ts";
import { botLoginOf, type RepoClient } from "./repo-client.ts";
import { watchingDescription } from "./report.ts";
import { carriedWorkloads } from "./carried-workloads.ts";

/** A kustodian Deployment: its id, environment, payload and latest status. */
export interface TrackedDeployment {
  id: number;
  environment: string;
  payload: RolloutPayload;
  latestStatus: { state: DeploymentState; description: string | null } | null;
}

/** How many recent Deployments are read to find ours (one GraphQL call). */
export const recentDeploymentsRead = 100;

/**
 * Whether GitHub says this app created the Deployment: its creator is a Bot whose login is the
 * app's (GraphQL gives a bot's login without the `[bot]` REST adds). Anyone with
 * `deployments: write` can create a Deployment whose payload looks like kustodian's; only the
 * creator tells them apart, and a payload field never does.
 */
export function createdByApp(record: Pick<DeploymentRecord, "creator">, botLogin: string): boolean {
  return isAppAccount(record.creator, botLogin);
}

/** kustodian's Deployments among GitHub's (created by this app, with kustodian's payload), oldest id first. */
export function kustodianDeployments(records: readonly DeploymentRecord[], botLogin: string): TrackedDeployment[] {
  return records
    .flatMap((d) => {
      if (!createdByApp(d, botLogin)) return [];
      const payload = parseRolloutPayload(d.payload);
      if (!payload || payload.mergeSha !== d.sha.toLowerCase()) return [];
      return [
        {
          id: d.id,
          environment: d.environment,
          payload,
          latestStatus: d.latestStatus ? { state: d.latestStatus.state, description: d.latestStatus.description } : null,
        },
      ];
    })
    .sort((a, b) => a.id - b.id);
}

/** The recent Deployments this app created: ONE GraphQL call. */
export async function readKustodianDeployments(gh: RepoClient): Promise<TrackedDeployment[]> {
  return kustodianDeployments(
    await listDeployments(gh.octokit, { repo: gh.repo, limit: recentDeploymentsRead, by: botLoginOf(gh) }),
    botLoginOf(gh),
  );
}

/** The Deployment of (merge, environment) that counts: the one with the lowest id. */
export function deploymentOf(
  deployments: readonly TrackedDeployment[],
  mergeSha: string,
  environment: string,
): TrackedDeployment | undefined {
  return deployments.find((d) => d.payload.mergeSha === mergeSha && d.environment === environment);
}

/** Whether a Deployment's rollout is not concluded: no status yet, pending, queued or in progress. */
export function isOpen(status: TrackedDeployment["latestStatus"]): boolean {
  return status === null || status.state === "in_progress" || status.state === "pending" || status.state === "queued";
}

/**
 * The Deployment payload of one environment of a merge, watching also the `carried` workloads
 * (carried-workloads.ts). Without them: what the watch starts from before the Deployment exists
 * (the watch then follows the recorded payload once it is attached).
 */
export function rolloutPayloadOf(
  merge: DetectedMerge,
  rollout: DetectedMerge["rollouts"][number],
  carried: readonly string[] = [],
): RolloutPayload {
  const env = rollout.target.environment;
  const target = carried.length ? { ...rollout.target, deployments: [...rollout.target.deployments, ...carried].sort() } : rollout.target;
  return payloadOf(target, {
    baseSha: merge.baseSha,
    pr: merge.pullRequest?.number ?? null,
    title: merge.title,
    ...(merge.paths.get(env) ? { paths: merge.paths.get(env)! } : {}),
    ...(merge.revertOf ? { revertOf: { mergeSha: merge.revertOf.reverts, pr: merge.revertOf.pullRequest ?? null } } : {}),
  });
}

/**
 * The Deployments of a merge's rollouts: existing ones are reused, missing ones created with
 * status in_progress. Calls: 1 list (skipped when `known` is given), and per new Deployment
 * 1 create + 1 status.
 */
export async function recordDeployments(
  gh: RepoClient,
  merge: DetectedMerge,
  known?: readonly TrackedDeployment[],
): Promise<{ deployment: TrackedDeployment; created: boolean }[]> {
  const existing = known ?? (await readKustodianDeployments(gh));
  const out: { deployment: TrackedDeployment; created: boolean }[] = [];
  for (const rollout of merge.rollouts) {
    const env = rollout.target.environment;
    const found = deploymentOf(existing, merge.mergeSha, env);
    if (found) {
      out.push({ deployment: found, created: false });
      continue;
    }
    // Issue 13: the workloads of earlier rollouts here that this merge's sync supersedes before their verdict.
    const carried = carriedWorkloads(existing, {
      environment: env,
      mergeSha: merge.mergeSha,
      own: rollout.target.deployments,
      present: new Set(rollout.present ?? []),
    });
    const payload = rolloutPayloadOf(merge, rollout, carried);
    const what = merge.revertOf
      ? `revert of ${merge.revertOf.reverts.slice(0, 7)}`
      : merge.pullRequest
        ? `#${merge.pullRequest.number}`
        : merge.mergeSha.slice(0, 7);
    const { id } = await createDeployment(gh.octokit, {
      repo: gh.repo,
      ref: merge.mergeSha,
      environment: env,
      payload,
      description: `kustodian: ${what} to ${env}`,
      productionEnvironment: rollout.production,
    });
    const description = watchingDescription(payload);
    await setDeploymentStatus(gh.octokit, { repo: gh.repo, deploymentId: id, state: "in_progress", description });
    out.push({ deployment: { id, environment: env, payload, latestStatus: { state: "in_progress", description } }, created: true });
  }
  return out;
}
