// Text from a pull request (object names, values, kustomize's stderr, diffs) put into Markdown
// that GitHub renders: a comment, a check run, a reply. Untrusted text must not be able to close
// the block it sits in, start a heading, mention people or grow a message without bound.

/** The longest run of `char` in `text` (linear scan). */
function longestRun(text: string, char: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === char) {
      run++;
      if (run > longest) longest = run;
    } else run = 0;
  }
  return longest;
}

/**
 * A fenced code block holding `text` verbatim: the fence is longer than any backtick run inside,
 * so no line of `text` can close it (CommonMark: a closing fence is at least as long as the
 * opening one). The info string is kept to letters.
 */
export function fenced(text: string, language = ""): string {
  const fence = "`".repeat(Math.max(3, longestRun(text, "`") + 1));
  const info = /^[a-z]*$/i.test(language) ? language : "";
  return `${fence}${info}\n${text.replace(/\n+$/, "")}\n${fence}`;
}

/** The fence `fenced` would use for `text` (for callers that write the block line by line). */
export function fenceFor(text: string): string {
  return "`".repeat(Math.max(3, longestRun(text, "`") + 1));
}

/** An inline code span holding `text` on one line: no formatting, links or mentions inside. */
export function inlineCode(text: string): string {
  const single = text.replace(/[\r\n]+/g, " ");
  const fence = "`".repeat(longestRun(single, "`") + 1);
  const pad = single.startsWith("`") || single.endsWith("`") || single.trim() === "" ? " " : "";
  return `${fence}${pad}${single}${pad}${fence}`;
}

/**
 * Plain text for a table cell or a sentence: one line, Markdown punctuation escaped, HTML
 * defused and @-mentions broken (as renovate does), so a name cannot end the row, start a
 * heading or a block, or notify anyone.
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_{}[\]()<>#+|!~&]/g, (c) => `\\${c}`)
    .replace(/@(?=\w)/g, "@&#8203;");
}

/**
 * At most `max` characters of `text` (cut at a line end when there is one in the last quarter),
 * with a note saying how much was left out. Every quoted message (stderr, an error, a config
 * problem) goes through this before it is put into a comment.
 */
export function bounded(text: string, max = 4000): string {
  if (text.length <= max) return text;
  let cut = max;
  const lineEnd = text.lastIndexOf("\n", max);
  if (lineEnd > max * 0.75) cut = lineEnd;
  // Never split a surrogate pair.
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}\n… (${text.length - cut} more characters not shown)`;
}
