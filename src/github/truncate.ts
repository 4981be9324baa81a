/** GitHub's limit on an issue or pull request comment body, in characters. */
export const commentBodyLimit = 65_536;

/** GitHub's limit on a check run's output.summary and output.text, in characters. */
export const checkRunTextLimit = 65_535;

/** GitHub's limit on a deployment status description, in characters. */
export const deploymentDescriptionLimit = 140;

/**
 * `text` cut to at most `limit` characters, for a GitHub field that refuses longer input.
 *
 * Length is counted in UTF-16 code units (JavaScript's `length`), which is never less than the
 * number of code points GitHub counts, so the result is always accepted; a surrogate pair is
 * never split. Markdown stays well-formed enough to render: the cut is made at a line end when
 * one is near, an open code fence is closed, open `<details>` blocks are closed, and a note says
 * how much was left out. Text within the limit is returned unchanged.
 */
export function truncateMarkdown(text: string, limit: number): string {
  if (text.length <= limit) return text;
  // Reserve room for the closing fence, closing tags and the note; the note's own digits are
  // bounded by the input's length, so computing it for the worst case keeps the sum in bounds.
  const worstNote = note(text.length, text.length);
  let keep = Math.max(0, limit - worstNote.length - 8);
  let head = cutAtLineEnd(text, keep);
  let closing = closers(head);
  // Closing tags depend on what is kept; shrink until everything fits.
  while (head.length + closing.length + worstNote.length > limit && head.length > 0) {
    keep = Math.max(0, keep - (head.length + closing.length + worstNote.length - limit));
    head = cutAtLineEnd(text, keep);
    closing = closers(head);
  }
  return head + closing + note(text.length - head.length, text.length);
}

/**
 * A single-line field (a title or a short description) cut to `limit` characters with an
 * ellipsis, never splitting a surrogate pair.
 */
export function truncateLine(text: string, limit: number): string {
  if (text.length <= limit) return text;
  return safeSlice(text, Math.max(0, limit - 1)) + "…";
}

function note(omitted: number, total: number): string {
  return `\n\n> [!NOTE]\n> Truncated by kustodian: ${omitted} of ${total} characters are not shown (GitHub's limit).\n`;
}

function cutAtLineEnd(text: string, keep: number): string {
  const head = safeSlice(text, keep);
  const lastNewline = head.lastIndexOf("\n");
  // Prefer a whole line when one ends in the last 10% of what is kept.
  return lastNewline >= keep * 0.9 ? head.slice(0, lastNewline + 1) : head;
}

function safeSlice(text: string, end: number): string {
  if (end <= 0) return "";
  const code = text.charCodeAt(end - 1);
  // A high surrogate as the last kept unit would orphan its pair.
  return code >= 0xd800 && code <= 0xdbff ? text.slice(0, end - 1) : text.slice(0, end);
}

/** What to append so that the kept markdown closes its open fence and `<details>` blocks. */
function closers(head: string): string {
  let out = "";
  const fence = openFence(head);
  if (fence !== undefined) out += `${head.endsWith("\n") ? "" : "\n"}${fence}`;
  const opened = (head.match(/<details\b/gi) ?? []).length;
  const closed = (head.match(/<\/details>/gi) ?? []).length;
  for (let i = closed; i < opened; i++) out += "\n\n</details>";
  return out;
}

/** The fence that is still open at the end of `head` (``` or ~~~ of the opening's length), if any. */
function openFence(head: string): string | undefined {
  let open: string | undefined;
  for (const line of head.split("\n")) {
    const m = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (!m) continue;
    const marker = m[1]!;
    if (open === undefined) open = marker;
    else if (marker[0] === open[0] && marker.length >= open.length && line.trim() === marker) open = undefined;
  }
  return open;
}
