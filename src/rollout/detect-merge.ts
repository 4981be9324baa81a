// The GitHub reads behind "what did this merge roll out": the commit before it, the two trees,
// the merged pull request; then the pure decisions of merge.ts on the rendered trees.
import { defaultBotLogin } from "../github/bot-login.ts";
import { readCommit, readCommitWithAuthors } from "../github/commits.ts";
import { pullRequestsOfCommit, type PullRequestSummary } from "../github/pull-requests.ts";
import { readGitOpsFilesAt } from "../github/read-files.ts";
import { renderSnapshot } from "../repo/render-snapshot.ts";
import { layoutOfFiles } from "../layout/parse-layout.ts";
import { environmentsOf } from "../layout/paths.ts";
import { parseRevertTrailers, type RevertTrailers } from "../revert/trailers.ts";
import {
  mergedPullRequest,
  revertOfMerge,
  rolloutsOfMerge,
  touchedEnvironments,
  environmentPathsIn,
  type EnvironmentFilesPaths,
  type EnvironmentRollout,
  type MergeCommit,
} from "./merge.ts";
import type { RepoClient } from "./repo-client.ts";
import { keepPushRenders } from "./blame-source.ts";

export interface DetectedMerge {
  mergeSha: string;
  baseSha: string;
  mergedAt: Date;
  /** The pull request title, else the commit's first line. */
  title: string;
  pullRequest?: PullRequestSummary;
  /** The merge is a kustodian revert: watched and reported, never reverted. */
  revertOf?: RevertTrailers;
  rollouts: EnvironmentRollout[];
  /** Where each rolled-out environment's files are (src/layout), by key. */
  paths: Map<string, EnvironmentFilesPaths>;
  skipped: { environment: string; why: string }[];
}

export type Detection = { kind: "merge"; merge: DetectedMerge } | { kind: "ignored"; why: string };

export interface DetectOptions {
  /** The merged pull request when the caller knows it (`/rollback`): no lookup. */
  pullRequest?: PullRequestSummary;
  /** Only these environments (the restart scan asks for the ones without a Deployment). */
  only?: ReadonlySet<string>;
}

/**
 * What a commit on the default branch rolls out. Calls: 1 (merge^1, only when the push did not
 * say), 2 tree reads + ≤2 GraphQL blob reads, and — only when environments changed — 1 for the
 * merged pull request. Renders both trees with kustomize.
 *
 * Ignored: commits that change no environment, and commits that merge no pull request unless
 * they are kustodian's own reverts (a push straight to the branch is not a merge kustodian
 * watches; branch protection normally forbids it).
 */
export async function detectMerge(gh: RepoClient, commit: MergeCommit, options: DetectOptions = {}): Promise<Detection> {
  const { octokit, repo } = gh;
  const baseSha = commit.baseSha ?? (await readCommit(octokit, { repo, sha: commit.mergeSha })).parents[0];
  if (!baseSha) return { kind: "ignored", why: "the first commit of the branch" };
  const [before, after] = await Promise.all([readGitOpsFilesAt(octokit, repo, baseSha), readGitOpsFilesAt(octokit, repo, commit.mergeSha)]);
  const layout = layoutOfFiles(after.files);
  if (!layout.ok) return { kind: "ignored", why: `invalid layout file ${layout.file}` };
  // What was read besides environments and bases (content their kustomizations refer to) is shared by all.
  const shared = (path: string) => after.files.has(path) || before.files.has(path);
  const environments = touchedEnvironments(before.blobs, after.blobs, layout.layout, shared).filter(
    (env) => !options.only || options.only.has(env),
  );
  if (environments.length === 0) return { kind: "ignored", why: "no environment changed" };

  const pullRequest =
    options.pullRequest ??
    mergedPullRequest(await pullRequestsOfCommit(octokit, { repo, sha: commit.mergeSha }), commit.mergeSha, gh.defaultBranch);
  // Who made the commit matters only when it carries trailers: read then (1 call), never otherwise.
  const authorship = parseRevertTrailers(commit.message)
    ? await readCommitWithAuthors(octokit, { repo, sha: commit.mergeSha })
    : { author: null, committer: null, verified: false };
  const revertOf = revertOfMerge({ message: commit.message, ...authorship }, pullRequest, gh.botLogin ?? defaultBotLogin());
  if (!pullRequest && !revertOf) return { kind: "ignored", why: "not the merge of a pull request" };

  // Only the touched environments are built (and their bases): the others cannot roll out.
  const touched = new Set(environments);
  const unchanged = new Set(
    environmentsOf(layout.layout, [...before.blobs.keys(), ...after.blobs.keys()])
      .map((e) => e.key)
      .filter((key) => !touched.has(key)),
  );
  const [beforeSnapshot, afterSnapshot] = await Promise.all([
    renderSnapshot(before.files, { unchanged }),
    renderSnapshot(after.files, { unchanged }),
  ]);
  // Kept for a failed verdict's attribution (blame-source.ts): no read or render then.
  keepPushRenders(gh, baseSha, beforeSnapshot, environments);
  keepPushRenders(gh, commit.mergeSha, afterSnapshot, environments);
  const { rollouts, skipped } = rolloutsOfMerge(beforeSnapshot, afterSnapshot, environments, commit);
  return {
    kind: "merge",
    merge: {
      mergeSha: commit.mergeSha,
      baseSha,
      mergedAt: commit.mergedAt,
      title: pullRequest?.title ?? commit.message.split("\n", 1)[0]!,
      ...(pullRequest ? { pullRequest } : {}),
      ...(revertOf ? { revertOf } : {}),
      rollouts,
      paths: environmentPathsIn(afterSnapshot),
      skipped,
    },
  };
}
