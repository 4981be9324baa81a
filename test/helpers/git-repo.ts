import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { copySampleRepo } from "./cli.ts";

const run = promisify(execFile);

export async function git(dir: string, ...args: string[]): Promise<string> {
  const { stdout } = await run("git", ["-C", dir, ...args], {
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "Test",
      GIT_AUTHOR_EMAIL: "test@example.com",
      GIT_COMMITTER_NAME: "Test",
      GIT_COMMITTER_EMAIL: "test@example.com",
      GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
      GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
    },
  });
  return stdout.trim();
}

/** The sample GitOps repository as a git repository with one commit on main. */
export async function sampleGitRepo(): Promise<string> {
  const dir = await copySampleRepo();
  await git(dir, "init", "-q", "-b", "main");
  await git(dir, "add", "-A");
  await git(dir, "commit", "-qm", "sample");
  return dir;
}

export type Edit = [path: string, from: string | RegExp, to: string];

/** Commits edits (exact replacements that must match) on a new branch checked out from main. */
export async function branchWith(dir: string, branch: string, edits: readonly Edit[]): Promise<string> {
  await git(dir, "checkout", "-q", "-B", branch, "main");
  for (const [path, from, to] of edits) {
    const file = join(dir, path);
    const text = await readFile(file, "utf8");
    const next = text.replace(from, to);
    if (next === text) throw new Error(`edit of ${path} matched nothing: ${String(from)}`);
    await writeFile(file, next);
  }
  await git(dir, "commit", "-qam", branch);
  return git(dir, "rev-parse", "HEAD");
}
