// The revert of one environment of one merge, on GitHub: ONE commit on the default branch (or a
// revert pull request), never two — whoever asks, however often, after any crash (README.md).
import { readBranchHead } from "../github/branch-head.ts";
import { commitToBranch, commitWithRetry } from "../github/commit.ts";
import { commitsBetween, type CommitSummary } from "../github/commits.ts";
import { createBranch, openPullRequest } from "../github/pull-requests.ts";
import { readFilesAt } from "../github/read-files.ts";
import { buildRevert, revertBranchName, type EnvironmentFileEdit, type RevertPlan } from "../revert/build-revert.ts";
import { isEnvironmentPath, pathsOf, type EnvironmentPaths } from "../revert/environment-files.ts";
import { isRevertOf } from "../revert/trailers.ts";
import { madeByApp } from "../revert/made-by-app.ts";
import { defaultBotLogin } from "../github/bot-login.ts";
import { commitUrl, type RepoClient } from "./repo-client.ts";
import { restoreSourceOf } from "./revert-source.ts";
import type { TextMask } from "./secret-mask.ts";

export interface RevertRequest {
  /** The environment's key (`prod`, `shop/prod`). */
  environment: string;
  /** Where its files are (the Deployment payload's paths); default: the default layout's. */
  paths?: EnvironmentPaths;
  mergeSha: string;
  /**
   * The branch head before the merge as recorded (the app's own Deployment, or merge^1): only a
   * hint. What is restored is decided from git (src/rollout/revert-source.ts): the merge's first
   * parent, or this commit when git confirms it is an ancestor of the merge.
   */
  baseSha?: string;
  pullRequest?: { number: number; title: string };
  /**
   * Issue 13: the environment's last known-good commit and the earlier merges restoring it undoes
   * (src/rollout/known-good-source.ts, from git and the app's own Deployments); absent: the
   * merge's own restore source.
   */
  knownGood?: KnownGoodRestore | Promise<KnownGoodRestore | undefined>;
  /**
   * The claim that must be recorded before the revert is written (the "Reverting" Deployment
   * status a restarted leader reads first): the reads go ahead while it is being written; the
   * commit (or revert branch) waits for it, and is not made when it fails.
   */
  afterClaim?: Promise<unknown>;
  /** One line for the headline: "readiness not reached within the probe window", "requested by @octocat". */
  reason: string;
  /** Evidence lines for the commit body. */
  details: readonly string[];
  /**
   * Masks the reason and the evidence lines (quoted from the cluster) before they go into the
   * commit message (src/rollout/secret-mask.ts); awaited beside the reads. Its `gap`, if any, is
   * one more line of the body.
   */
  mask?: Promise<TextMask>;
  /**
   * Extra edits of the restored environment file (issue 7 records the held image), computed from
   * the files before and at the merge.
   */
  environmentEdits?: (files: {
    before: string | undefined;
    merged: string | undefined;
  }) => readonly EnvironmentFileEdit[] | Promise<readonly EnvironmentFileEdit[]>;
}

export interface KnownGoodRestore {
  restoreTo: string;
  alsoUndoes: readonly { sha: string; pullRequest: number | null }[];
}

export type RevertOutcome =
  | { kind: "committed"; sha: string; url: string; message: string; existing: boolean }
  | { kind: "pull-request"; number: number; url: string; existing: boolean; changedSinceMerge: string[] }
  | { kind: "nothing"; why: "merge-changed-nothing" | "already-restored" };

/** How often the revert is re-read and retried when the branch moves under it. */
const attempts = 5;

/**
 * Looks for kustodian's revert of (merge, environment) among the commits after the merge on the
 * branch (trailers `Reverts:` + `Kustodian-Revert:` on a commit the app made): 1 compare call,
 * none when head is the merge.
 */
