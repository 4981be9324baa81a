import { cp, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { git } from "./git-repo.ts";
import { repoRoot } from "./repo-root.ts";

/** A fixture of test/fixtures/layout/ copied into a fresh git repository with one commit on main. */
export async function layoutFixtureRepo(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `kustodian-${name}-`));
  await cp(join(repoRoot, "test/fixtures/layout", name), dir, { recursive: true });
  await git(dir, "init", "-q", "-b", "main");
  await git(dir, "add", "-A");
  await git(dir, "commit", "-qm", name);
  return dir;
}
