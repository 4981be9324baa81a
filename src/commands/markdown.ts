// Putting text from a comment back into a reply safely. Replies echo what people wrote (the
// command line, a workload name); echoed as is, `@org/team` would notify a team from the bot's
// account and `[x](https://…)` would become a link the bot appears to vouch for.

/** An inline code span holding `text` verbatim (no mentions, links or formatting inside). */
export function code(text: string): string {
  const single = text.replace(/[\r\n]+/g, " ");
  const longestRun = Math.max(0, ...[...single.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = "`".repeat(longestRun + 1);
  const pad = single.startsWith("`") || single.endsWith("`") || single.trim() === "" ? " " : "";
  return `${fence}${pad}${single}${pad}${fence}`;
}

/** Plain text with Markdown punctuation escaped and @-mentions defused (as renovate does). */
export function plain(text: string): string {
  return text
    .replace(/[\r\n]+/g, " ")
    .replace(/[\\`*_{}[\]()<>#+|!~]/g, (c) => `\\${c}`)
    .replace(/@(?=\w)/g, "@&#8203;");
}

/** The first line of every reply: which command it answers. */
export function quoteCommand(line: string): string {
  return `> ${code(line)}`;
}

/** `a`, `a and b`, `a, b and c` */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
