import { isAppAccount } from "./bot-login.ts";
import type { GitHubClient, RepoRef } from "./client.ts";
import { deploymentStatuses } from "./deployment-statuses.ts";
import { deploymentDescriptionLimit, truncateLine } from "./truncate.ts";

export type DeploymentState = "error" | "failure" | "inactive" | "in_progress" | "queued" | "pending" | "success";

export interface CreateDeploymentInput {
  repo: RepoRef;
  /** The commit deployed (the merge SHA). */
  ref: string;
  environment: string;
  /** kustodian's record of the rollout (merge SHA, PR number, workloads); stored by GitHub as JSON. */
  payload: Record<string, unknown>;
  description: string;
  productionEnvironment?: boolean;
}

/**
 * A GitHub Deployment recording a merge, in ONE call (POST /repos/{owner}/{repo}/deployments):
 * task `deploy`, `auto_merge: false` (GitHub must not merge anything into the ref) and
 * `required_contexts: []` (the merge already passed its checks; the rollout is what we record).
 */
export async function createDeployment(octokit: GitHubClient, input: CreateDeploymentInput): Promise<{ id: number }> {
  const response = await octokit.request("POST /repos/{owner}/{repo}/deployments", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    ref: input.ref,
    task: "deploy",
    auto_merge: false,
    required_contexts: [],
    environment: input.environment,
    payload: input.payload,
    description: truncateLine(input.description, deploymentDescriptionLimit),
    ...(input.productionEnvironment === undefined ? {} : { production_environment: input.productionEnvironment }),
  });
  const data = response.data as { id?: number | bigint; message?: string };
  // 202 carries a message instead of a deployment (an auto-merge happened); not expected with auto_merge false.
  if (data.id === undefined) throw new Error(`GitHub created no deployment: ${data.message ?? `status ${response.status}`}`);
  return { id: Number(data.id) };
}

export interface DeploymentStatusInput {
  repo: RepoRef;
  deploymentId: number;
  state: "in_progress" | "success" | "failure" | "error" | "inactive";
  /** Cut to GitHub's 140 characters. */
  description: string;
  environmentUrl?: string;
  /** Where to read about this rollout (the PR comment, the revert commit). */
  logUrl?: string;
}

/** A new status of a deployment, in ONE call (POST /repos/{owner}/{repo}/deployments/{id}/statuses). */
export async function setDeploymentStatus(octokit: GitHubClient, input: DeploymentStatusInput): Promise<{ id: number }> {
  const { data } = await octokit.request("POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    deployment_id: input.deploymentId,
    state: input.state,
    description: truncateLine(input.description, deploymentDescriptionLimit),
    ...(input.environmentUrl ? { environment_url: input.environmentUrl } : {}),
    ...(input.logUrl ? { log_url: input.logUrl } : {}),
  });
  return { id: Number(data.id) };
}

export interface DeploymentRecord {
  id: number;
  sha: string;
  environment: string;
  task: string;
  description: string | null;
  /** The payload as created (parsed from the JSON GitHub keeps), or null. */
  payload: unknown;
  /** Who created it (GitHub's record, not the payload's): `type` is `Bot` for an app, `User` for a person. */
  creator: { login: string; type: string } | null;
  createdAt: string;
  latestStatus: {
    state: DeploymentState;
    description: string | null;
    environmentUrl: string | null;
    logUrl: string | null;
    createdAt: string;
  } | null;
}

export interface ListDeploymentsInput {
  repo: RepoRef;
  /** Only this environment; all when absent. */
  environment?: string;
  /** Only deployments with this task; default `deploy`. */
  task?: string;
  /** Most deployments read, newest first; default 100. */
  limit?: number;
  /**
   * The app's bot login. On the Deployments it created, `latestStatus` is the newest status IT
   * wrote: when someone else wrote the newest one, the app's own are read (1 call each).
   */
  by: string;
}

const listQuery = `query ($owner: String!, $name: String!, $environments: [String!], $first: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    deployments(environments: $environments, first: $first, after: $after, orderBy: { field: CREATED_AT, direction: DESC }) {
      pageInfo { hasNextPage endCursor }
      nodes {
        databaseId commitOid environment task description payload createdAt
        creator { __typename login }
        latestStatus { state description environmentUrl logUrl createdAt creator { __typename login } }
      }
    }
  }
}`;

