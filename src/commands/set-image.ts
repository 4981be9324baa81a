import { editEnvironmentFile, EnvironmentEditError } from "../environments/edit.ts";
import { parseImageReference } from "../environments/image-reference.ts";
import { refuse, type EditPlan } from "./edit-plan.ts";
import { editFailed, indexEnvironments, invalidEnvironment, lookupEnvironment, workloadsOf } from "./environment-files.ts";
import { code, listOf } from "./markdown.ts";
import type { HeldImage } from "./promote.ts";

export interface SetImageInput {
  /** The environment as written: its key (`shop/prod`) or its name (`prod`), with `app` when apps share it. */
  env: string;
  app?: string;
  workload: string;
  image: string;
  /** The tree's files (path -> text): its layout file says where the environment files are. */
  environmentFiles: ReadonlyMap<string, string>;
  /** Why `image` may not go to the environment (a hold after a failed rollout), or undefined. */
  held?: HeldImage;
  /** The command as written, for messages. */
  line: string;
}

export type SetImagePlan = EditPlan<{ workload: string; image: string }>;

/**
 * `kustodian set image ENV WORKLOAD IMAGE`, decided: that workload's `image` in that environment
 * file, edited the way /promote edits it (through the yaml Document: comments and formatting
 * survive; no other workload or environment changes). The workload must be in the file.
 */
export function planSetImage(input: SetImageInput): SetImagePlan {
  const { line, workload, image } = input;
  const environments = indexEnvironments(input.environmentFiles);
  const entry = lookupEnvironment(environments, input.env, input.app);
  if (typeof entry === "string") return refuse(line, entry);
  if (!entry.parsed.ok) return refuse(line, invalidEnvironment(entry));
  const parsed = parseImageReference(image);
  if (!parsed.ok) return refuse(line, `${code(image)} is not an image reference: ${parsed.problem}`);
  if (!parsed.image.tag && !parsed.image.digest)
    return refuse(line, `${code(image)} has no tag or digest; kustodian deploys only pinned images.`);
  const known = workloadsOf(entry);
  const current = entry.parsed.env.workloads[workload];
  if (!current)
    return refuse(
      line,
      `There is no workload ${code(workload)} in ${code(entry.file)}. Workloads: ${known.length ? listOf(known.map(code)) : "none"}.`,
    );
  const reason = input.held?.(entry.name, image);
  if (reason) return refuse(line, reason);
  const base = { ok: true as const, env: entry.name, file: entry.file, before: entry.text, line, workload, image };
  if (current.image === image)
    return {
      ...base,
      changed: false,
      after: entry.text,
      summary: `Nothing changed: ${code(workload)} in ${code(entry.name)} already runs ${code(image)}.`,
    };
  try {
    const after = editEnvironmentFile(entry.file, entry.text, [{ path: ["workloads", workload, "image"], value: image }]);
    const from = current.image ? `${code(current.image)} → ` : "";
    return {
      ...base,
      changed: after !== entry.text,
      after,
      summary: `${code(workload)} in ${code(entry.name)}: image ${from}${code(image)}.`,
    };
  } catch (error) {
    if (error instanceof EnvironmentEditError) return refuse(line, editFailed(entry.file, error.message));
    throw error;
  }
}
