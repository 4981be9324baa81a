import { quoteCommand } from "./markdown.ts";

/**
 * What an editing command (/scale, /promote) decided, as data: the new text of ONE environment
 * file, or the reply explaining why nothing changes. The handler commits `after` (with the
 * regenerated overlay) when `changed`, then posts the reply.
 */
export type EditPlan<Detail extends object = object> =
  | ({
      ok: true;
      /** false for a no-op: `after === before` and there is nothing to commit. */
      changed: boolean;
      env: string;
      file: string;
      before: string;
      after: string;
      /** Markdown: what changed (or that nothing did). */
      summary: string;
      /** The command line, quoted in the reply. */
      line: string;
    } & Detail)
  | {
      ok: false;
      /** The whole reply to post, quoting the command; nothing changes. */
      reply: string;
      line: string;
    };

export interface ReplyOptions {
  /** Link to the commit that carries the change; GitHub renders it as a short SHA. */
  commitUrl?: string;
}

/** The reply to post for a plan (after the commit, when there is one). */
export function formatEditReply(plan: EditPlan, options: ReplyOptions = {}): string {
  if (!plan.ok) return plan.reply;
  const committed = plan.changed && options.commitUrl !== undefined ? `\n\nCommitted: ${options.commitUrl}` : "";
  return `${quoteCommand(plan.line)}\n\n${plan.summary}${committed}`;
}

export function refuse(line: string, body: string): { ok: false; reply: string; line: string } {
  return { ok: false, reply: `${quoteCommand(line)}\n\n${body}\n\nNothing was changed.`, line };
}
