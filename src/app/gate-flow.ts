// The two gates of a pull request, each its own check run on the head commit:
// - kustodian/promotion: the images it sets in an environment with `promotion: { after, soak }`
//   rolled out Healthy in `after` at least `soak` ago and have not failed there since
//   (src/delivery/promotion-gate.ts, over kustodian's own Deployments);
// - kustodian/freeze: none of the environments it changes is frozen (src/delivery/freezes.ts,
//   windows from .github/kustodian.yml and `/freeze` records).
// Each is published only when it applies (a promotion rule, a freeze configured or recorded), so
// a repository that uses neither pays no call. Both return when their answer changes by itself.
import type { AppConfig } from "../config/app-config.ts";
import { describeFreeze, freezesOn, type ActiveFreeze } from "../delivery/freezes.ts";
import {
  decidePromotion,
  describeGate,
  imagesOf,
  promotedImages,
  type GateDecision,
  type UpstreamRollout,
} from "../delivery/promotion-gate.ts";
import { parseEnvironmentFile } from "../environments/parse.ts";
import type { EnvironmentFile } from "../environments/schema.ts";
import { publishCheckRun } from "../github/checks.ts";
import type { RepoRef } from "../github/client.ts";
import { deploymentStatuses } from "../github/deployment-statuses.ts";
import { listDeployments } from "../github/deployments.ts";
import type { IssueRecord } from "../github/issues.ts";
import { readFilesAt } from "../github/read-files.ts";
import { layoutOfFiles } from "../layout/parse-layout.ts";
import { environmentsOf } from "../layout/paths.ts";
import { environmentPathsOf } from "../rollout/payload.ts";
import { kustodianDeployments, type TrackedDeployment } from "../rollout/record-deployments.ts";
import { touchedEnvironments } from "../rollout/merge.ts";
import { plain } from "../commands/markdown.ts";
import { freezesOfIssues, readFreezes } from "./freeze-record.ts";
import type { FlowDeps } from "./pull-request-flow.ts";

export const promotionCheckName = "kustodian/promotion";
export const freezeCheckName = "kustodian/freeze";

/** Upstream Deployments read per environment (newest first) to find an image's record. */
export const upstreamRolloutsRead = 10;

export interface GateSubject {
  repo: RepoRef;
  number: number;
  title: string;
  headRef: string;
  headSha: string;
  /** Files at the head and at the base (environments/ and overlays/ at least). */
  headFiles: ReadonlyMap<string, string>;
  baseFiles: ReadonlyMap<string, string>;
  /** The open `kustodian/freeze` issues, when already read (with a pull request event's context); read here otherwise. */
  freezeIssues?: readonly IssueRecord[];
}

export interface GateOutcome {
  promotion: GateDecision[];
  freezes: { environment: string; freezes: ActiveFreeze[] }[];
  /** When to look again without a new push (a soak completes, a freeze ends or starts); null: only an event changes it. */
  recheckAt: Date | null;
  revert: boolean;
}

export interface GateOptions {
  config: AppConfig;
  now: Date;
  /** Publish kustodian/freeze even when nothing is frozen or configured (after `/unfreeze`: the red check must turn green). */
  forceFreezeCheck?: boolean;
}

/**
 * A revert is never frozen nor gated: kustodian's own revert branches, and GitHub's "Revert"
 * button (`revert-<n>-<branch>`, title `Revert "…"`). Someone with write access could name a
 * branch so; the gates guard against accidents, not against people who may merge anyway.
 */
export function isRevertPullRequest(pr: { headRef: string; title: string }): boolean {
  return pr.headRef.startsWith("kustodian/revert/") || (/^revert-\d+-/.test(pr.headRef) && pr.title.startsWith('Revert "'));
}

export async function evaluateGates(
  deps: FlowDeps & { botLogin: string },
  subject: GateSubject,
  options: GateOptions,
): Promise<GateOutcome> {
  const revert = isRevertPullRequest(subject);
  const changed = touchedEnvironments(subject.baseFiles, subject.headFiles);
  const outcome: GateOutcome = { promotion: [], freezes: [], recheckAt: null, revert };
  if (changed.length === 0) return outcome;
  const at = (t: Date | null) => {
    if (t && (outcome.recheckAt === null || t < outcome.recheckAt)) outcome.recheckAt = t;
  };

  // Promotion.
  const head = parsedEnvironments(subject.headFiles);
  const base = parsedEnvironments(subject.baseFiles);
  const gated = changed.flatMap((env) => {
    const file = head.get(env);
    if (!file?.promotion) return [];
    const images = promotedImages(base.get(env), file);
    return images.length ? [{ env, promotion: file.promotion, images }] : [];
  });
  if (gated.length && !revert) {
    const upstream = new Map<string, UpstreamRollout[]>();
    for (const g of gated) {
      if (!upstream.has(g.promotion.after)) upstream.set(g.promotion.after, await upstreamRollouts(deps, subject.repo, g.promotion.after));
      const decision = decidePromotion({
        environment: g.env,
        after: g.promotion.after,
        soak: g.promotion.soak,
        images: g.images,
        upstream: upstream.get(g.promotion.after)!,
        now: options.now,
      });
      outcome.promotion.push(decision);
      at(decision.recheckAt);
    }
    const ok = outcome.promotion.every((d) => d.ok);
    await publishCheckRun(deps.octokit, {
      repo: subject.repo,
      headSha: subject.headSha,
      name: promotionCheckName,
      conclusion: ok ? "success" : "failure",
      title: ok ? "Promoted with evidence" : promotionTitle(outcome.promotion),
      summary: promotionSummary(outcome.promotion, outcome.recheckAt),
    });
  }

  // Freezes.
  const recorded = subject.freezeIssues
    ? freezesOfIssues(subject.freezeIssues, deps.botLogin)
    : await readFreezes(deps.octokit, subject.repo, deps.botLogin);
  if (options.config.freezes.length > 0 || recorded.length > 0 || options.forceFreezeCheck) {
    for (const env of changed) {
      const decision = freezesOn(env, options.now, options.config.freezes, recorded);
      if (!revert) at(decision.changesAt);
      if (decision.frozen.length) outcome.freezes.push({ environment: env, freezes: decision.frozen });
    }
    const frozen = !revert && outcome.freezes.length > 0;
    await publishCheckRun(deps.octokit, {
      repo: subject.repo,
      headSha: subject.headSha,
      name: freezeCheckName,
      conclusion: frozen ? "failure" : "success",
      title: revert
        ? "A revert is never frozen"
        : frozen
          ? `Frozen: ${outcome.freezes.map((f) => f.environment).join(", ")}`
          : `Not frozen: ${changed.join(", ")}`,
      summary: freezeSummary(outcome.freezes, revert, outcome.recheckAt),
    });
  }
  if (revert) outcome.recheckAt = null;
  return outcome;
}

