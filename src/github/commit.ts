import { fullName, type GitHubClient, type RepoRef } from "./client.ts";
import type { FileChange } from "../layout/file-change.ts";
import { graphqlErrorsOf } from "./http-error.ts";
import { blobCache, gitBlobId, type BlobCache } from "./blob-cache.ts";

export interface CommitToBranchInput {
  repo: RepoRef;
  /** Unqualified branch name, e.g. `main` or `renovate/wordpress-6.x`. */
  branch: string;
  /** The commit the branch must point at; GitHub refuses the commit otherwise. */
  expectedHeadOid: string;
  /** First line of the message. */
  headline: string;
  /** The rest of the message (paragraphs, trailers). */
  body?: string;
  changes: readonly FileChange[];
  /** Where the committed texts are remembered by blob id (a re-read then costs no blob request). Defaults to the process-wide cache. */
  cache?: BlobCache;
}

export interface CommitResult {
  oid: string;
  url: string;
}

/** GitHub refused the commit because the branch no longer points at `expectedHeadOid`. */
export class BranchMovedError extends Error {
  readonly branch: string;
  readonly expectedHeadOid: string;
  constructor(branch: string, expectedHeadOid: string, options?: ErrorOptions) {
    super(`Branch ${branch} moved: it no longer points at ${expectedHeadOid}`, options);
    this.name = "BranchMovedError";
    this.branch = branch;
    this.expectedHeadOid = expectedHeadOid;
  }
}

/** A commit was asked for with nothing in it. kustodian never makes an empty commit. */
export class EmptyCommitError extends Error {
  constructor(branch: string) {
    super(`Refusing to commit to ${branch}: the change list is empty`);
    this.name = "EmptyCommitError";
  }
}

const mutation = `mutation ($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid url } }
}`;

/**
 * ONE commit on a branch in ONE call: GraphQL `createCommitOnBranch`, with the new contents
 * base64-encoded and `expectedHeadOid` as the guard, so a concurrent push is never overwritten
 * (nothing here can force-push).
 *
 * Commits made this way by a GitHub App are signed by GitHub and show as Verified, so branches
 * protected by "require signed commits" accept them. The author is the app's bot user.
 *
 * Throws BranchMovedError when GitHub answers that the branch is not at `expectedHeadOid`
 * (a 200 whose errors carry `type: "STALE_DATA"` and the message
 * `Expected branch to point to "<oid>" but it did not.  Pull and try again.`); any other
 * failure is rethrown as Octokit raised it. Throws EmptyCommitError for an empty change list.
 */
export async function commitToBranch(octokit: GitHubClient, input: CommitToBranchInput): Promise<CommitResult> {
  if (input.changes.length === 0) throw new EmptyCommitError(input.branch);
  if (/[\r\n]/.test(input.headline) || input.headline.trim() === "") {
    throw new Error(`A commit headline is one non-empty line: ${JSON.stringify(input.headline)}`);
  }
  const seen = new Set<string>();
  for (const change of input.changes) {
    if (!isRepoPath(change.path)) throw new Error(`Not a repository file path: ${JSON.stringify(change.path)}`);
    if (seen.has(change.path)) throw new Error(`${change.path} appears twice in one commit`);
    seen.add(change.path);
  }
  const sorted = [...input.changes].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const additions = sorted.flatMap((c) =>
    c.after === undefined ? [] : [{ path: c.path, contents: Buffer.from(c.after, "utf8").toString("base64") }],
  );
  const deletions = sorted.flatMap((c) => (c.after === undefined ? [{ path: c.path }] : []));

  const variables = {
    input: {
      branch: { repositoryNameWithOwner: fullName(input.repo), branchName: input.branch },
      expectedHeadOid: input.expectedHeadOid,
      message: input.body ? { headline: input.headline, body: input.body } : { headline: input.headline },
      fileChanges: {
        ...(additions.length > 0 ? { additions } : {}),
        ...(deletions.length > 0 ? { deletions } : {}),
      },
    },
  };
  try {
    const result = await octokit.graphql<{ createCommitOnBranch: { commit: CommitResult } }>(mutation, variables);
    // GitHub stores these exact bytes: the next read of the branch finds its new blobs cached.
    for (const change of sorted) if (change.after !== undefined) (input.cache ?? blobCache).set(gitBlobId(change.after), change.after);
    return { oid: result.createCommitOnBranch.commit.oid, url: result.createCommitOnBranch.commit.url };
  } catch (error) {
    if (isBranchMoved(error)) throw new BranchMovedError(input.branch, input.expectedHeadOid, { cause: error });
    throw error;
  }
}

/** Whether a createCommitOnBranch failure says the branch head is not the expected one. */
export function isBranchMoved(error: unknown): boolean {
  return graphqlErrorsOf(error).some(
    (e) => e.type === "STALE_DATA" || /expected branch to point to|is at \S+ but expected/i.test(e.message),
  );
}

/** What to commit, computed from a fresh read of the branch. */
export interface CommitPlan {
  /** The branch head the plan was computed from; the commit is guarded by it. */
  headOid: string;
  changes: FileChange[];
  headline: string;
  body?: string;
}

export interface CommitWithRetryOptions {
  /** Tries in all (reads and commits); default 3. */
  attempts?: number;
  /** Read the branch and compute the commit; null (or no changes) means nothing to commit. */
  read: () => Promise<CommitPlan | null>;
  /** Make the commit, typically `(plan) => commitToBranch(octokit, { repo, branch, expectedHeadOid: plan.headOid, ...plan })`. */
  commit: (plan: CommitPlan) => Promise<CommitResult>;
  /** Told about each refusal that leads to a re-read (for logging). */
  onBranchMoved?: (error: BranchMovedError, attempt: number) => void;
}

/**
 * Read, compute, commit; when the branch moved in between, read and compute again, at most
 * `attempts` times in all (then the last BranchMovedError is thrown). Returns null, having made
 * no commit, when a read finds nothing to commit — which is also what a redelivered event finds
 * after the first delivery's commit landed.
 */
export async function commitWithRetry(options: CommitWithRetryOptions): Promise<CommitResult | null> {
  const attempts = options.attempts ?? 3;
  if (!(attempts >= 1)) throw new RangeError("commitWithRetry needs at least one attempt");
  for (let attempt = 1; ; attempt++) {
    const plan = await options.read();
    if (plan === null || plan.changes.length === 0) return null;
    try {
      return await options.commit(plan);
    } catch (error) {
      if (!(error instanceof BranchMovedError) || attempt >= attempts) throw error;
      options.onBranchMoved?.(error, attempt);
    }
  }
}

function isRepoPath(path: string): boolean {
  return path !== "" && !path.startsWith("/") && !path.endsWith("/") && path.split("/").every((p) => p !== "" && p !== "." && p !== "..");
}
