import { cp, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.ts";
import { repoRoot } from "./repo-root.ts";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(cwd: string, ...argv: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await main(argv, { cwd, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

/** A scratch copy of the sample GitOps repository (base/, environments/, overlays/). */
export async function copySampleRepo(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "kustodian-repo-"));
  for (const part of ["base", "environments", "overlays"]) await cp(join(repoRoot, part), join(dir, part), { recursive: true });
  return dir;
}
