import { computeRender } from "../overlays/compute-render.ts";
import { loadBaseInventory } from "../repo/load-base-inventory.ts";
import { formatProblem } from "../environments/problems.ts";
import { applyChanges, readTree } from "../repo/fs-snapshot.ts";
import type { CliIo } from "./io.ts";

export interface RenderOptions {
  env?: string;
  check: boolean;
}

/** `kustodian render [--env NAME] [--check]` */
export async function renderCommand(io: CliIo, options: RenderOptions): Promise<number> {
  const [environmentFiles, overlayFiles, base] = await Promise.all([
    readTree(io.cwd, "environments"),
    readTree(io.cwd, "overlays"),
    loadBaseInventory(io.cwd),
  ]);
  const result = computeRender({ environmentFiles, overlayFiles, base, ...(options.env !== undefined ? { only: options.env } : {}) });

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
    io.stderr.write("stale generated files (run `npx kustodian render`):\n");
    for (const c of result.changes)
      io.stderr.write(`  ${c.path}${c.after === undefined ? " (to delete)" : c.before === undefined ? " (missing)" : ""}\n`);
    return 1;
  }
  await applyChanges(io.cwd, result.changes);
  for (const c of result.changes)
    io.stdout.write(`${c.after === undefined ? "deleted" : c.before === undefined ? "created" : "updated"} ${c.path}\n`);
  if (result.changes.length === 0) io.stdout.write(`overlays are up to date (${result.environments.length} environment(s))\n`);
  return 0;
}
