// Carries out decide-actions.ts's actions against GitHub: the sticky comment on the pull request,
// the revert, and the Deployment statuses. The one place that writes a Deployment status.
import { setDeploymentStatus, type DeploymentStatusInput } from "../github/deployments.ts";
import { upsertStickyComment } from "../github/sticky-comment.ts";
import type { Log } from "../log/log.ts";
import type { EnvironmentFileEdit } from "../revert/build-revert.ts";
import type { RolloutAction } from "./decide-actions.ts";
import type { TrackedDeployment } from "./record-deployments.ts";
import { commitUrl, type RepoClient } from "./repo-client.ts";
import { commentMarker, failureComment, failureDescription, healthyComment, healthyDescription, reportedPullRequest } from "./report.ts";
import type { FailureOutcome } from "./report.ts";
import { revertEnvironment, type RevertOutcome } from "./revert-environment.ts";
import { environmentPathsOf } from "./payload.ts";
import { knownGoodOf, type KnownGoodSource } from "./known-good-source.ts";
import { errorFields } from "../log/log.ts";
import { failingWorkloadOf } from "../revert/blame.ts";
import { blameOfFailure } from "./blame-source.ts";
import { attributionText, type Attribution } from "./blame-report.ts";
import { undoneComment } from "./report.ts";
import type { FailureReason } from "../health/index.ts";
import type { RolloutMetrics } from "../metrics/metrics.ts";
import { noMask, type TextMask } from "./secret-mask.ts";

/** What issue 7's hold recording gets to compute its edit of the restored environment file. */
export interface RevertEditContext {
  environment: string;
  mergeSha: string;
  /** Why the revert is made: the failure, or `requested` for /rollback. */
  reason: FailureReason | "requested";
  /** One line: the verdict's summary, or "requested by @user". */
  summary: string;
  /** When the verdict was reached (or the rollback asked for). */
  decidedAt: Date;
  /** The environment file (src/layout: where it is in this repository). */
  file: string;
  /** The environment file before the merge (what is restored) and at the merge (what failed). */
  before: string | undefined;
  merged: string | undefined;
  /**
   * The images to hold: those the merge the failure is attributed to brought into the failing
   * workload's pod template (src/revert/blame.ts); none for a config-only change. Absent when the
   * attribution could not be made: then every image the merge brought into the file.
   */
  hold?: readonly string[];
}

export type RevertEdits = (context: RevertEditContext) => readonly EnvironmentFileEdit[];

/** The hook bound to one revert: what revertEnvironment calls with the file before and at the merge. */
export function editsFor(
  hook: RevertEdits | undefined,
  environment: string,
  mergeSha: string,
  file: string,
  why: { reason: RevertEditContext["reason"]; summary: string; decidedAt: Date; hold?: readonly string[] | undefined },
) {
  if (!hook) return undefined;
  const { hold, ...rest } = why;
  return (files: { before: string | undefined; merged: string | undefined }) =>
    hook({ environment, file, mergeSha, ...rest, ...(hold ? { hold } : {}), ...files });
}

/** Writes one Deployment status (every status kustodian writes goes through here). */
export async function writeStatus(
  gh: RepoClient,
  deploymentId: number,
  status: { state: DeploymentStatusInput["state"]; description: string; logUrl?: string | undefined },
): Promise<void> {
  await setDeploymentStatus(gh.octokit, {
    repo: gh.repo,
    deploymentId,
    state: status.state,
    description: status.description,
    ...(status.logUrl ? { logUrl: status.logUrl } : {}),
  });
}

export interface ExecuteContext {
  gh: RepoClient;
  deployment: TrackedDeployment;
  log: Log;
  revertEdits?: RevertEdits | undefined;
  /** Reverts (and failures not reverted) are counted here. */
  metrics?: Pick<RolloutMetrics, "revert"> | undefined;
  /**
   * The mask of the texts sent to GitHub: the environment rendered at these commits (and the
   * repository's secret words; src/rollout/secret-mask.ts). Default: none (masks nothing).
   */
  masks?: ((shas: readonly string[]) => Promise<TextMask>) | undefined;
}

/**
 * The mask of this Deployment's texts, computed once per executeActions (never kept): the merge
 * and the commit before it, and for a revert also the commit it restores and the merges it undoes.
 */