export async function findRevertCommit(
  gh: RepoClient,
  input: { mergeSha: string; environment: string; head: string },
): Promise<CommitSummary | undefined> {
  if (input.head === input.mergeSha) return undefined;
  const { commits } = await commitsBetween(gh.octokit, { repo: gh.repo, base: input.mergeSha, head: input.head });
  // Only the app's own commits count: a person's commit with the same trailers is no revert.
  const bot = gh.botLogin ?? defaultBotLogin();
  return commits.find((c) => madeByApp(c, bot) && isRevertOf(c.message, input.mergeSha, input.environment));
}

/**
 * Restores environments/<env>.yaml and overlays/<env>/** to their content before the merge (the
 * commit restoreSourceOf derives from git).
 *
 * Each attempt reads the branch head, looks for an existing revert after the merge (then returns
 * it: `existing`), reads the head's files and builds the revert, and commits it with
 * `expectedHeadOid` = that head. When the branch moved, GitHub refuses the commit and the
 * attempt is made again from the new head, so of two processes reverting at once one commits
 * and the other finds that commit. When the files changed after the merge, the revert goes to a
 * pull request from `kustodian/revert/<env>/<sha>` instead (idempotent too).
 */
export async function revertEnvironment(gh: RepoClient, request: RevertRequest): Promise<RevertOutcome> {
  const { octokit, repo } = gh;
  const where = request.paths ?? pathsOf(request.environment);
  const wanted = (path: string) => isEnvironmentPath(where, path);
  // A commit's files never change: each commit is read once per revert (the head is often the merge).
  const read = new Map<string, ReturnType<typeof readFilesAt>>();
  const filesAt = (sha: string) => {
    const known = read.get(sha) ?? readFilesAt(octokit, repo, sha, wanted);
    read.set(sha, known);
    return known;
  };
  // Everything the first attempt needs that does not depend on what is restored is read at once:
  // the merge's files, the branch head, and (unless the last known-good state says otherwise) the
  // merge's own restore source.
  const merged = filesAt(request.mergeSha);
  const firstHead = readBranchHead(octokit, { repo, branch: gh.defaultBranch });
  const ownSource = restoreSourceOf(gh, { mergeSha: request.mergeSha, ...(request.baseSha ? { recorded: request.baseSha } : {}) });
  // The recorded branch head before the merge is usually the restore source (git decides; a
  // payload is never trusted): its files are read beside, and used only if git agrees.
  const recorded = request.baseSha ? filesAt(request.baseSha) : undefined;
  for (const early of [merged, firstHead, ownSource, recorded]) early?.catch(() => undefined); // awaited below, or not needed
  const knownGood = await request.knownGood;
  const baseSha = knownGood?.restoreTo || (await ownSource);
  const [before, mergedFiles] = await Promise.all([filesAt(baseSha), merged]);
  const envFileIn = (files: ReadonlyMap<string, string>) => [...files].find(([p]) => !p.startsWith(`${where.overlay}/`))?.[1];
  // The extra edits (issue 7's hold) may wait on their own reads: computed beside the first attempt's.
  const edits = Promise.resolve(request.environmentEdits?.({ before: envFileIn(before.files), merged: envFileIn(mergedFiles.files) }));
  edits.catch(() => undefined); // awaited by the first attempt
  request.mask?.catch(() => undefined); // awaited by the first attempt
  const masked = async () => {
    const mask = await request.mask;
    if (!mask) return { reason: request.reason, details: request.details };
    return { reason: mask.apply(request.reason), details: [...request.details.map(mask.apply), ...(mask.gap ? [mask.gap] : [])] };
  };

  // What the last attempt saw (written by `read` below).
  const seen: { plan?: RevertPlan; existing?: CommitSummary; head: string } = { head: "" };
  const plannedFor = async (sha: string) => planFor(sha, (await filesAt(sha)).files);
  const planFor = async (sha: string, head: Map<string, string>) =>
    buildRevert({
      environment: request.environment,
      paths: where,
      before: before.files,
      merged: mergedFiles.files,
      head,
      mergeSha: request.mergeSha,
      ...(request.pullRequest ? { pullRequest: request.pullRequest } : {}),
      ...(knownGood?.alsoUndoes.length ? { alsoUndoes: knownGood.alsoUndoes } : {}),
      ...(await masked()),
      environmentEdits: (await edits) ?? [],
    });

  let attempt = 0;
  const committed = await commitWithRetry({
    attempts,
    read: async () => {
      const head = attempt++ === 0 ? await firstHead : await readBranchHead(octokit, { repo, branch: gh.defaultBranch });
      // The search for an earlier revert and the head's files, side by side (the files are wasted only when a revert is found).
      const headFiles = filesAt(head);
      headFiles.catch(() => undefined);
      const existing = await findRevertCommit(gh, { mergeSha: request.mergeSha, environment: request.environment, head });
      const plan = existing ? undefined : await planFor(head, (await headFiles).files);
      Object.assign(seen, { head, existing, plan });
      if (!plan || plan.kind !== "commit") return null;
      return { headOid: head, changes: plan.changes, headline: plan.headline, body: plan.body };
    },
    commit: async (c) => {
      await request.afterClaim;
      return commitToBranch(octokit, {
        repo,
        branch: gh.defaultBranch,
        expectedHeadOid: c.headOid,
        headline: c.headline,
        body: c.body ?? "",
        changes: c.changes,
      });
    },
  });
  const { plan, existing, head } = seen;
  if (existing)
    return { kind: "committed", sha: existing.sha, url: commitUrl(gh, existing.sha), message: existing.message, existing: true };
  if (!plan) throw new Error("the revert was neither found nor planned");
  if (plan.kind === "nothing") return { kind: "nothing", why: plan.why };
  if (committed)
    return { kind: "committed", sha: committed.oid, url: committed.url, message: `${plan.headline}\n\n${plan.body}`, existing: false };
  return revertPullRequest(gh, request, plan, head, plannedFor);
}

