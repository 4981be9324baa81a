// The sandbox's check before kustomize runs: every kustomization the build would read (following
// resources, bases and components within the repository) is read here first, and anything that
// would reach outside the repository is refused with the file, the line and the entry: remote
// resources and bases, git URLs, Helm, plugins, paths that leave the repository root (`../`
// beyond it, absolute paths, symlinks pointing out). kustomize's own --load-restrictor keeps
// files (patches, generator inputs) inside each kustomization's directory; bases are ours to check.
import { lstat, readFile, realpath } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";
import { kustomizationEntries, kustomizationFileNames, type Refusal } from "./kustomization-entries.ts";
import { RenderRefused } from "./render-errors.ts";

/** Most kustomization loads one build may expand to (kustomize loads a base once per path to it). */
export const maxKustomizationLoads = 2000;

/** Throws RenderRefused for the first thing in the build of `dir` that the sandbox refuses. */
export async function scanKustomization(dir: string, root: string): Promise<void> {
  const rootPath = resolve(root);
  const realRoot = await realpath(rootPath);
  const label = (path: string) => relative(rootPath, path).split(sep).join("/") || ".";
  const inside = (path: string, base: string) => path === base || path.startsWith(base + sep);
  /** Loads below each directory, counted once per directory (the build expands them per path). */
  const loads = new Map<string, number>();
  const visiting = new Set<string>();

  const refuse = (refusal: Refusal): never => {
    throw new RenderRefused(refusal);
  };

  /** A path named in a kustomization must stay in the repository, also after following symlinks. */
  const checkPath = async (from: string, path: string, refusal: Omit<Refusal, "reason">): Promise<string | undefined> => {
    if (isAbsolute(path)) refuse({ ...refusal, reason: "absolute paths are not allowed" });
    const target = resolve(from, path);
    if (!inside(target, rootPath)) refuse({ ...refusal, reason: "the path leaves the repository" });
    return (await staysInside(target, refusal)) ? target : undefined;
  };
  /** false when the path does not exist (kustomize says so itself); refused when a symlink leads out. */
  const staysInside = async (target: string, refusal: Omit<Refusal, "reason">): Promise<boolean> => {
    let real: string;
    try {
      real = await realpath(target);
    } catch {
      return false;
    }
    if (!inside(real, realRoot)) refuse({ ...refusal, reason: "a symlink on this path points outside the repository" });
    return true;
  };

  const visit = async (directory: string): Promise<number> => {
    const known = loads.get(directory);
    if (known !== undefined) return known;
    if (visiting.has(directory)) return 0; // A cycle: kustomize reports it.
    visiting.add(directory);
    const file = await kustomizationFile(directory);
    let total = 1;
    if (file) {
      const name = label(file);
      await staysInside(file, { file: name, entry: name });
      const text = await readFile(file, "utf8");
      const { references, refusals } = kustomizationEntries(text, name);
      if (refusals[0]) refuse(refusals[0]);
      for (const reference of references) {
        // The line is looked up only for a message (reading lines costs a full yaml v2 parse).
        const at = {
          file: name,
          entry: reference.path,
          get line() {
            return reference.line;
          },
        };
        const target = await checkPath(directory, reference.path, at);
        if (reference.kind === "resource" && target && (await isDirectory(target))) total += await visit(target);
        if (total > maxKustomizationLoads)
          refuse({
            ...at,
            reason: `the build expands to more than ${maxKustomizationLoads} kustomization loads (bases reached through many paths)`,
          });
      }
    }
    visiting.delete(directory);
    loads.set(directory, total);
    return total;
  };

  const start = resolve(dir);
  const self = { file: label(start), entry: label(start) };
  if (!inside(start, rootPath)) refuse({ ...self, reason: "the path leaves the repository" });
  await staysInside(start, self);
  await visit(start);
}

async function kustomizationFile(directory: string): Promise<string | undefined> {
  for (const name of kustomizationFileNames) {
    const path = join(directory, name);
    try {
      await lstat(path);
      return path;
    } catch {
      // not this name
    }
  }
  return undefined;
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await lstat(await realpath(path))).isDirectory();
  } catch {
    return false;
  }
}
