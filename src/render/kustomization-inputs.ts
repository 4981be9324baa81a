// The files one kustomize build reads, found without running it: the kustomization of the
// directory and everything it names (resources, bases, components, patches, generator files),
// followed through the same entries the sandbox's pre-scan follows on disk (kustomization-entries.ts),
// here over a tree in memory (path -> text). Pure: the planner uses it to tell which environments'
// inputs a change touches, and the render cache to key a build by what it reads.
import { posix } from "node:path";
import { kustomizationEntries, kustomizationFileNames } from "./kustomization-entries.ts";

/**
 * Repository paths (sorted) the build of `dir` reads in `files`. Paths that leave the repository,
 * remote entries and missing files are left out (the sandbox refuses or kustomize reports them).
 */
export function kustomizationInputs(files: ReadonlyMap<string, string>, dir: string): string[] {
  const read = new Set<string>();
  const visited = new Set<string>();
  const visit = (directory: string) => {
    if (visited.has(directory)) return;
    visited.add(directory);
    const file = kustomizationFileNames.map((n) => join(directory, n)).find((p): p is string => p !== undefined && files.has(p));
    if (!file) return;
    read.add(file);
    for (const reference of kustomizationEntries(files.get(file)!, file).references) {
      if (posix.isAbsolute(reference.path)) continue;
      const target = join(directory, reference.path);
      if (target === undefined) continue;
      if (files.has(target)) read.add(target);
      else if (reference.kind === "resource") visit(target);
    }
  };
  visit(join("", dir) ?? dir);
  return [...read].sort();
}

/** `dir/path` normalised and repository-relative; undefined when it leaves the repository. */
function join(dir: string, path: string): string | undefined {
  const joined = posix.normalize(posix.join(dir, path));
  if (joined === ".." || joined.startsWith("../")) return undefined;
  return joined === "." ? "" : joined.replace(/\/$/, "");
}