/** The valid environment files of a tree, by environment key (src/layout). */
function parsedEnvironments(files: ReadonlyMap<string, string>): Map<string, EnvironmentFile> {
  const out = new Map<string, EnvironmentFile>();
  const layout = layoutOfFiles(files);
  if (!layout.ok) return out;
  for (const ref of environmentsOf(layout.layout, files.keys())) {
    const parsed = parseEnvironmentFile(ref.file, files.get(ref.file)!, ref.name);
    if (parsed.ok && !out.has(ref.key)) out.set(ref.key, parsed.env);
  }
  return out;
}

/**
 * kustodian's rollouts in `environment`, each with the images of its environment file at the merge.
 * Calls: 1 GraphQL (Deployments), per Deployment read (at most upstreamRolloutsRead) 1 tree +
 * ≤1 GraphQL for the file (blobs cached), and 1 status list for each Healthy one a later rollout
 * marked inactive.
 */
async function upstreamRollouts(deps: FlowDeps & { botLogin: string }, repo: RepoRef, environment: string): Promise<UpstreamRollout[]> {
  const records = await listDeployments(deps.octokit, { repo, environment, limit: 100, by: deps.botLogin });
  const ours = kustodianDeployments(records, deps.botLogin)
    .filter((d) => d.environment === environment)
    .sort((a, b) => b.id - a.id)
    .slice(0, upstreamRolloutsRead);
  const created = new Map(records.map((r) => [r.id, r]));
  const out: UpstreamRollout[] = [];
  for (const d of ours) {
    const record = created.get(d.id)!;
    const state = stateOf(d);
    if (state === undefined) continue;
    let concludedAt = record.latestStatus?.createdAt;
    if (d.latestStatus?.state === "inactive") {
      // A later rollout superseded it: find when (and whether) it became Healthy.
      const statuses = await deploymentStatuses(deps.octokit, { repo, deploymentId: d.id, by: deps.botLogin });
      const success = statuses.find((s) => s.state === "success");
      if (!success) continue;
      concludedAt = success.createdAt;
    }
    const path = environmentPathsOf(environment, d.payload.paths).file;
    const { files } = await readFilesAt(deps.octokit, repo, d.payload.mergeSha, (p) => p === path);
    const text = files.get(path);
    const parsed = text === undefined ? undefined : parseEnvironmentFile(path, text);
    const images = parsed?.ok ? [...imagesOf(parsed.env).values()] : [];
    out.push({
      deploymentId: d.id,
      mergeSha: d.payload.mergeSha,
      images,
      state,
      startedAt: new Date(record.createdAt),
      ...(state !== "rolling" && concludedAt ? { concludedAt: new Date(concludedAt) } : {}),
    });
  }
  return out;
}

function stateOf(d: TrackedDeployment): UpstreamRollout["state"] | undefined {
  const s = d.latestStatus?.state;
  if (s === "success" || s === "inactive") return "healthy";
  if (s === "failure" || s === "error") return "failed";
  if (s === undefined || s === "in_progress" || s === "pending" || s === "queued") return "rolling";
  return undefined;
}

function promotionTitle(decisions: readonly GateDecision[]): string {
  const first = decisions.flatMap((d) => d.images).find((v) => !v.ok)!;
  return `Not yet: ${first.line}`.slice(0, 200);
}

function promotionSummary(decisions: readonly GateDecision[], recheckAt: Date | null): string {
  return [
    "Images reach an environment with `promotion: { after, soak }` only after they ran Healthy in `after` for `soak` (kustodian's Deployments are the record).",
    "",
    ...decisions.flatMap((d) => describeGate(d).map((l) => `- ${l}`)),
    "",
    recheckAt ? `kustodian looks again at ${recheckAt.toISOString()}, and whenever a rollout upstream concludes.` : "",
  ]
    .join("\n")
    .trimEnd();
}

function freezeSummary(freezes: GateOutcome["freezes"], revert: boolean, recheckAt: Date | null): string {
  if (revert) return "This pull request reverts a rollout: freezes never block a revert.";
  if (freezes.length === 0) return "No environment this pull request changes is frozen.";
  return [
    ...freezes.flatMap((f) => f.freezes.map((z) => `- ${describeFreeze(f.environment, { ...z, reason: plain(z.reason) })}`)),
    "",
    recheckAt ? `kustodian looks again at ${recheckAt.toISOString()}.` : "The check turns green after `/unfreeze` (maintain or admin).",
  ].join("\n");
}