interface DeploymentNode {
  databaseId: number | null;
  commitOid: string;
  environment: string | null;
  task: string | null;
  description: string | null;
  payload: string | null;
  creator?: { __typename: string; login: string } | null;
  createdAt: string;
  latestStatus: {
    state: string;
    description: string | null;
    environmentUrl: string | null;
    logUrl: string | null;
    createdAt: string;
    creator?: { __typename: string; login: string } | null;
  } | null;
}

interface DeploymentsPage {
  repository: {
    deployments: { pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: (DeploymentNode | null)[] };
  } | null;
}

/**
 * Deployments newest first, each with its latest status — through GraphQL, ONE call per 100
 * deployments, where REST would need one more call per deployment for its statuses. A restarted
 * watcher reads the in-progress ones from here.
 */
export async function listDeployments(octokit: GitHubClient, input: ListDeploymentsInput): Promise<DeploymentRecord[]> {
  const limit = input.limit ?? 100;
  const task = input.task ?? "deploy";
  const out: DeploymentRecord[] = [];
  let after: string | null = null;
  let read = 0;
  while (read < limit) {
    const first = Math.min(100, limit - read);
    const page: DeploymentsPage = await octokit.graphql<DeploymentsPage>(listQuery, {
      owner: input.repo.owner,
      name: input.repo.repo,
      environments: input.environment === undefined ? null : [input.environment],
      first,
      after,
    });
    const connection = page.repository?.deployments;
    if (!connection) break;
    read += connection.nodes.length;
    for (const node of connection.nodes) {
      if (node === null || node.databaseId === null || (node.task ?? "deploy") !== task) continue;
      out.push(await withAppStatus(octokit, input, node, toRecord(node)));
    }
    if (!connection.pageInfo.hasNextPage || connection.nodes.length === 0) break;
    after = connection.pageInfo.endCursor;
  }
  return out;
}

/**
 * The record with the app's own newest status as `latestStatus`, on a Deployment the app created
 * whose newest status someone else wrote (a person with repository access can add a "success" to
 * the app's Deployment): 1 call, only then. Other Deployments are not the app's and left as they are.
 */
async function withAppStatus(
  octokit: GitHubClient,
  input: ListDeploymentsInput,
  node: DeploymentNode,
  record: DeploymentRecord,
): Promise<DeploymentRecord> {
  const status = node.latestStatus;
  if (status === null || !isAppAccount(record.creator, input.by)) return record;
  const author = status.creator ? { login: status.creator.login, type: status.creator.__typename } : null;
  if (isAppAccount(author, input.by)) return record;
  const own = (await deploymentStatuses(octokit, { repo: input.repo, deploymentId: record.id, by: input.by }))[0];
  return { ...record, latestStatus: own ? { ...own, environmentUrl: null } : null };
}

function toRecord(node: DeploymentNode): DeploymentRecord {
  return {
    id: node.databaseId!,
    sha: node.commitOid,
    environment: node.environment ?? "",
    task: node.task ?? "deploy",
    description: node.description,
    payload: parsePayload(node.payload),
    creator: node.creator ? { login: node.creator.login, type: node.creator.__typename } : null,
    createdAt: node.createdAt,
    latestStatus: node.latestStatus
      ? {
          state: node.latestStatus.state.toLowerCase() as DeploymentState,
          description: node.latestStatus.description,
          environmentUrl: node.latestStatus.environmentUrl,
          logUrl: node.latestStatus.logUrl,
          createdAt: node.latestStatus.createdAt,
        }
      : null,
  };
}

/** GraphQL gives the payload as its JSON text (once more encoded if it was created as a string). */
function parsePayload(payload: string | null): unknown {
  if (payload === null || payload === "") return null;
  let value: unknown = payload;
  for (let i = 0; i < 2 && typeof value === "string"; i++) {
    try {
      value = JSON.parse(value);
    } catch {
      return value;
    }
  }
  return value;
}

export interface DeploymentStatusRecord {
  state: DeploymentState;
  description: string | null;
  logUrl: string | null;
  createdAt: string;
}

/**
 * The newest status the app wrote on one deployment, or null when it wrote none: ONE call
 * (GET /repos/{owner}/{repo}/deployments/{id}/statuses, newest first; a status someone else added
 * is not the app's verdict). Read again right before acting on a verdict, since another process
 * may have acted since the list was read.
 */
export async function latestDeploymentStatus(
  octokit: GitHubClient,
  input: { repo: RepoRef; deploymentId: number; by: string },
): Promise<DeploymentStatusRecord | null> {
  return (await deploymentStatuses(octokit, input))[0] ?? null;
}
