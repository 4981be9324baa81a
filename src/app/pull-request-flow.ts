import type { Log } from "../log/log.ts";
import type { GitHubClient, RepoRef } from "../github/client.ts";
import { commitWithRetry, commitToBranch } from "../github/commit.ts";
import { publishCheckRun } from "../github/checks.ts";
import { readPullRequestContext, type PullRequestContext, type PullRequestContextRequest } from "../github/pull-request-context.ts";
import { readGitOpsFilesAt, readGitOpsFilesAtCommits } from "../github/read-files.ts";
import { partHeaderReserve, upsertStickyComments } from "../github/sticky-comments.ts";
import { commentBodyLimit } from "../github/truncate.ts";
import type { FileChange } from "../layout/file-change.ts";
import { buildPlan } from "../plan/compute-plan.ts";
import { maskedText, redact, sensitiveValues } from "../plan/secret-values.ts";
import { unifiedDiff } from "../plan/line-diff.ts";
import { planMarkdown } from "../plan/markdown.ts";
import type { Plan } from "../plan/plan-types.ts";
import type { RenderedSnapshot } from "../plan/rendered-snapshot.ts";
import { splitMarkdown } from "../plan/split-markdown.ts";
import { renderSnapshot } from "../repo/render-snapshot.ts";
import { notRendered, unchangedEnvironments } from "../repo/unchanged-environments.ts";
import { mayWriteToHead, type WriteDecision } from "../commands/write-boundary.ts";
import { configFileName } from "../config/app-config.ts";
import { layoutFiles } from "../layout/layout.ts";
import { bounded, fenced } from "../text/markdown.ts";
import { regenerationCommitMessage } from "./commit-message.ts";
import { regeneratedMarker, staleFilesToShow } from "./regenerated-marker.ts";
import { decideHeadWrite } from "./head-write.ts";
import type { GateOutcome, GateSubject } from "./gate-flow.ts";
import { freezeLabel } from "./freeze-record.ts";

export const planMarker = "plan";
export const checkName = "kustodian/plan";

export interface PullRequestRef extends RepoRef {
  number: number;
  headSha: string;
  headRef: string;
  baseSha: string;
  baseRef: string;
  /** The head branch lives in another repository: kustodian never pushes there. */
  fork: boolean;
  state: "open" | "closed";
  /** The repository's default branch: never written to from a pull request (src/commands/write-boundary.ts). */
  defaultBranch: string;
  /** The title (a revert's title keeps it out of freezes, src/app/gate-flow.ts). */
  title?: string;
}

export interface FlowDeps {
  /** The promotion and freeze gates, run after the plan (src/app/gate-service.ts); none when absent. */
  gates?: (subject: GateSubject) => Promise<GateOutcome>;
  octokit: GitHubClient;
  log: Log;
  /** The app's bot login (`kustodian[bot]`): only its comments are edited. */
  botLogin?: string;
  /** Words that make a key name a secret's (defaults plus `.github/kustodian.yml` `secrets.keyWords`). */
  secretWords?: readonly string[];
}

export interface SyncOutcome {
  /** The commit kustodian pushed, if it pushed one. */
  commit?: { oid: string; url: string };
  headSha: string;
  plan: Plan;
  commentUrl: string;
  /** What was read at the head and the base (the gates decide on the same files, src/app/gate-flow.ts). */
  files: { head: ReadonlyMap<string, string>; base: ReadonlyMap<string, string> };
  /** The gates' decisions, when deps.gates ran. */
  gates?: GateOutcome;
}

/** Reads a pull request's current head (after a race, the branch moved). */
export type ReadHead = () => Promise<{ headSha: string }>;

/**
 * What a pull request event reads in its one context request (src/github/pull-request-context.ts):
 * the app's configuration, the comments, the head branch's protection (only when nothing else
 * already forbids writing to it), the freeze records, and the layout file at the base and the head.
 */
export function pullRequestContextRequest(pr: PullRequestRef): PullRequestContextRequest {
  return {
    repo: repoOf(pr),
    number: pr.number,
    configPath: `.github/${configFileName}`,
    ...(mayWriteToHead(pr, undefined).write ? { headRef: pr.headRef } : {}),
    issueLabel: freezeLabel,
    prefetch: { commits: [pr.baseSha, pr.headSha], paths: layoutFiles },
  };
}

/**
 * The pull request lifecycle step: regenerate overlays, push one commit if they changed,
 * then post the plan (one sticky comment) and the kustodian/plan check run.
 *
 * Reads (README "Call budget"): the context (given, or read here: 1 GraphQL), the base's and the
 * head's trees (2), and per round of files one GraphQL request for both commits' blobs not cached.
 */
