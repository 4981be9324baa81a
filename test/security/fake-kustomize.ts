// Fake kustomize binaries for the sandbox tests: shell scripts written to a temp dir and passed
// to kustomizeBuild as its command (the sandbox scrubs PATH's neighbours, not PATH, so a fake
// cannot be slipped in through the environment; the tests inject it instead).
import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A directory for one test's fakes and what they record. */
export async function scratchDir(prefix = "kustodian-fake-"): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

/** Writes an executable /bin/sh script; "$1" is the directory kustomize was asked to build. */
export async function fakeKustomize(dir: string, name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

/** True while a process exists and is not a zombie (a killed child not yet reaped by init). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const { readFile } = await import("node:fs/promises");
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}
