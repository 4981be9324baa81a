import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import type { FileChange } from "../layout/file-change.ts";
import { pathInside } from "./safe-tree-path.ts";

/** Reads every file under dir (relative to root) into path -> text, sorted and with / separators. */
export async function readTree(root: string, dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let entries;
  try {
    entries = await readdir(join(root, dir), { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return out;
    throw error;
  }
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)).split("\\").join("/"))
    .sort();
  for (const f of files) out.set(f, await readFile(join(root, f), "utf8"));
  return out;
}

/** Writes the changes under root; a path that would leave root (`..`, absolute) is refused before anything is written. */
export async function applyChanges(root: string, changes: readonly FileChange[]): Promise<void> {
  const paths = changes.map((change) => pathInside(root, change.path));
  for (const [i, change] of changes.entries()) {
    const path = paths[i]!;
    if (change.after === undefined) {
      await rm(path, { force: true });
    } else {
      await mkdir(dirname(path), { recursive: true });
      await writeFile(path, change.after);
    }
  }
}
