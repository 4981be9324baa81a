// `/freeze` and `/unfreeze`, recorded durably and visibly as GitHub issues: an open issue labelled
// `kustodian/freeze`, opened by the app itself, is a freeze in force; closing it (or `/unfreeze`)
// lifts it. The issue list shows who froze what and why, survives restarts and keeps the history
// (closed issues). Only the app's own issues count: anyone who can label an issue cannot freeze.
import type { RecordedFreeze } from "../delivery/freezes.ts";
import type { RepoRef, GitHubClient } from "../github/client.ts";
import { closeIssue, createIssue, openIssuesWithLabel, type IssueRecord } from "../github/issues.ts";
import { replyToIssue } from "../github/reactions.ts";
import { plain } from "../commands/markdown.ts";

export const freezeLabel = "kustodian/freeze";
const markerPattern = /^<!-- kustodian:freeze (\{.*\}) -->/;

interface FreezeMarker {
  environment: string;
  reason: string;
  by: string;
  since: string;
}

export interface RecordedFreezeIssue extends RecordedFreeze {
  issueNumber: number;
}

/** The freezes in force: ONE call. */
export async function readFreezes(octokit: GitHubClient, repo: RepoRef, botLogin: string): Promise<RecordedFreezeIssue[]> {
  const issues = await openIssuesWithLabel(octokit, { repo, label: freezeLabel, creator: botLogin });
  return freezesOfIssues(issues, botLogin);
}

/** The freezes in force among open `kustodian/freeze` issues already read (the app's own only). */
export function freezesOfIssues(issues: readonly IssueRecord[], botLogin: string): RecordedFreezeIssue[] {
  return issues.flatMap((i) => freezeOf(i, botLogin));
}

function freezeOf(issue: IssueRecord, botLogin: string): RecordedFreezeIssue[] {
  if (issue.author?.login !== botLogin) return [];
  const m = markerPattern.exec(issue.body);
  if (!m) return [];
  try {
    const f = JSON.parse(m[1]!) as FreezeMarker;
    if (typeof f.environment !== "string" || typeof f.reason !== "string" || typeof f.by !== "string") return [];
    const since = new Date(f.since);
    if (Number.isNaN(since.getTime())) return [];
    return [{ environment: f.environment, reason: f.reason, by: f.by, since, url: issue.url, issueNumber: issue.number }];
  } catch {
    return [];
  }
}

/** Opens the freeze issue: ONE call. */
export async function recordFreeze(
  octokit: GitHubClient,
  repo: RepoRef,
  freeze: { environment: string; reason: string; by: string; since: Date; requestedIn: number },
): Promise<{ number: number; url: string }> {
  const marker: FreezeMarker = { environment: freeze.environment, reason: freeze.reason, by: freeze.by, since: freeze.since.toISOString() };
  const what = freeze.environment === "all" ? "every environment" : `\`${freeze.environment}\``;
  return createIssue(octokit, {
    repo,
    title: `Deployment freeze: ${freeze.environment}`,
    labels: [freezeLabel],
    body: [
      `<!-- kustodian:freeze ${JSON.stringify(marker).replace(/-->/g, "--\\u003e")} -->`,
      `**${what} is frozen** since ${freeze.since.toISOString()}, set by @${freeze.by} with \`/freeze\` in #${freeze.requestedIn}.`,
      "",
      `Reason: ${plain(freeze.reason)}`,
      "",
      "Pull requests that change a frozen environment get a failing `kustodian/freeze` check (reverts excepted).",
      `Lift it with \`/unfreeze${freeze.environment === "all" ? "" : ` ${freeze.environment}`}\` on any pull request (maintain or admin), or close this issue.`,
    ].join("\n"),
  });
}

/** Closes the freeze issues of `environment` (all of them for `all`), each with a note: 2 calls per freeze. */
export async function liftFreezes(
  octokit: GitHubClient,
  repo: RepoRef,
  freezes: readonly RecordedFreezeIssue[],
  input: { environment: string; by: string; requestedIn: number },
): Promise<RecordedFreezeIssue[]> {
  const lifted = freezes.filter((f) => input.environment === "all" || f.environment === input.environment);
  for (const f of lifted) {
    await replyToIssue(octokit, {
      repo,
      issueNumber: f.issueNumber,
      body: `Lifted by @${input.by} with \`/unfreeze\` in #${input.requestedIn}.`,
    });
    await closeIssue(octokit, { repo, issueNumber: f.issueNumber });
  }
  return lifted;
}
