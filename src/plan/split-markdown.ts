// A long markdown text (the rollout plan) cut into parts that each fit one GitHub comment, so
// nothing is truncated. Pure. Cuts are made, in order of preference, before an environment's
// heading (`### `/`## ` outside code), before an object in a diff (a `--- ` file header inside a
// fence), then at any line end. A part never ends inside a code block or a <details>: the block
// is closed at the end of the part and opened again (same fence, same summary marked
// "continued") at the start of the next, so every part renders on its own.

export interface SplitOptions {
  /** Characters each part may take, the reopened and closing lines included. */
  limit: number;
}

interface Context {
  /** The fence line that is open before this line (e.g. "```diff"), if any. */
  fence?: string;
  /** The `<details>` openers (with their summary line) open before this line, outermost first. */
  details: string[];
}

const fencePattern = /^ {0,3}(`{3,}|~{3,})/;

/** 1: an environment (a heading outside code); 2: an object in a diff; 3: any other line end. */
function rankBefore(line: string, context: Context): 1 | 2 | 3 {
  if (context.fence === undefined && /^#{2,3} /.test(line)) return 1;
  if (context.fence !== undefined && line.startsWith("--- ")) return 2;
  return 3;
}

/** One part: what it reopens, its own lines of the text, what it closes. */
export interface Piece {
  /** `<details>` and fence openers of the blocks the previous part closed ("" for the first). */
  reopened: string;
  /** A run of the text's lines: the pieces' `text`s joined with "\n" are the whole text. */
  text: string;
  /** Closing fence and `</details>` for the blocks still open ("" for the last). */
  closed: string;
}

/** The text in parts of at most `limit` characters each; one part (the text itself) when it fits. */
export function splitMarkdown(text: string, options: SplitOptions): string[] {
  return splitMarkdownPieces(text, options).map((p) => p.reopened + p.text + p.closed);
}

export function splitMarkdownPieces(text: string, options: SplitOptions): Piece[] {
  const { limit } = options;
  if (text.length <= limit) return [{ reopened: "", text, closed: "" }];
  const lines = splitLongLines(text.split("\n"), Math.max(1, Math.floor(limit / 4)));
  const contexts = contextsOf(lines);

  const parts: Piece[] = [];
  let start = 0;
  while (start < lines.length) {
    const prefix = reopen(contexts[start]!);
    let size = prefix.length;
    let end = start;
    // Take whole lines while the part, closed after them, still fits.
    while (end < lines.length) {
      const next = size + lines[end]!.length + 1;
      if (next + close(contexts[end + 1] ?? { details: [] }).length > limit && end > start) break;
      size = next;
      end++;
    }
    if (end < lines.length) end = bestCut(lines, contexts, start, end);
    parts.push({ reopened: prefix, text: lines.slice(start, end).join("\n"), closed: end < lines.length ? close(contexts[end]!) : "" });
    start = end;
  }
  return parts;
}

/** The latest cut of the best rank in (start, end]; a cut at `start` would make an empty part. */
function bestCut(lines: readonly string[], contexts: readonly Context[], start: number, end: number): number {
  for (const rank of [1, 2] as const) {
    for (let i = end; i > start; i--) {
      // A cut too close to the start would leave a sliver; take it only in the latter half.
      if (i - start < (end - start) / 2) break;
      if (rankBefore(lines[i]!, contexts[i]!) === rank) return i;
    }
  }
  return end;
}

/** The context before each line, and one more for the end of the text. */
function contextsOf(lines: readonly string[]): Context[] {
  const out: Context[] = [];
  let fence: string | undefined;
  let details: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    out.push({ ...(fence === undefined ? {} : { fence }), details });
    const line = lines[i]!;
    const m = fencePattern.exec(line);
    if (m) {
      const marker = m[1]!;
      if (fence === undefined) fence = line.trim();
      else if (marker[0] === fence[0] && marker.length >= (fencePattern.exec(fence)?.[1]?.length ?? 3) && line.trim() === marker)
        fence = undefined;
      continue;
    }
    if (fence !== undefined) continue;
    if (/^\s*<details\b/i.test(line)) details = [...details, line.trim()];
    else if (/^\s*<\/details>/i.test(line)) details = details.slice(0, -1);
  }
  out.push({ ...(fence === undefined ? {} : { fence }), details });
  return out;
}

function reopen(context: Context): string {
  const details = context.details.map((d) => `${d.replace(/<\/summary>/i, " (continued)</summary>")}\n\n`).join("");
  return details + (context.fence === undefined ? "" : `${context.fence}\n`);
}

function close(context: Context): string {
  const fence = context.fence === undefined ? "" : `\n${fencePattern.exec(context.fence)![1]}`;
  return fence + context.details.map(() => "\n\n</details>").join("");
}

/** A line longer than `max` (minified JSON, a huge annotation) is cut into pieces: the only cut inside a line. */
function splitLongLines(lines: readonly string[], max: number): string[] {
  const out: string[] = [];
  for (const line of lines) {
    if (line.length <= max) {
      out.push(line);
      continue;
    }
    for (let i = 0; i < line.length; i += max) {
      let end = Math.min(line.length, i + max);
      const code = line.charCodeAt(end - 1);
      if (end < line.length && code >= 0xd800 && code <= 0xdbff) end--;
      out.push(line.slice(i, end));
      i = end - max;
    }
  }
  return out;
}
