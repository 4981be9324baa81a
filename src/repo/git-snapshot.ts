import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { UnsafeTreeEntryError, unsafeTreePath } from "./safe-tree-path.ts";

import { maxReadRounds, pathsToRead } from "../layout/paths-to-read.ts";

const run = promisify(execFile);

export async function resolveCommit(repoDir: string, ref: string): Promise<string> {
  try {
    const { stdout } = await run("git", ["-C", repoDir, "rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`]);
    return stdout.trim();
  } catch {
    throw new Error(`git cannot find a commit named "${ref}" in ${repoDir}`);
  }
}

/**
 * Reads the files of a commit straight from git's object store (no checkout): one `git ls-tree`,
 * then one `git cat-file --batch` per round of src/layout's pathsToRead (the layout file, the
 * environments, overlays and bases, then what their kustomizations refer to), or for the
 * `wanted` paths when given. A tree entry that could not be written safely under a directory
 * (`..`, absolute), or a wanted one that is a symbolic link, is refused with UnsafeTreeEntryError,
 * as the GitHub side refuses symlinks (src/github/read-files.ts).
 */
export async function readGitSnapshot(repoDir: string, ref: string, wanted?: (path: string) => boolean): Promise<Map<string, string>> {
  const commit = await resolveCommit(repoDir, ref);
  const { stdout } = await run("git", ["-C", repoDir, "ls-tree", "-r", "-z", "--full-tree", commit], { maxBuffer: 256 * 1024 * 1024 });
  const tree = new Map<string, { sha: string; mode: string }>();
  for (const record of stdout.split("\0")) {
    if (!record) continue;
    const tab = record.indexOf("\t");
    const [mode, type, sha] = record.slice(0, tab).split(" ");
    const path = record.slice(tab + 1);
    if (type !== "blob" || !sha || !mode) continue;
    const problem = unsafeTreePath(path);
    // A `..` entry is refused even when it is not wanted by name: `base/../../x` starts with base/.
    if (problem) throw new UnsafeTreeEntryError(path, problem);
    tree.set(path, { sha, mode });
  }
  const files = new Map<string, string>();
  const readPaths = async (paths: readonly string[]) => {
    for (const p of paths) {
      if (tree.get(p)!.mode === "120000") throw new UnsafeTreeEntryError(p, "is a symbolic link (kustodian reads regular files only)");
    }
    const blobs = await catFileBatch(
      repoDir,
      paths.map((p) => tree.get(p)!.sha),
    );
    for (const p of paths) files.set(p, blobs.get(tree.get(p)!.sha)!);
  };
  if (wanted) {
    await readPaths([...tree.keys()].filter(wanted));
  } else {
    const paths = [...tree.keys()];
    for (let round = 0; round < maxReadRounds; round++) {
      const next = pathsToRead(paths, files);
      if (next.length === 0) break;
      await readPaths(next);
    }
  }
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function catFileBatch(repoDir: string, shas: readonly string[]): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["-C", repoDir, "cat-file", "--batch"], { stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
    // git may exit before it has read all of stdin (a bad object name): the write then fails with
    // EPIPE, which must not be an uncaught exception; the exit code and stderr say what happened.
    child.stdin.on("error", () => {});
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`git cat-file failed: ${stderr.trim()}`));
      const out = Buffer.concat(chunks);
      const result = new Map<string, string>();
      let pos = 0;
      while (pos < out.length) {
        const nl = out.indexOf(0x0a, pos);
        const [sha, , size] = out.subarray(pos, nl).toString().split(" ");
        const length = Number(size);
        result.set(sha!, out.subarray(nl + 1, nl + 1 + length).toString("utf8"));
        pos = nl + 1 + length + 1;
      }
      resolve(result);
    });
    child.stdin.end(shas.map((s) => `${s}\n`).join(""));
  });
}
