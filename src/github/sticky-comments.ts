import type { GitHubClient, RepoRef } from "./client.ts";
import { stickyMarker } from "./sticky-comment.ts";
import { commentBodyLimit, truncateMarkdown } from "./truncate.ts";

// A sticky text that may take several comments (a rollout plan over GitHub's 65,536 characters):
// part 1 keeps the single comment's marker (`<!-- kustodian:plan -->`), so a plan that grows
// edits the comment people already saw; parts 2.. are `<!-- kustodian:plan:2 -->` and so on.
// Each part is edited in place on the next push, left alone when unchanged, and the parts a
// shorter plan no longer needs are deleted.

export interface StickyCommentsInput {
  repo: RepoRef;
  issueNumber: number;
  /** Part 1's marker; part n > 1 is `<marker>:<n>`. */
  marker: string;
  /**
   * One body per part, each already under the limit less `partHeaderReserve` (see splitMarkdown);
   * or a function of part 1's current body (without its marker line; undefined when there is none)
   * returning them, for a text that carries state from one edit to the next.
   */
  bodies: readonly string[] | ((previous: string | undefined) => readonly string[]);
  /**
   * Only this bot's comments are edited or deleted (a person's never are). A part is known by the
   * marker its body starts with, so a marker quoted inside a plan (a manifest can hold any text)
   * never makes a comment look like another part.
   */
  author?: string;
  /**
   * The pull request's comments as already read (src/github/pull-request-context.ts reads them in
   * the same request as the rest of an event's context): then the list is not read again.
   */
  existing?: readonly ListedComment[];
}

export interface StickyCommentsResult {
  /** Each part's comment, in order. */
  comments: { id: number; url: string; written: boolean }[];
  /** Comments of parts no longer needed, deleted. */
  deleted: number;
}

/** Characters the marker and the "part n of m" line take at the top of a part. */
export const partHeaderReserve = 200;

export function partMarker(marker: string, part: number): string {
  return part === 1 ? marker : `${marker}:${part}`;
}

/** A comment as GET /issues/{n}/comments lists it (the fields kustodian reads). */
export interface ListedComment {
  id: number | bigint;
  html_url: string;
  body?: string;
  user?: { login: string; type: string } | null;
}

/**
 * Calls: the whole comment list (⌈comments / 100⌉ pages: the parts may be anywhere in it; none
 * when `existing` is given), then
 * per part 0 writes (unchanged), 1 edit or 1 create, and 1 delete per surplus part. A plan that
 * fits one comment costs what upsertStickyComment costs, except that the list is read to its end.
 */
export async function upsertStickyComments(octokit: GitHubClient, input: StickyCommentsInput): Promise<StickyCommentsResult> {
  const { owner, repo } = input.repo;
  const ours = (c: ListedComment) =>
    c.user?.type === "Bot" && (input.author === undefined || c.user.login === input.author) && typeof c.body === "string";
  const existing: ListedComment[] = input.existing ? input.existing.filter(ours) : await listComments(octokit, input, ours);

  const firstMarker = stickyMarker(partMarker(input.marker, 1));
  const previous = existing.find((c) => c.body!.trimStart().startsWith(firstMarker))?.body;
  const bodies =
    typeof input.bodies === "function"
      ? input.bodies(
          previous === undefined
            ? undefined
            : normalise(previous)
                .trimStart()
                .slice(firstMarker.length + 1),
        )
      : input.bodies;
  const total = bodies.length;
  const comments: StickyCommentsResult["comments"] = [];
  for (let i = 0; i < total; i++) {
    const marker = stickyMarker(partMarker(input.marker, i + 1));
    const header = total > 1 ? `**Part ${i + 1} of ${total}** of this plan (it is longer than one GitHub comment).\n\n` : "";
    const body = truncateMarkdown(`${marker}\n${header}${bodies[i]}`, commentBodyLimit);
    const found = existing.find((c) => c.body!.trimStart().startsWith(marker));
    if (found === undefined) {
      const { data } = await octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        owner,
        repo,
        issue_number: input.issueNumber,
        body,
      });
      comments.push({ id: Number(data.id), url: data.html_url, written: true });
    } else if (normalise(found.body!) === normalise(body)) {
      comments.push({ id: Number(found.id), url: found.html_url, written: false });
    } else {
      const { data } = await octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
        owner,
        repo,
        comment_id: found.id,
        body,
      });
      comments.push({ id: Number(data.id), url: data.html_url, written: true });
    }
  }

  // Parts beyond the new count, found by their numbered markers.
  const surplus = existing.filter((c) => {
    const m = new RegExp(`^<!-- kustodian:${escapeRegExp(input.marker)}:(\\d+) -->`).exec(c.body!.trimStart());
    return m !== null && Number(m[1]) > total;
  });
  for (const c of surplus) {
    await octokit.request("DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}", { owner, repo, comment_id: c.id });
  }
  return { comments, deleted: surplus.length };
}

async function listComments(
  octokit: GitHubClient,
  input: StickyCommentsInput,
  ours: (c: ListedComment) => boolean,
): Promise<ListedComment[]> {
  const found: ListedComment[] = [];
  const pages = octokit.paginate.iterator("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", {
    owner: input.repo.owner,
    repo: input.repo.repo,
    issue_number: input.issueNumber,
    per_page: 100,
  });
  for await (const page of pages) found.push(...(page.data as ListedComment[]).filter(ours));
  return found;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function normalise(body: string): string {
  return body.replace(/\r\n/g, "\n");
}
