// What `list`, `set` and `contexts` start from: the repository around the current directory, its
// files as they are on disk, and its layout (.kustodian/layout.yaml, or the default one).
import { formatLayoutProblem, layoutOfFiles } from "../layout/parse-layout.ts";
import type { RepositoryLayout } from "../layout/layout.ts";
import { readWorkingTree, repositoryRoot } from "../repo/working-tree.ts";
import type { CliIo } from "./io.ts";

export interface WorkingLayout {
  root: string;
  files: Map<string, string>;
  layout: RepositoryLayout;
}

/** The working tree and its layout; undefined when the layout file is invalid, its problems printed (the command exits 2). */
export async function readWorkingLayout(io: CliIo): Promise<WorkingLayout | undefined> {
  const root = await repositoryRoot(io.cwd);
  const files = await readWorkingTree(root);
  const layout = layoutOfFiles(files);
  if (!layout.ok) {
    for (const p of layout.problems) io.stderr.write(`${formatLayoutProblem(p)}\n`);
    return undefined;
  }
  return { root, files, layout: layout.layout };
}
