import type { GitHubClient, RepoRef } from "./client.ts";
import { commentBodyLimit, truncateMarkdown } from "./truncate.ts";

export interface StickyCommentInput {
  repo: RepoRef;
  /** Issue or pull request number. */
  issueNumber: number;
  /** Names the comment among kustodian's: `plan` becomes `<!-- kustodian:plan -->`. */
  marker: string;
  body: string;
  /**
   * Login of the app's bot user (e.g. `kustodian[bot]`). When given, only its comments are
   * considered; otherwise any bot's. A person's comment is never edited either way.
   */
  author?: string;
}

export interface StickyCommentResult {
  id: number;
  url: string;
  created: boolean;
  /** False when the existing comment already had this body and nothing was written. */
  written: boolean;
}

const markerPattern = /^[a-z0-9][a-z0-9._:/-]*$/i;

/** The hidden HTML comment that finds a sticky comment again. */
export function stickyMarker(marker: string): string {
  if (!markerPattern.test(marker)) throw new Error(`Not a sticky comment marker: ${JSON.stringify(marker)}`);
  return `<!-- kustodian:${marker} -->`;
}

/**
 * ONE comment per (issue, marker), edited in place: the first of the app's comments that holds
 * the hidden marker is edited when its body differs, left alone when it is identical (no write),
 * and created when there is none. The marker is the body's first line, so truncation (bodies
 * over GitHub's 65,536 characters are cut, with a note) never removes it.
 *
 * Calls: the comment list (one call per 100 comments, stopping at the first match), plus at
 * most one write.
 */
export async function upsertStickyComment(octokit: GitHubClient, input: StickyCommentInput): Promise<StickyCommentResult> {
  const marker = stickyMarker(input.marker);
  const body = truncateMarkdown(`${marker}\n${input.body}`, commentBodyLimit);
  const { owner, repo } = input.repo;

  let existing: { id: number | bigint; html_url: string; body?: string } | undefined;
  const pages = octokit.paginate.iterator("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    owner,
    repo,
    issue_number: input.issueNumber,
    per_page: 100,
  });
  for await (const page of pages) {
    existing = page.data.find(
      (c) =>
        c.user?.type === "Bot" &&
        (input.author === undefined || c.user.login === input.author) &&
        typeof c.body === "string" &&
        c.body.includes(marker),
    );
    if (existing) break;
  }

  if (existing === undefined) {
    const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      owner,
      repo,
      issue_number: input.issueNumber,
      body,
    });
    return { id: Number(data.id), url: data.html_url, created: true, written: true };
  }
  if (normalise(existing.body ?? "") === normalise(body)) {
    return { id: Number(existing.id), url: existing.html_url, created: false, written: false };
  }
  const { data } = await octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
    owner,
    repo,
    comment_id: existing.id,
    body,
  });
  return { id: Number(data.id), url: data.html_url, created: false, written: true };
}

/** GitHub may store a body with CRLF line ends; they do not make it a different comment. */
function normalise(body: string): string {
  return body.replace(/\r\n/g, "\n");
}
