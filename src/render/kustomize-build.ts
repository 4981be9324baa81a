// Every kustomize run of kustodian goes through here (CLI, pull requests, after the merge, the
// test simulator): the sandbox's checks, then kustomize in runSandboxed with the flags that forbid
// what kustomize can forbid itself, at most `concurrency` at once.
import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { parseManifestsAsync, type KubeObject } from "./parse-manifests.ts";
import { KustomizeBuildError, RenderOutputTooLarge, RenderTimedOut } from "./render-errors.ts";
import { renderSettings } from "./render-settings.ts";
import { runSandboxed, sandboxEnvironment } from "./run-sandboxed.ts";
import { scanKustomization } from "./scan-kustomization.ts";
import { Semaphore } from "./semaphore.ts";

const run = promisify(execFile);

/**
 * What kustomize forbids itself when told: files outside a kustomization's own directory
 * (bases are checked by the scan), Helm, exec and container plugins, and network for functions.
 * kubectl kustomize and kustomize v5 accept the same flags.
 */
export const kustomizeSandboxFlags: readonly string[] = [
  "--load-restrictor=LoadRestrictionsRootOnly",
  "--enable-helm=false",
  "--enable-alpha-plugins=false",
  "--network=false",
];

let detected: Promise<string[]> | undefined;

/** `kustomize build` when installed, else `kubectl kustomize` (kustomize v5 is built into kubectl). */
export function kustomizeCommand(): Promise<string[]> {
  detected ??= run("kustomize", ["version"], { env: sandboxEnvironment(process.cwd()) }).then(
    () => ["kustomize", "build"],
    () => ["kubectl", "kustomize"],
  );
  return detected;
}

const renders = new Semaphore(() => renderSettings().concurrency);

/** Renders running now (for tests and metrics). */
export function rendersRunning(): number {
  return renders.running;
}

export interface KustomizeBuildOptions {
  /** The repository root the build must stay inside; paths in messages are relative to it. Default: dir. */
  root?: string;
  /** The kustomize command line before the directory (tests inject a fake binary). Default: kustomizeCommand(). */
  command?: readonly string[];
  /** Waits ahead of the other builds for a slot: a build others wait on (the bases' inventory). */
  first?: boolean;
}

/** Renders a kustomization directory with the real kustomize, in the sandbox; returns the YAML stream. */
export async function kustomizeBuild(dir: string, options: KustomizeBuildOptions = {}): Promise<string> {
  return (await kustomizeOutput(dir, options)).toString("utf8");
}

/** kustomizeBuild, then the objects, parsed without blocking the event loop for long. */
export async function renderManifests(dir: string, options: KustomizeBuildOptions = {}): Promise<KubeObject[]> {
  return parseManifestsAsync(await kustomizeOutput(dir, options));
}

/** Told of one kustomize run: how it ended, how long it took, and the directory built (relative to the repository root). */
export type BuildListener = (outcome: "ok" | "error", seconds: number, directory: string) => void;
const buildListeners = new Set<BuildListener>();

/** Told of every build and its duration (the app counts them on /metrics); returns the unsubscribe. */
export function onKustomizeBuild(listener: BuildListener): () => void {
  buildListeners.add(listener);
  return () => buildListeners.delete(listener);
}

async function kustomizeOutput(dir: string, options: KustomizeBuildOptions): Promise<Buffer> {
  const started = performance.now();
  const done = (outcome: "ok" | "error") => {
    const directory = relativeLabel(resolve(options.root ?? dir), resolve(dir));
    for (const listener of buildListeners) listener(outcome, (performance.now() - started) / 1000, directory);
  };
  try {
    const output = await sandboxedOutput(dir, options);
    done("ok");
    return output;
  } catch (error) {
    done("error");
    throw error;
  }
}

async function sandboxedOutput(dir: string, options: KustomizeBuildOptions): Promise<Buffer> {
  const target = resolve(dir);
  const root = resolve(options.root ?? dir);
  const label = relativeLabel(root, target);
  await scanKustomization(target, root);
  const [bin, ...args] = options.command ?? (await kustomizeCommand());
  const settings = renderSettings();
  const result = await renders.run(
    () =>
      runSandboxed({
        command: bin!,
        args: [...args, target, ...kustomizeSandboxFlags],
        timeoutMs: settings.timeoutMs,
        maxOutputBytes: settings.maxOutputBytes,
      }),
    { first: options.first ?? false },
  );
  if (result.outcome === "timed-out") throw new RenderTimedOut(label, settings.timeoutMs);
  if (result.outcome === "output-too-large") throw new RenderOutputTooLarge(label, settings.maxOutputBytes);
  if (result.code !== 0) throw new KustomizeBuildError(label, withoutRoot(result.stderr || `exit ${result.code ?? result.signal}`, root));
  return result.stdout;
}

function relativeLabel(root: string, target: string): string {
  if (target === root) return root.split("/").pop() || root;
  return target.startsWith(`${root}/`) ? target.slice(root.length + 1) : target;
}

/** kustomize names files by absolute path: in messages they become repository-relative. */
function withoutRoot(text: string, root: string): string {
  return text.replaceAll(`${root}/`, "").replaceAll(root, ".");
}