export async function syncPullRequest(
  deps: FlowDeps,
  pr: PullRequestRef,
  readHead: ReadHead,
  extraProblems: string[] = [],
  context?: PullRequestContext,
): Promise<SyncOutcome> {
  const known = context ?? (await readPullRequestContext(deps.octokit, pullRequestContextRequest(pr)));
  let headSha = pr.headSha;
  // The base too: image and replica edits made in generated overlays since then are lifted.
  const [baseRead, headRead] = await readGitOpsFilesAtCommits(deps.octokit, repoOf(pr), [pr.baseSha, headSha]);
  const baseFiles = baseRead!.files;
  // The plan's "before" is what is deployed: the base's overlays as committed, not a regeneration.
  // Rendered beside the head (the render sandbox caps the kustomize processes), for the
  // environments the head's files leave unchanged; rendered again below only when the head turns
  // out to skip other ones (a stale overlay, or the head moved under a refused commit).
  const unchangedAtRead = unchangedEnvironments(baseFiles, headRead!.files);
  const baseBeside = renderSnapshot(baseFiles, { asCommitted: true, unchanged: unchangedAtRead });
  baseBeside.catch(() => {}); // awaited below; a head failure first must not leave it unhandled
  let head = await renderRead(headRead!.files, baseFiles);
  let commit: SyncOutcome["commit"];
  // Only when there is something to commit; the protection came with the context.
  const decision: WriteDecision | undefined =
    head.snapshot.changes.length > 0 ? await decideHeadWrite(deps.octokit, pr, known.headProtected) : undefined;

  if (head.snapshot.changes.length > 0 && decision?.write) {
    let firstRead = true;
    const pushed = await commitWithRetry({
      read: async () => {
        // After a refused commit the branch moved: read its new head and compute again.
        if (!firstRead) {
          headSha = (await readHead()).headSha;
          head = await renderAt(deps, pr, headSha, baseFiles);
        }
        firstRead = false;
        if (head.snapshot.changes.length === 0) return null;
        const message = regenerationCommitMessage(head.snapshot.changes, head.files, head.snapshot.lifted);
        // A lifted config value can hold a secret one (a DSN): masked in the commit message too.
        const secrets = snapshotSecrets(head.snapshot, deps.secretWords);
        return {
          headOid: headSha,
          changes: head.snapshot.changes,
          headline: redact(message.headline, secrets),
          body: redact(message.body, secrets),
        };
      },
      commit: (c) =>
        commitToBranch(deps.octokit, {
          repo: repoOf(pr),
          branch: pr.headRef,
          expectedHeadOid: c.headOid,
          headline: c.headline,
          body: c.body ?? "",
          changes: c.changes,
        }),
    });
    if (pushed) {
      commit = pushed;
      deps.log.info({ pr: pr.number, commit: pushed.oid }, "pushed regenerated overlays");
      headSha = pushed.oid;
    }
  }

  const skipped = notRendered(head.snapshot);
  const first = await baseBeside;
  const base = sameNames(notRendered(first), skipped) ? first : await renderSnapshot(baseFiles, { asCommitted: true, unchanged: skipped });
  const plan = buildPlan(base, head.snapshot, { base: pr.baseRef, head: pr.headRef }, { secretWords: deps.secretWords });

  const unpushed = decision && !decision.write ? head.snapshot.changes : [];
  // The last pass over the comment and the check run: a secret value anywhere in them (a finding, a
  // problem, kustomize's stderr, a value embedded in a longer one) is masked.
  const secrets = sensitiveValues([...snapshotObjects(base), ...snapshotObjects(head.snapshot)], deps.secretWords);
  const regeneratedNow = commit ? plan.environments.filter((e) => e.staleOverlay).map((e) => e.file) : [];
  let body = "";
  let parts: string[] = [];
  const posted = await upsertStickyComments(deps.octokit, {
    repo: repoOf(pr),
    issueNumber: pr.number,
    marker: planMarker,
    // Computed from the comment as it stands: a re-run at the head kustodian pushed keeps saying
    // which overlays that push regenerated (src/app/regenerated-marker.ts).
    bodies: (previous) => {
      const stale = staleFilesToShow({ pushed: commit?.oid, regeneratedNow, headSha, previous });
      const shown = stale
        ? { ...plan, environments: plan.environments.map((e) => (stale.files.includes(e.file) ? { ...e, staleOverlay: true } : e)) }
        : plan;
      // The whole plan, never truncated: over one comment's limit it is posted as several comments.
      body = [
        stale ? regeneratedMarker(stale) : "",
        planMarkdown(shown, { command: `npx kustodian plan --base origin/${pr.baseRef}`, limit: Number.POSITIVE_INFINITY }),
        decision && !decision.write
          ? staleSection(unpushed, decision.why, snapshotSecrets(head.snapshot, deps.secretWords), deps.secretWords)
          : "",
        configSection(extraProblems),
      ]
        .filter(Boolean)
        .join("\n");
      body = redact(body, secrets);
      parts = splitMarkdown(body, { limit: commentBodyLimit - partHeaderReserve });
      return parts;
    },
    ...(deps.botLogin ? { author: deps.botLogin } : {}),
    existing: known.comments,
  });
  const comment = posted.comments[0]!;

  const failing = plan.blocking || unpushed.length > 0 || extraProblems.length > 0;
  await publishCheckRun(deps.octokit, {
    repo: repoOf(pr),
    headSha,
    name: checkName,
    conclusion: failing ? "failure" : "success",
    title: redact(checkTitle(plan, unpushed, extraProblems), secrets),
    summary: parts.length > 1 ? `${partLinks(posted.comments)}\n\n${parts[0]}` : body,
  });
  const gates = deps.gates
    ? await deps.gates({
        repo: repoOf(pr),
        number: pr.number,
        title: pr.title ?? "",
        headRef: pr.headRef,
        headSha,
        headFiles: head.files,
        baseFiles,
        freezeIssues: known.issues,
      })
    : undefined;
  return {
    ...(commit ? { commit } : {}),
    headSha,
    plan,
    commentUrl: comment.url,
    files: { head: head.files, base: baseFiles },
    ...(gates ? { gates } : {}),
  };
}

