// The working tree of a repository as the CLI sees it: its root (found through git from any
// directory inside it), and the files src/layout says to read, in the same rounds as the git
// and GitHub readers.
import { execFile } from "node:child_process";
import { lstat, readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { maxReadRounds, pathsToRead } from "../layout/paths-to-read.ts";

const run = promisify(execFile);

/** A wanted file is a symbolic link: refused, so nothing is generated from (or deleted for) it. */
export class SymlinkError extends Error {
  readonly path: string;
  constructor(path: string) {
    super(
      `${path}: is a symbolic link; kustodian reads environment files, overlays and bases only as regular files (copy the file instead)`,
    );
    this.name = "SymlinkError";
    this.path = path;
  }
}

/** The repository root of `cwd` (`git rev-parse --show-toplevel`); `cwd` itself outside a git repository. */
export async function repositoryRoot(cwd: string): Promise<string> {
  try {
    const { stdout } = await run("git", ["-C", cwd, "rev-parse", "--show-toplevel"]);
    return stdout.trim() || cwd;
  } catch {
    return cwd;
  }
}

/** Every file path of the working tree, relative to root: git's tracked and untracked-but-not-ignored files, else a walk. */
async function listPaths(root: string): Promise<string[]> {
  try {
    const { stdout } = await run("git", ["-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"], {
      maxBuffer: 256 * 1024 * 1024,
    });
    const paths = [...new Set(stdout.split("\0").filter(Boolean))];
    // Deleted but still in the index: not in the working tree.
    const present = await Promise.all(
      paths.map((p) =>
        lstat(join(root, p)).then(
          () => p,
          () => undefined,
        ),
      ),
    );
    return present.filter((p): p is string => p !== undefined);
  } catch {
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    return entries
      .filter((e) => e.isFile() || e.isSymbolicLink())
      .map((e) => relative(root, join(e.parentPath, e.name)).split("\\").join("/"))
      .filter((p) => !p.split("/").some((s) => s === ".git" || s === "node_modules"));
  }
}

/** The files kustodian reads from the working tree under root (path -> text), in path order. */
export async function readWorkingTree(root: string): Promise<Map<string, string>> {
  const paths = await listPaths(root);
  const files = new Map<string, string>();
  for (let round = 0; round < maxReadRounds; round++) {
    const next = pathsToRead(paths, files);
    if (next.length === 0) break;
    for (const p of next) {
      const stat = await lstat(join(root, p));
      if (stat.isSymbolicLink()) throw new SymlinkError(p);
      if (stat.isFile()) files.set(p, await readFile(join(root, p), "utf8"));
    }
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}
