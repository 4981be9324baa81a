// What the pull requests of a last known-good revert read about the attribution (pure): which
// merge changed the failing workload's pod template, what it changed, and the image held (or why
// none is). src/revert/blame.ts decides; the text is built here.
import type { Blame } from "../revert/blame.ts";
import { escapeMarkdown, inlineCode } from "../text/markdown.ts";

export interface Attribution {
  blame: Blame;
  environment: string;
  /** The Deployment whose rollout failed. */
  workload: string;
  /** The blamed merge's pull request, when it had one. */
  blamedPullRequest: number | null;
}

/** The fields, at most five, escaped. */
function fieldsOf(blame: Blame): string {
  const shown = blame.fields.slice(0, 5).map((f) => escapeMarkdown(f));
  if (blame.fields.length > 5) shown.push(`${blame.fields.length - 5} more`);
  return shown.join("; ");
}

/** The held image(s), or why none. */
function holdText(a: Attribution): string {
  const images = a.blame.images;
  if (images.length > 0)
    return `Held in **${escapeMarkdown(a.environment)}**: ${images.map((i) => inlineCode(i)).join(", ")} (a pull request that sets ${images.length > 1 ? "them" : "it"} again is blocked until \`/allow\`).`;
  return "It changed no image, so no image is held.";
}

/** One paragraph for a pull request's comment; `onBlamedPullRequest`: the comment is on the blamed merge's own pull request. */
export function attributionText(a: Attribution, onBlamedPullRequest: boolean): string {
  const workload = inlineCode(a.workload);
  if (a.blame.basis === "newest")
    return `🔎 No merge undone changed ${workload}'s pod template, so the failure is attributed to none of them in particular; no image is held.`;
  const what = `${workload}'s pod template (${fieldsOf(a.blame)})`;
  if (onBlamedPullRequest) return `🔎 Attributed to this merge: it changed ${what}. ${holdText(a)}`;
  const which =
    a.blamedPullRequest === null ? `commit \`${a.blame.sha.slice(0, 7)}\`` : `#${a.blamedPullRequest} (\`${a.blame.sha.slice(0, 7)}\`)`;
  return `🔎 Attributed to ${which}, which changed ${what}. ${holdText(a)}`;
}
