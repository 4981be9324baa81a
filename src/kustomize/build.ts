import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import type { KubeObject } from "../k8s/manifest-types.ts";

const run = promisify(execFile);

let kustomizeCommand: Promise<string[]> | undefined;

/** `kustomize build` when installed, else `kubectl kustomize` (kustomize v5 is built into kubectl). */
function command(): Promise<string[]> {
  kustomizeCommand ??= run("kustomize", ["version"]).then(
    () => ["kustomize", "build"],
    () => ["kubectl", "kustomize"],
  );
  return kustomizeCommand;
}

export class KustomizeBuildError extends Error {
  override name = "KustomizeBuildError";
  readonly dir: string;
  readonly stderr: string;
  constructor(dir: string, stderr: string) {
    super(`kustomize could not build ${dir}: ${stderr.trim()}`);
    this.dir = dir;
    this.stderr = stderr;
  }
}

/** Renders a kustomization directory with the real kustomize; returns the YAML stream. */
export async function kustomizeBuild(dir: string): Promise<string> {
  const [bin, ...args] = await command();
  try {
    const { stdout } = await run(bin!, [...args, dir], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new KustomizeBuildError(dir, e.stderr || e.message);
  }
}

export function parseManifests(yamlStream: string): KubeObject[] {
  return parseAllDocuments(yamlStream)
    .map((d) => d.toJS() as KubeObject | null)
    .filter((o): o is KubeObject => o !== null && typeof o === "object");
}
