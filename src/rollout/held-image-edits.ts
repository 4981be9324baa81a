import { parse } from "yaml";
import { editEnvironmentFile } from "../environments/edit.ts";
import { heldBy, holdEdit } from "../environments/held-images.ts";
import { parseEnvironmentFile } from "../environments/parse.ts";
import type { EnvironmentFileEdit } from "../revert/build-revert.ts";
import type { RevertEditContext } from "./execute-actions.ts";

/**
 * Issue 7: a revert made because the rollout failed records the image it held (issue 13: the one
 * the blamed merge brought into the failing workload's pod template) in the file's `held` list, in the same commit, so the hold is in git, reviewable, and
 * outlives the bot. A /rollback (reason `requested`) proves nothing about the image: no hold.
 */
export function heldImageRevertEdits(context: RevertEditContext): EnvironmentFileEdit[] {
  if (context.reason === "requested" || context.merged === undefined) return [];
  const file = context.file;
  const imagesOf = (text: string | undefined): Map<string, string> => {
    const workloads =
      ((text ? parse(text) : undefined) as { workloads?: Record<string, { image?: unknown }> } | undefined)?.workloads ?? {};
    return new Map(Object.entries(workloads).flatMap(([name, w]) => (typeof w?.image === "string" ? [[name, w.image] as const] : [])));
  };
  const before = imagesOf(context.before);
  // Issue 13: only the images the merge the failure is attributed to brought into the failing
  // workload's pod template (none for a config change); without an attribution, every image the
  // undone merges brought into the file.
  const introduced = context.hold
    ? [...new Set(context.hold)]
    : [...new Set([...imagesOf(context.merged)].filter(([workload, image]) => before.get(workload) !== image).map(([, image]) => image))];
  return introduced.map((image) => ({
    summary: `hold ${image} in ${context.environment} (${context.reason})`,
    apply(text: string): string {
      const parsed = parseEnvironmentFile(file, text);
      const held = parsed.ok ? parsed.env.held : undefined;
      if (heldBy(held, image)) return text;
      const entry = {
        image,
        reason: `${context.reason}: ${context.summary}`.slice(0, 500),
        since: context.decidedAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
        revertedCommit: context.mergeSha,
      };
      return editEnvironmentFile(file, text, [holdEdit(held, entry)]);
    },
  }));
}
