// Putting text from a comment back into a reply safely. Replies echo what people wrote (the
// command line, a workload name); echoed as is, `@org/team` would notify a team from the bot's
// account and `[x](https://…)` would become a link the bot appears to vouch for.
import { escapeMarkdown, inlineCode } from "../text/markdown.ts";

/** An inline code span holding `text` verbatim (no mentions, links or formatting inside): src/text/markdown.ts. */
export const code = inlineCode;

/** Plain text with Markdown punctuation escaped and @-mentions defused (as renovate does): src/text/markdown.ts. */
export const plain = escapeMarkdown;

/** The first line of every reply: which command it answers. */
export function quoteCommand(line: string): string {
  return `> ${code(line)}`;
}

/** `a`, `a and b`, `a, b and c` */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
