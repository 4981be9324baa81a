import { computeRender, type RenderResult } from "../overlays/compute-render.ts";
import type { BaseInventory } from "../overlays/base-inventory.ts";
import { loadBaseInventory } from "../repo/load-base-inventory.ts";
import { formatProblem } from "../environments/problems.ts";
import { formatLayoutProblem, layoutOfFiles } from "../layout/parse-layout.ts";
import type { RepositoryLayout } from "../layout/layout.ts";
import { environmentsOf, isEnvironmentFile, overlayEnvironmentOf } from "../layout/paths.ts";
import { applyChanges } from "../repo/fs-snapshot.ts";
import { readGitSnapshot } from "../repo/git-snapshot.ts";
import { readWorkingTree, repositoryRoot } from "../repo/working-tree.ts";
import type { CliIo } from "./io.ts";

export interface RenderOptions {
  env?: string;
  app?: string;
  check: boolean;
  /** The commit whose overlays count as "before" when lifting other tools' edits; default HEAD, none outside git. */
  base?: string;
}

/** A tree's environment files and overlays, as the layout says. */
function environmentsAndOverlays(layout: RepositoryLayout, files: ReadonlyMap<string, string>) {
  return {
    environmentFiles: new Map([...files].filter(([p]) => isEnvironmentFile(layout, p))),
    overlayFiles: new Map([...files].filter(([p]) => overlayEnvironmentOf(layout, p) !== undefined)),
  };
}

/** The environment files and overlays of the before tree; undefined outside a git repository (with no --base). */
async function committedTree(root: string, base: string | undefined, layout: RepositoryLayout) {
  let files: Map<string, string>;
  try {
    files = await readGitSnapshot(root, base ?? "HEAD");
  } catch (error) {
    if (base !== undefined) throw error;
    return undefined;
  }
  return environmentsAndOverlays(layout, files);
}

/**
 * What rendering a working tree's files (path -> text, as readWorkingTree gives them) would
 * change: each app's bases are built from the working tree under root, the overlays regenerated
 * in memory. Nothing is written.
 */
export async function renderFiles(
  root: string,
  files: ReadonlyMap<string, string>,
  options: { env?: string; app?: string; base?: string; lift?: boolean } = {},
): Promise<RenderResult> {
  const layout = layoutOfFiles(files);
  if (!layout.ok) return { problems: layout.problems, changes: [], environments: [], lifted: [] };
  const { environmentFiles, overlayFiles } = environmentsAndOverlays(layout.layout, files);
  const apps = new Set(environmentsOf(layout.layout, environmentFiles.keys()).map((e) => e.app));
  const bases = new Map<string, BaseInventory>();
  for (const app of layout.layout.apps) if (apps.has(app.name)) bases.set(app.name, await loadBaseInventory(root, app.bases));
  const committed = options.lift === false ? undefined : await committedTree(root, options.base, layout.layout);
  return computeRender({
    environmentFiles,
    overlayFiles,
    layout: layout.layout,
    bases,
    ...(options.env !== undefined ? { only: options.env } : {}),
    ...(options.app !== undefined ? { onlyApp: options.app } : {}),
    ...(committed ? { committed } : {}),
  });
}

/** `kustodian render [--env NAME] [--app APP] [--check] [--base REF]`, from any directory of the repository. */
export async function renderCommand(io: CliIo, options: RenderOptions): Promise<number> {
  const root = await repositoryRoot(io.cwd);
  const files = await readWorkingTree(root);
  const layout = layoutOfFiles(files);
  if (!layout.ok) {
    for (const p of layout.problems) io.stderr.write(`${formatLayoutProblem(p)}\n`);
    io.stderr.write(`kustodian: ${layout.problems.length} problem(s) in ${layout.file}; nothing was written\n`);
    return 2;
  }
  const result = await renderFiles(root, files, options);
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
  await applyChanges(root, result.changes);
  for (const l of lifted) io.stdout.write(l);
  for (const c of result.changes)
    io.stdout.write(`${c.after === undefined ? "deleted" : c.before === undefined ? "created" : "updated"} ${c.path}\n`);
  if (result.changes.length === 0) io.stdout.write(`overlays are up to date (${result.environments.length} environment(s))\n`);
  return 0;
}
