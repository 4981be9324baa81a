// The effectful half of planning: a tree rendered with the real kustomize, as the pure planner
// (src/plan/compute-plan.ts) takes it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { kustomizeBuild } from "../render/kustomize-build.ts";
import { parseManifestsAsync } from "../render/parse-manifests.ts";
import { RenderError, RenderTimedOut } from "../render/render-errors.ts";
import { renderSettings } from "../render/render-settings.ts";
import { baseInventory } from "../overlays/base-inventory.ts";
import { computeRender } from "../overlays/compute-render.ts";
import type { RenderedEnvironment, RenderedSnapshot } from "../plan/rendered-snapshot.ts";
import { renderCache, treeDigest, type MaterialisedTree } from "../render/render-cache.ts";
import { kustomizationInputs } from "../render/kustomization-inputs.ts";
import { applyChanges } from "./fs-snapshot.ts";

export interface RenderSnapshotOptions {
  /**
   * Build the overlays as they are committed (what is deployed: the plan's "before" side) instead
   * of regenerating them first, so an out-of-band change shows in the plan instead of being hidden.
   */
  asCommitted?: boolean;
  /** The tree before this change (the PR's base): overlay edits made since are lifted (src/overlays/lift-edits.ts). */
  before?: ReadonlyMap<string, string>;
  /**
   * Environments whose inputs the change leaves as they are: not rendered, marked `unchanged`
   * (on the head side, one whose committed overlay is stale is rendered all the same).
   */
  unchanged?: ReadonlySet<string>;
}

/**
 * Renders every environment of a tree (path -> text) the way it will be deployed: overlays are
 * regenerated from the environment files first (what kustodian commits; unless `asCommitted`),
 * then built with the real kustomize in a scratch directory. Builds of bytes built before come
 * from the render cache.
 */
export async function renderSnapshot(files: ReadonlyMap<string, string>, options: RenderSnapshotOptions = {}): Promise<RenderedSnapshot> {
  const dir = await mkdtemp(join(tmpdir(), "kustodian-render-"));
  try {
    const written = new Map([...files].filter(([p]) => p.startsWith("base/") || p.startsWith("overlays/")));
    await applyChanges(
      dir,
      [...written].map(([path, after]) => ({ path, after })),
    );
    // kustomize's output comes from the render cache when these bytes were built before under
    // the same output cap; a timeout says nothing about the bytes and is not kept.
    const cacheOptions = {
      variant: `max-output=${renderSettings().maxOutputBytes}`,
      cacheable: (e: unknown) => !(e instanceof RenderTimedOut),
    };
    // A build is keyed by the bytes it reads, so an environment the change does not touch (and
    // base/) is a cache hit on the other side of the same change.
    const build = async (files: ReadonlyMap<string, string>, path: string) => {
      const inputs = kustomizationInputs(files, path).map((p) => [p, files.get(p)!] as const);
      const tree: MaterialisedTree = { root: dir, digest: treeDigest(inputs) };
      return parseManifestsAsync(await renderCache.render(tree, path, (target) => kustomizeBuild(target, { root: dir }), cacheOptions));
    };
    const environmentFiles = new Map([...files].filter(([p]) => p.startsWith("environments/")));
    const overlayFiles = new Map([...files].filter(([p]) => p.startsWith("overlays/")));
    const environments = new Map<string, RenderedEnvironment>();

    let base;
    try {
      base = baseInventory(await build(written, "base"), files.get("base/kustomization.yaml") ?? "");
    } catch (error) {
      const message = renderFailure(error);
      for (const path of environmentFiles.keys()) {
        const name = path.replace(/^environments\//, "").replace(/\.ya?ml$/, "");
        environments.set(name, { name, file: path, problems: [], renderError: `base/ does not build: ${message}`, staleOverlay: false });
      }
      return { environments, changes: [], problems: [], lifted: [], baseError: message };
    }

    const before = options.before;
    const committed = before
      ? {
          environmentFiles: new Map([...before].filter(([p]) => p.startsWith("environments/"))),
          overlayFiles: new Map([...before].filter(([p]) => p.startsWith("overlays/"))),
        }
      : undefined;
    const render = computeRender({ environmentFiles, overlayFiles, base, ...(committed ? { committed } : {}) });
    if (!options.asCommitted) {
      await applyChanges(dir, render.changes);
      for (const change of render.changes) {
        if (change.after === undefined) written.delete(change.path);
        else written.set(change.path, change.after);
      }
    }
    const stale = new Set(render.changes.filter((c) => c.path.startsWith("overlays/")).map((c) => c.path.split("/")[1]));

    await Promise.all(
      render.environments.map(async (parsed) => {
        // Problems of the environment file, and of its overlay (an edit kustodian cannot lift, a file it did not write).
        const problems = render.problems.filter((p) => p.file === parsed.file || p.file.startsWith(`overlays/${parsed.name}/`));
        const entry: RenderedEnvironment = { name: parsed.name, file: parsed.file, problems, staleOverlay: stale.has(parsed.name) };
        if (parsed.ok) entry.env = parsed.env;
        const lifted = render.lifted.filter((l) => l.file === parsed.file);
        if (lifted.length) entry.lifted = lifted;
        const committedOverlay = options.asCommitted && [...overlayFiles.keys()].some((p) => p.startsWith(`overlays/${parsed.name}/`));
        const skipped = options.unchanged?.has(parsed.name) && (options.asCommitted || !stale.has(parsed.name));
        if (skipped) entry.unchanged = true;
        else if (options.asCommitted ? committedOverlay : problems.length === 0) {
          try {
            entry.objects = await build(written, `overlays/${parsed.name}`);
          } catch (error) {
            entry.renderError = renderFailure(error);
          }
        }
        environments.set(parsed.name, entry);
      }),
    );
    return {
      environments: new Map([...environments].sort(([a], [b]) => (a < b ? -1 : 1))),
      changes: render.problems.length ? [] : render.changes,
      problems: render.problems,
      lifted: render.problems.length ? [] : render.lifted,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the PR shows when a render ends without manifests (the sandbox's errors say what and where). */
function renderFailure(error: unknown): string {
  return error instanceof RenderError ? error.userMessage : (error as Error).message;
}