function maskOnce(context: ExecuteContext): (also?: Promise<readonly string[]>) => Promise<TextMask> {
  const { deployment: d, masks } = context;
  const own = [d.payload.mergeSha, d.payload.baseSha];
  let mask: Promise<TextMask> | undefined;
  const compute = async (make: (shas: readonly string[]) => Promise<TextMask>, also: Promise<readonly string[]> | undefined) => {
    const early = make(own); // the merge and its parent start rendering at once (masks shares the renders)
    if (!also) return early;
    early.catch(() => undefined);
    return make([...own, ...(await also.catch(() => []))]);
  };
  return (also) => (mask ??= masks ? compute(masks, also) : Promise.resolve(noMask));
}

/** The comment's footnote when some values could not be computed. */
const withGap = (body: string, mask: TextMask) => (mask.gap ? `${body}\n<sub>⚠️ ${mask.gap}</sub>\n` : body);

/** Runs the actions in order; a revert's outcome is what the following report-failure reports. */
export async function executeActions(context: ExecuteContext, actions: readonly RolloutAction[]): Promise<void> {
  const { gh, deployment: d, log } = context;
  let reverted: RevertOutcome | undefined;
  let attribution: Attribution | undefined;
  // A claim followed by its revert is written while the revert reads (the revert's commit waits for it).
  let claim: Promise<void> | undefined;
  const maskOf = maskOnce(context);
  for (const [index, action] of actions.entries()) {
    switch (action.kind) {
      case "claim":
        // A fixed phrase (reasonPhrase): nothing from the cluster, so it does not wait for the mask.
        claim = writeStatus(gh, d.id, { state: "in_progress", description: action.description });
        if (actions[index + 1]?.kind === "revert")
          claim.catch(() => undefined); // awaited by the revert
        else await claim;
        break;
      case "revert": {
        // Issue 13: back to the environment's last state verified Healthy, undoing every merge
        // since. The last known-good state and the failure's attribution (which images to hold)
        // are read beside the revert's own first reads; the revert's edit waits for them.
        const known = knownGoodOf(gh, { environment: d.environment, mergeSha: d.payload.mergeSha });
        const undoneBefore = (k: KnownGoodSource) => k.undoes.slice(0, -1);
        const knownGood = known.then((k) => {
          const also = undoneBefore(k);
          return also.length
            ? { restoreTo: k.restoreTo, alsoUndoes: also.map((m) => ({ sha: m.sha, pullRequest: m.pullRequest })) }
            : undefined;
        });
        const attributed = known.then((k) => attribute(context, k, action));
        // What the revert restores and undoes, besides the merge and its parent (the renders the attribution makes too).
        const mask = maskOf(known.then((k) => [k.restoreTo, ...k.undoes.flatMap((m) => [m.sha, m.parent])]));
        for (const early of [knownGood, attributed]) early.catch(() => undefined); // awaited by the revert
        const file = environmentPathsOf(d.environment, d.payload.paths).file;
        reverted = await revertEnvironment(gh, {
          knownGood,
          ...(claim ? { afterClaim: claim } : {}),
          environment: d.environment,
          mergeSha: d.payload.mergeSha,
          baseSha: d.payload.baseSha,
          ...(action.pullRequest ? { pullRequest: action.pullRequest } : {}),
          reason: action.reason,
          details: action.details,
          mask,
          paths: environmentPathsOf(d.environment, d.payload.paths),
          environmentEdits: async (files) => {
            attribution = await attributed;
            const edits = editsFor(context.revertEdits, d.environment, d.payload.mergeSha, file, {
              ...action.edit,
              hold: attribution?.blame.images,
            });
            return edits?.(files) ?? [];
          },
        });
        if (claim) await claim;
        log.info({ deployment: d.id, environment: d.environment, outcome: reverted.kind }, "rollout failed: reverted");
        context.metrics?.revert(reverted.kind);
        const k = await known;
        if (undoneBefore(k).length) await tellUndone(context, k, reverted, action.reason, attribution, await mask);
        break;
      }
      case "report-healthy": {
        const mask = await maskOf();
        const logUrl = await comment(
          gh,
          d,
          mask,
          healthyComment({
            environment: d.environment,
            payload: d.payload,
            detail: action.detail,
            tookMs: action.tookMs,
            mergeUrl: commitUrl(gh, d.payload.mergeSha),
          }),
        );
        await writeStatus(gh, d.id, { state: "success", description: mask.apply(healthyDescription(action.tookMs)), logUrl });
        break;
      }
      case "report-failure": {
        const outcome: FailureOutcome | undefined = action.outcome ?? reverted;
        if (!outcome) throw new Error("report-failure without an outcome");
        if (outcome.kind === "not-reverted") {
          log.info({ deployment: d.id, environment: d.environment, why: outcome.why }, "rollout failed: not reverted");
          context.metrics?.revert(`not-reverted:${outcome.why}`);
        }
        const body = failureComment({
          environment: d.environment,
          payload: d.payload,
          what: action.what,
          summary: action.summary,
          evidence: action.evidence,
          tookMs: action.tookMs,
          outcome,
          holdLabel: action.holdLabel,
          defaultBranch: gh.defaultBranch,
          mergeUrl: commitUrl(gh, d.payload.mergeSha),
          ...(attribution ? { attribution: attributionText(attribution, attribution.blame.sha === d.payload.mergeSha) } : {}),
        });
        const mask = await maskOf();
        const commentUrl = await comment(gh, d, mask, body);
        const outcomeUrl = outcome.kind === "committed" || outcome.kind === "pull-request" ? outcome.url : undefined;
        await writeStatus(gh, d.id, {
          state: "failure",
          description: mask.apply(failureDescription(action.what, outcome)),
          logUrl: commentUrl ?? outcomeUrl,
        });
        break;
      }
      case "conclude":
        await writeStatus(gh, d.id, { state: action.state, description: (await maskOf()).apply(action.description) });
        break;
    }
  }
}

