import { computeRender } from "../overlays/compute-render.ts";
import { loadBaseInventory } from "../repo/load-base-inventory.ts";
import { formatProblem } from "../environments/problems.ts";
import { applyChanges, readTree } from "../repo/fs-snapshot.ts";
import { readGitSnapshot } from "../repo/git-snapshot.ts";
import type { CliIo } from "./io.ts";

export interface RenderOptions {
  env?: string;
  check: boolean;
  /** The commit whose overlays count as "before" when lifting other tools' edits; default HEAD, none outside git. */
  base?: string;
}

/** The environment files and overlays of the before tree; undefined outside a git repository (with no --base). */
async function committedTree(cwd: string, base: string | undefined) {
  let files: Map<string, string>;
  try {
    files = await readGitSnapshot(cwd, base ?? "HEAD");
  } catch (error) {
    if (base !== undefined) throw error;
    return undefined;
  }
  const pick = (prefix: string) => new Map([...files].filter(([p]) => p.startsWith(prefix)));
  return { environmentFiles: pick("environments/"), overlayFiles: pick("overlays/") };
}

/** `kustodian render [--env NAME] [--check]` */
export async function renderCommand(io: CliIo, options: RenderOptions): Promise<number> {
  const [environmentFiles, overlayFiles, base, committed] = await Promise.all([
    readTree(io.cwd, "environments"),
    readTree(io.cwd, "overlays"),
    loadBaseInventory(io.cwd),
    committedTree(io.cwd, options.base),
  ]);
  const result = computeRender({
    environmentFiles,
    overlayFiles,
    base,
    ...(options.env !== undefined ? { only: options.env } : {}),
    ...(committed ? { committed } : {}),
  });
  const lifted = result.lifted.map(
    (l) =>
      `${l.source} was edited: ${options.check ? "it should be lifted into" : "lifted into"} ${l.file} ${l.field} (${JSON.stringify(l.from)} -> ${JSON.stringify(l.to)})\n`,
  );

  if (result.problems.length > 0) {
    for (const p of result.problems) io.stderr.write(`${formatProblem(p)}\n`);
    io.stderr.write(`kustodian: ${result.problems.length} problem(s) in environment files; nothing was written\n`);
    return 2;
  }
  if (options.check) {
    if (result.changes.length === 0) {
      io.stdout.write(`overlays are up to date (${result.environments.length} environment(s))\n`);
      return 0;
    }
    for (const l of lifted) io.stderr.write(l);
    io.stderr.write("stale generated files (run `npx kustodian render`):\n");
    for (const c of result.changes)
      io.stderr.write(`  ${c.path}${c.after === undefined ? " (to delete)" : c.before === undefined ? " (missing)" : ""}\n`);
    return 1;
  }
  await applyChanges(io.cwd, result.changes);
  for (const l of lifted) io.stdout.write(l);
  for (const c of result.changes)
    io.stdout.write(`${c.after === undefined ? "deleted" : c.before === undefined ? "created" : "updated"} ${c.path}\n`);
  if (result.changes.length === 0) io.stdout.write(`overlays are up to date (${result.environments.length} environment(s))\n`);
  return 0;
}
