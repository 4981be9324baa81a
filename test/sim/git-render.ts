// Renders a path of a local git repository at a revision with the real kustomize: the tree is
// exported with `git archive` (the working copy is never touched) and built with
// `kustomize build`, or `kubectl kustomize` where only kubectl is installed, in kustodian's render
// sandbox (src/render/kustomize-build.ts, through sandboxed-build.ts). A directory
// without a kustomization is read as plain manifests, as Argo CD's directory source does.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { RenderCache, type CachedRender } from "../../src/render/render-cache.ts";
import { isRecord } from "./json.ts";
import { sandboxedBuildSync } from "./sandboxed-build.ts";
import type { KubeObject } from "./types.ts";

export type RenderResult =
  { ok: true; objects: KubeObject[]; yaml: string; command: string } | { ok: false; error: string; command: string };

let kustomizeCommand: string[] | undefined;

function kustomize(): string[] {
  if (kustomizeCommand) return kustomizeCommand;
  try {
    execFileSync("kustomize", ["version"], { stdio: "ignore" });
    kustomizeCommand = ["kustomize", "build"];
  } catch {
    kustomizeCommand = ["kubectl", "kustomize"];
  }
  return kustomizeCommand;
}

/** A repoURL / GitRepository url that names a local repository: a path or a file:// URL. */
export function localRepoPath(url: string): string {
  return url.startsWith("file://") ? fileURLToPath(url) : resolve(url);
}

export function git(repo: string, args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** Resolves a branch, tag, HEAD or sha to a commit sha. Throws with git's message. */
export function resolveRevision(repo: string, revision: string): string {
  return git(repo, ["rev-parse", "--verify", "--quiet", `${revision}^{commit}`]);
}

function stderrOf(error: unknown): string {
  if (isRecord(error) && error["stderr"]) return String(error["stderr"]).trim();
  return error instanceof Error ? error.message : String(error);
}

export function parseManifests(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join("; "));
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    if (!isRecord(value) || typeof value["apiVersion"] !== "string" || typeof value["kind"] !== "string" || !isRecord(value["metadata"])) {
      throw new Error("a manifest is not a Kubernetes object (apiVersion, kind and metadata are required)");
    }
    if (value["kind"] === "List" && Array.isArray(value["items"])) objects.push(...(value["items"] as KubeObject[]));
    else objects.push(value as unknown as KubeObject);
  }
  return objects;
}

/**
 * Renders of the same bytes answer from a cache (src/render/render-cache.ts): the key is the
 * commit's git tree id (a hash of every path and its bytes) and the path built. Controllers
 * re-render on every refresh, mostly the same commit.
 */
const renders = new RenderCache({ maxBytes: 64 * 1024 * 1024 });

/** A commit's tree id never changes: asked of git once per repository and commit (every refresh asked it again). */
const trees = new Map<string, string>();
function treeOf(repo: string, sha: string): string {
  const key = `${repo}\0${sha}`;
  let tree = trees.get(key);
  if (tree === undefined) {
    tree = git(repo, ["rev-parse", `${sha}^{tree}`]);
    if (/^[0-9a-f]{40}$/.test(sha)) trees.set(key, tree);
  }
  return tree;
}

export function renderAt(repo: string, sha: string, path: string): RenderResult {
  const command = [...kustomize(), path].join(" ");
  // Error messages have the scratch directory removed, so renders are the same wherever they ran.
  const key = RenderCache.key({ root: "", digest: treeOf(repo, sha) }, path);
  let rendered = renders.lookup(key, "");
  if (!rendered) {
    rendered = renderUncached(repo, sha, path);
    // Failures are not kept: a sandbox timeout says nothing about the bytes.
    if (rendered.ok) renders.store(key, "", rendered);
  }
  if (!rendered.ok) return { ok: false, error: String(rendered.error), command };
  try {
    return { ok: true, objects: parseManifests(rendered.output), yaml: rendered.output, command };
  } catch (error) {
    return { ok: false, error: stderrOf(error), command };
  }
}

function renderUncached(repo: string, sha: string, path: string): CachedRender {
  const work = mkdtempSync(join(tmpdir(), "kustodian-sim-render-"));
  try {
    const tar = execFileSync("git", ["-C", repo, "archive", "--format=tar", sha], {
      maxBuffer: 256 * 1024 * 1024,
      stdio: ["ignore", "pipe", "pipe"],
    });
    execFileSync("tar", ["-x", "-C", work], { input: tar, stdio: ["pipe", "ignore", "pipe"] });
    const dir = join(work, path);
    if (!existsSync(dir)) return { ok: false, error: `app path does not exist: ${path}` };
    const hasKustomization = ["kustomization.yaml", "kustomization.yml", "Kustomization"].some((f) => existsSync(join(dir, f)));
    if (hasKustomization) {
      return { ok: true, output: sandboxedBuildSync(dir, work) };
    }
    const output = readdirSync(dir)
      .filter((f) => /\.(ya?ml|json)$/.test(f))
      .sort()
      .map((f) => readFileSync(join(dir, f), "utf8"))
      .join("\n---\n");
    return { ok: true, output };
  } catch (error) {
    return { ok: false, error: stderrOf(error).replaceAll(work, "").replace(/\s+$/, "") };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
