// A path from a git tree or a file map, before it becomes a file on disk: git's object store
// accepts tree entries named `..` (`git mktree` writes them), so a crafted commit can name
// `base/../../x`. Writing such a path under a temp dir would write outside it.
import { isAbsolute, relative, resolve, sep } from "node:path";

/** Why a repository-relative path is unsafe to write under a directory; undefined when it is safe. */
export function unsafeTreePath(path: string): string | undefined {
  if (path === "") return "is empty";
  if (path.startsWith("/") || isAbsolute(path)) return "is an absolute path";
  if (path.includes("\0")) return "contains a NUL character";
  if (path.includes("\\")) return "contains a backslash";
  const segments = path.split("/");
  if (segments.includes("..")) return "contains a `..` segment";
  if (segments.includes(".") || segments.includes("")) return "contains an empty or `.` segment";
  return undefined;
}

/** A tree entry kustodian refuses to read or write, with the path and why. */
export class UnsafeTreeEntryError extends Error {
  override name = "UnsafeTreeEntryError";
  readonly path: string;
  constructor(path: string, reason: string) {
    super(`${JSON.stringify(path)} ${reason}; kustodian refuses the tree`);
    this.path = path;
  }
}

/** root joined with a repository-relative path, refused unless it stays inside root. */
export function pathInside(root: string, path: string): string {
  const problem = unsafeTreePath(path);
  if (problem) throw new UnsafeTreeEntryError(path, problem);
  const full = resolve(root, path);
  const rel = relative(resolve(root), full);
  if (rel === "" || rel.startsWith(`..${sep}`) || rel === ".." || isAbsolute(rel))
    throw new UnsafeTreeEntryError(path, "leaves the directory");
  return full;
}