/** The revert as a pull request: branch at the head, the revert commit on it, the pull request; each step finds what an earlier try made. */
async function revertPullRequest(
  gh: RepoClient,
  request: RevertRequest,
  plan: Exclude<RevertPlan, { kind: "nothing" }>,
  head: string,
  plannedFor: (sha: string) => Promise<RevertPlan>,
): Promise<RevertOutcome> {
  const { octokit, repo } = gh;
  const branch = revertBranchName(request.environment, request.mergeSha);
  await request.afterClaim;
  const { created } = await createBranch(octokit, { repo, branch, sha: head });
  if (created) {
    await commitToBranch(octokit, { repo, branch, expectedHeadOid: head, headline: plan.headline, body: plan.body, changes: plan.changes });
  } else {
    // The branch of an earlier try: its revert commit is there, unless that try stopped before making it.
    const branchHead = await readBranchHead(octokit, { repo, branch });
    if (!(await findRevertCommit(gh, { mergeSha: request.mergeSha, environment: request.environment, head: branchHead }))) {
      const again = await plannedFor(branchHead);
      if (again.kind !== "nothing") {
        await commitToBranch(octokit, {
          repo,
          branch,
          expectedHeadOid: branchHead,
          headline: again.headline,
          body: again.body,
          changes: again.changes,
        });
      }
    }
  }
  const body = [
    `kustodian did not commit this revert to \`${gh.defaultBranch}\` directly: ${plan.changedSinceMerge.map((f) => `\`${f}\``).join(", ")} changed there after the merge, and restoring the files undoes that too. Review it, and merge it to revert.`,
    plan.body,
  ].join("\n\n");
  const pr = await openPullRequest(octokit, { repo, head: branch, base: gh.defaultBranch, title: plan.headline, body });
  return { kind: "pull-request", number: pr.number, url: pr.url, existing: !pr.created, changedSinceMerge: plan.changedSinceMerge };
}