/** The sticky comment of this environment on the pull request (one per environment, edited in place); its URL. */
async function comment(gh: RepoClient, d: TrackedDeployment, mask: TextMask, body: string): Promise<string | undefined> {
  const number = reportedPullRequest(d.payload);
  if (number === null) return undefined;
  const result = await upsertStickyComment(gh.octokit, {
    repo: gh.repo,
    issueNumber: number,
    marker: commentMarker(d.environment, d.payload),
    body: withGap(mask.apply(body), mask),
  });
  return result.url;
}

/**
 * Issue 13: the merge the failure is attributed to among the merges the revert undoes, by the
 * failing Deployment's rendered pod template (src/revert/blame.ts, renders: blame-source.ts).
 * Undefined when it cannot be made (a render or read failed): logged, and the revert goes on.
 */
async function attribute(
  context: ExecuteContext,
  known: KnownGoodSource,
  action: Extract<RolloutAction, { kind: "revert" }>,
): Promise<Attribution | undefined> {
  const { gh, deployment: d, log } = context;
  const failing = failingWorkloadOf(action.evidence ?? [], d.payload.workloads);
  if (!failing.workload) return undefined;
  // The failed merge's parent as recorded when the walk did not read it (one merge undone).
  const undoes = known.undoes.map((m) => ({ sha: m.sha, parent: m.parent || (m.sha === d.payload.mergeSha ? d.payload.baseSha : "") }));
  try {
    const blame = await blameOfFailure(gh, {
      environment: d.environment,
      undoes,
      failing: { workload: failing.workload, container: failing.container, reason: action.edit.reason },
    });
    const pr = blame.sha === d.payload.mergeSha ? d.payload.pr : (known.undoes.find((m) => m.sha === blame.sha)?.pullRequest ?? null);
    log.info(
      {
        deployment: d.id,
        environment: d.environment,
        blamed: blame.sha,
        workload: failing.workload,
        fields: blame.fields,
        hold: blame.images,
      },
      "rollout failure attributed",
    );
    return { blame, environment: d.environment, workload: failing.workload, blamedPullRequest: pr };
  } catch (error) {
    log.warn({ err: errorFields(error), deployment: d.id, environment: d.environment }, "rollout failure not attributed");
    return undefined;
  }
}

/**
 * Issue 13: a comment on each earlier merge a last known-good revert undid (the failed merge's own
 * comment is the report-failure's), saying whether the failure is attributed to it.
 */
async function tellUndone(
  context: ExecuteContext,
  known: KnownGoodSource,
  outcome: RevertOutcome,
  what: string,
  attribution: Attribution | undefined,
  mask: TextMask,
): Promise<void> {
  const { gh, deployment: d } = context;
  for (const m of known.undoes.slice(0, -1)) {
    const undone = known.deployments.get(m.sha);
    if (!undone || undone.payload.pr === null) continue;
    const blamed = attribution !== undefined && attribution.blame.basis !== "newest" && attribution.blame.sha === m.sha;
    const body = undoneComment({
      environment: d.environment,
      failedPullRequest: d.payload.pr,
      failedSha: d.payload.mergeSha,
      outcome,
      what,
      blamed,
      ...(attribution ? { attribution: attributionText(attribution, blamed) } : {}),
      defaultBranch: gh.defaultBranch,
    });
    await upsertStickyComment(gh.octokit, {
      repo: gh.repo,
      issueNumber: undone.payload.pr,
      marker: commentMarker(d.environment, undone.payload),
      body: withGap(mask.apply(body), mask),
    });
  }
}
