// The revert of one environment of one merge, as data (pure): which files to write back, whether
// that can be a commit on the default branch or must be a pull request, and the message.
import type { FileChange } from "../layout/file-change.ts";
import { environmentFiles, pathsOf, type EnvironmentPaths } from "./environment-files.ts";
import { formatRevertTrailers } from "./trailers.ts";

/**
 * An extra edit of the restored environment file, made in the same commit (issue 7 records the
 * held image this way). `apply` is pure: the restored text in, the edited text out; edit through
 * yaml's Document so people's comments survive. It must not change what the overlay renders:
 * the overlay is restored byte for byte and not regenerated.
 */
export interface EnvironmentFileEdit {
  /** What the edit does, for the commit message: "hold wordpress:6.7.1-apache (ReadinessTimeout)". */
  summary: string;
  apply(text: string): string;
}

export interface RevertInput {
  /** The environment's key (`prod`, `shop/prod`): it names the revert in messages and trailers. */
  environment: string;
  /** Where its files are (src/layout); default: the default layout's paths of `environment`. */
  paths?: EnvironmentPaths;
  /** Files at the commit before the merge (merge^1, or the push's `before`): path -> text. Other environments' files are ignored. */
  before: ReadonlyMap<string, string>;
  /** Files at the merge commit. */
  merged: ReadonlyMap<string, string>;
  /** Files at the branch head now. */
  head: ReadonlyMap<string, string>;
  /** Full SHA of the merge commit. */
  mergeSha: string;
  /** The merged pull request, when there was one (its title names the revert). */
  pullRequest?: { number: number; title: string };
  /** One line: "readiness probes failed for 16 s", "requested by @octocat". */
  reason: string;
  /** Lines for the message body: the evidence (pod, container, reason, message). */
  details?: readonly string[];
  /**
   * Earlier merges this revert undoes too, oldest first (issue 13: `before` is then the last
   * state verified Healthy, not the merge's parent); each gets its own trailers.
   */
  alsoUndoes?: readonly { sha: string; pullRequest: number | null }[];
  /** Applied, in order, on top of the restored environment file. */
  environmentEdits?: readonly EnvironmentFileEdit[];
}

export type RevertPlan =
  | {
      /** `commit`: straight onto the branch. `pull-request`: the environment's files changed since the merge, so a person decides. */
      kind: "commit" | "pull-request";
      changes: FileChange[];
      headline: string;
      body: string;
      /** Files of the environment that differ between the merge and the head (empty for `commit`). */
      changedSinceMerge: string[];
      /** Summaries of the edits applied (none when the revert deletes the environment file). */
      editsApplied: string[];
    }
  | {
      kind: "nothing";
      /** `merge-changed-nothing`: the merge did not touch the environment. `already-restored`: the head has the pre-merge files. */
      why: "merge-changed-nothing" | "already-restored";
    };

/**
 * What restores environments/<env>.yaml and overlays/<env>/** to their content before the merge:
 * each file is written back byte for byte, a file the merge added is deleted, a file it deleted is
 * recreated. When any of those files changed on the branch after the merge (head differs from the
 * merge), the revert would also undo that later change, so it becomes a pull request.
 */
export function buildRevert(input: RevertInput): RevertPlan {
  const where = input.paths ?? pathsOf(input.environment);
  const before = environmentFiles(where, input.before);
  const merged = environmentFiles(where, input.merged);
  const head = environmentFiles(where, input.head);
  const paths = (...sets: ReadonlyMap<string, string>[]) => [...new Set(sets.flatMap((s) => [...s.keys()]))].sort();

  if (paths(before, merged).every((p) => before.get(p) === merged.get(p))) return { kind: "nothing", why: "merge-changed-nothing" };
  if (paths(before, head).every((p) => before.get(p) === head.get(p))) return { kind: "nothing", why: "already-restored" };

  const wanted = new Map(before);
  // The one file of the environment outside its overlay: its environment file, `.yaml` or `.yml`.
  const envFile = [...wanted.keys()].find((p) => !p.startsWith(`${where.overlay}/`)) ?? where.file;
  const editsApplied: string[] = [];
  const restoredEnv = wanted.get(envFile);
  if (restoredEnv !== undefined && input.environmentEdits?.length) {
    let text = restoredEnv;
    for (const edit of input.environmentEdits) {
      text = edit.apply(text);
      editsApplied.push(edit.summary);
    }
    wanted.set(envFile, text);
  }

  const changes: FileChange[] = [];
  for (const path of paths(wanted, head)) {
    const after = wanted.get(path);
    if (after === head.get(path)) continue;
    changes.push(after === undefined ? { path } : { path, after });
  }
  const changedSinceMerge = paths(merged, head).filter((p) => merged.get(p) !== head.get(p));
  const kind = changedSinceMerge.length > 0 ? "pull-request" : "commit";
  return { kind, changes, ...revertMessage(input, kind, changedSinceMerge, editsApplied), changedSinceMerge, editsApplied };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Whether `title` has `env` as a word of its own (not inside "production" or "prod-eu"). */
function namesEnvironment(title: string, env: string): boolean {
  const escaped = env.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(^|[^\\w-])${escaped}($|[^\\w-])`, "i").test(title);
}

function revertMessage(
  input: RevertInput,
  kind: "commit" | "pull-request",
  changedSinceMerge: readonly string[],
  edits: readonly string[],
): { headline: string; body: string } {
  const env = input.environment;
  const what = input.pullRequest ? oneLine(input.pullRequest.title) : `commit ${input.mergeSha.slice(0, 7)}`;
  // "in <env>" once: a title that already names the environment ("Bump wordpress in prod to 6.7.1") says it.
  const headline = `Revert ${what}${namesEnvironment(what, env) ? "" : ` in ${env}`}: ${oneLine(input.reason)}`;
  const source = input.pullRequest ? `${input.mergeSha} (#${input.pullRequest.number})` : input.mergeSha;
  const where = input.paths ?? pathsOf(env);
  const also = input.alsoUndoes ?? [];
  const paragraphs = also.length
    ? [
        [
          `Restores ${where.file} and ${where.overlay}/ to their last state verified Healthy, undoing every merge since:`,
          ...[...also, { sha: input.mergeSha, pullRequest: input.pullRequest?.number ?? null }].map(
            (m) => `- ${m.sha}${m.pullRequest === null ? "" : ` (#${m.pullRequest})`}`,
          ),
        ].join("\n"),
      ]
    : [`Restores ${where.file} and ${where.overlay}/ to their content before ${source}.`];
  if (input.details?.length) paragraphs.push(input.details.map((d) => `- ${oneLine(d)}`).join("\n"));
  if (edits.length) paragraphs.push(["Also in this commit:", ...edits.map((e) => `- ${oneLine(e)}`)].join("\n"));
  if (kind === "pull-request") {
    paragraphs.push(
      [
        "These files changed on the branch after the merge, and restoring them undoes that later change too:",
        ...changedSinceMerge.map((p) => `- ${p}`),
      ].join("\n"),
    );
  }
  paragraphs.push(
    formatRevertTrailers({
      reverts: input.mergeSha,
      environment: env,
      ...(input.pullRequest ? { pullRequest: input.pullRequest.number } : {}),
      ...(also.length ? { alsoReverts: also } : {}),
    }),
  );
  return { headline, body: paragraphs.join("\n\n") };
}

/** The branch of a revert pull request: one per (environment, merge), so a retry finds it. */
export function revertBranchName(environment: string, mergeSha: string): string {
  return `kustodian/revert/${environment}/${mergeSha.slice(0, 12)}`;
}
