import { editEnvironmentFile, EnvironmentEditError } from "../environments/edit.ts";
import { heldBy } from "../environments/held-images.ts";
import type { HeldImage } from "../environments/schema.ts";
import type { AllowCommand } from "./command.ts";
import { refuse, type EditPlan } from "./edit-plan.ts";
import { editFailed, indexEnvironments, invalidEnvironment, lookupEnvironment } from "./environment-files.ts";
import { code, listOf } from "./markdown.ts";

export type AllowPlan = EditPlan<{ lifted: HeldImage[] }>;

/** `/allow IMAGE [env]`: remove the matching entries from the environment's `held` list. */
export function planAllow(input: { command: AllowCommand; environmentFiles: ReadonlyMap<string, string> }): AllowPlan {
  const { command } = input;
  const { line, image } = command;
  const environments = indexEnvironments(input.environmentFiles);
  const matching = (held: readonly HeldImage[] | undefined) =>
    (held ?? []).filter((entry) => entry.image === image || heldBy([entry], image) !== undefined);

  const named = command.env === undefined ? undefined : lookupEnvironment(environments, command.env);
  if (typeof named === "string") return refuse(line, named);
  const candidates = [...environments.values()].filter(
    (e) => (named === undefined || e.name === named.name) && e.parsed.ok && matching(e.parsed.env.held).length > 0,
  );
  if (named !== undefined && !named.parsed.ok) return refuse(line, invalidEnvironment(named));
  if (candidates.length === 0) {
    return refuse(line, `${code(image)} is not held${command.env ? ` in ${code(command.env)}` : " in any environment"}.`);
  }
  if (candidates.length > 1) {
    return refuse(
      line,
      `${code(image)} is held in several environments; name one: ${listOf(candidates.map((e) => code(`/allow ${image} ${e.name}`)))}.`,
    );
  }
  const entry = candidates[0]!;
  if (!entry.parsed.ok) return refuse(line, invalidEnvironment(entry));
  const held = entry.parsed.env.held ?? [];
  const lifted = matching(held);
  // Delete from the end so earlier indices stay valid.
  const indices = held.flatMap((h, i) => (lifted.includes(h) ? [i] : [])).reverse();
  let after: string;
  try {
    after = editEnvironmentFile(
      entry.file,
      entry.text,
      indices.map((i) => ({ path: ["held", i], value: undefined })),
    );
  } catch (error) {
    if (error instanceof EnvironmentEditError) return refuse(line, editFailed(entry.file, error.message));
    throw error;
  }
  const summary = `Lifted the hold on ${listOf(lifted.map((h) => code(h.image)))} in ${code(entry.name)} (${entry.file}): it may be deployed there again. The hold said: ${lifted.map((h) => h.reason).join("; ")}`;
  return { ok: true, changed: true, env: entry.name, file: entry.file, before: entry.text, after, summary, line, lifted };
}

/** The hook /promote takes: why `image` may not go to `env`, from that environment's file. */
export function heldImageCheck(environmentFiles: ReadonlyMap<string, string>): (env: string, image: string) => string | undefined {
  const environments = indexEnvironments(environmentFiles);
  return (env, image) => {
    const found = lookupEnvironment(environments, env);
    const entry = typeof found === "string" ? undefined : found;
    const hold = entry?.parsed.ok ? heldBy(entry.parsed.env.held, image) : undefined;
    return hold ? `${code(hold.image)} is held in ${code(env)} since ${hold.since}: ${hold.reason}` : undefined;
  };
}