async function renderAt(
  deps: FlowDeps,
  pr: PullRequestRef,
  sha: string,
  baseFiles: ReadonlyMap<string, string>,
): Promise<{ files: ReadonlyMap<string, string>; snapshot: RenderedSnapshot }> {
  const { files } = await readGitOpsFilesAt(deps.octokit, repoOf(pr), sha);
  return renderRead(files, baseFiles);
}

async function renderRead(
  files: ReadonlyMap<string, string>,
  baseFiles: ReadonlyMap<string, string>,
): Promise<{ files: ReadonlyMap<string, string>; snapshot: RenderedSnapshot }> {
  return { files, snapshot: await renderSnapshot(files, { before: baseFiles, unchanged: unchangedEnvironments(baseFiles, files) }) };
}

function sameNames(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((name) => b.has(name));
}

/** Where each part of a plan too long for one comment is. */
function partLinks(comments: readonly { url: string }[]): string {
  return `The plan is in ${comments.length} comments: ${comments.map((c, i) => `[part ${i + 1}](${c.url})`).join(", ")}.`;
}

function repoOf(pr: PullRequestRef): RepoRef {
  return { owner: pr.owner, repo: pr.repo };
}

function checkTitle(plan: Plan, unpushed: readonly FileChange[], extraProblems: readonly string[]): string {
  if (extraProblems.length) return "Invalid .github/kustodian.yml";
  const invalid = plan.environments.filter((e) => e.status === "invalid" || e.status === "render-failed");
  if (invalid.length) return `Invalid environment: ${invalid.map((e) => e.name).join(", ")}`;
  if (unpushed.length) return "Overlays are stale: run npx kustodian render";
  const blocking = plan.environments.flatMap((e) => e.findings).filter((f) => f.severity === "blocking").length;
  if (blocking) return `${blocking} blocking finding(s)`;
  if (plan.environments.length === 0) return "No rollout changes";
  return `Rollout plan for ${plan.environments.map((e) => e.name).join(", ")}`;
}

/** A branch kustodian may not push to (fork, default branch, protected): say why, exactly what to run and what it would change. */
function staleSection(changes: readonly FileChange[], why: string, hidden: ReadonlySet<string>, words?: readonly string[]): string {
  if (changes.length === 0) return "";
  const lines = (text: string | undefined) => (text ? text.replace(/\n$/, "").split("\n") : []);
  const diff = changes
    .map((c) =>
      unifiedDiff(lines(c.before), lines(c.after), {
        fromFile: c.before === undefined ? "/dev/null" : `a/${c.path}`,
        toFile: c.after === undefined ? "/dev/null" : `b/${c.path}`,
      }),
    )
    .join("");
  return [
    "### ❌ Generated overlays are out of date",
    "",
    `${why} Run this in your clone and push the result:`,
    "",
    "```sh",
    "npx kustodian render",
    "```",
    "",
    "<details><summary>What it would change</summary>",
    "",
    // The overlays carry config values (generator literals): secret ones masked.
    fenced(maskedText(diff.trimEnd(), hidden, words), "diff"),
    "",
    "</details>",
    "",
  ].join("\n");
}

function configSection(problems: readonly string[]): string {
  if (problems.length === 0) return "";
  return [
    "### ❌ Invalid kustodian configuration",
    "",
    "kustodian used its defaults for this run.",
    "",
    fenced(bounded(problems.join("\n")), "text"),
    "",
  ].join("\n");
}

/** Every secret value in a rendered snapshot's objects. */
function snapshotSecrets(snapshot: RenderedSnapshot, words?: readonly string[]): Set<string> {
  return sensitiveValues(snapshotObjects(snapshot), words);
}

function snapshotObjects(snapshot: RenderedSnapshot) {
  return [...snapshot.environments.values()].flatMap((e) => e.objects ?? []);
}
