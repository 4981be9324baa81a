import { execFile, spawn } from "node:child_process";
import { promisify } from "node:util";
import { UnsafeTreeEntryError, unsafeTreePath } from "./safe-tree-path.ts";

const run = promisify(execFile);

/** The paths kustodian reads from a tree: the environment files, base/ and the generated overlays. */
export function isGitOpsPath(path: string): boolean {
  return path.startsWith("environments/") || path.startsWith("base/") || path.startsWith("overlays/");
}

export async function resolveCommit(repoDir: string, ref: string): Promise<string> {
  try {
    const { stdout } = await run("git", ["-C", repoDir, "rev-parse", "--verify", "--end-of-options", `${ref}^{commit}`]);
    return stdout.trim();
  } catch {
    throw new Error(`git cannot find a commit named "${ref}" in ${repoDir}`);
  }
}

/**
 * Reads the wanted files of a commit straight from git's object store (no checkout):
 * one `git ls-tree` and one `git cat-file --batch` for all blobs. A wanted entry that could not
 * be written safely under a directory (`..`, absolute) or that is a symbolic link is refused with
 * UnsafeTreeEntryError, as the GitHub side refuses symlinks (src/github/read-files.ts).
 */
export async function readGitSnapshot(
  repoDir: string,
  ref: string,
  wanted: (path: string) => boolean = isGitOpsPath,
): Promise<Map<string, string>> {
  const commit = await resolveCommit(repoDir, ref);
  const { stdout } = await run("git", ["-C", repoDir, "ls-tree", "-r", "-z", "--full-tree", commit], { maxBuffer: 256 * 1024 * 1024 });
  const entries: { path: string; sha: string }[] = [];
  for (const record of stdout.split("\0")) {
    if (!record) continue;
    const tab = record.indexOf("\t");
    const [mode, type, sha] = record.slice(0, tab).split(" ");
    const path = record.slice(tab + 1);
    if (type !== "blob" || !sha) continue;
    const problem = unsafeTreePath(path);
    // A `..` entry is refused even when it is not wanted by name: `base/../../x` starts with base/.
    if (problem) throw new UnsafeTreeEntryError(path, problem);
    if (!wanted(path)) continue;
    if (mode === "120000") throw new UnsafeTreeEntryError(path, "is a symbolic link (kustodian reads regular files only)");
    entries.push({ path, sha });
  }
  const blobs = await catFileBatch(
    repoDir,
    entries.map((e) => e.sha),
  );
  return new Map(entries.map((e) => [e.path, blobs.get(e.sha)!] as const).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function catFileBatch(repoDir: string, shas: readonly string[]): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["-C", repoDir, "cat-file", "--batch"], { stdio: ["pipe", "pipe", "pipe"] });
    const chunks: Buffer[] = [];
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => chunks.push(c));
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.on("error", reject);
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
