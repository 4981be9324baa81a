// The effectful half of planning: a tree rendered with the real kustomize, as the pure planner
// (src/plan/compute-plan.ts) takes it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderManifests } from "../render/kustomize-build.ts";
import { RenderError } from "../render/render-errors.ts";
import { baseInventory } from "../overlays/base-inventory.ts";
import { computeRender } from "../overlays/compute-render.ts";
import type { RenderedEnvironment, RenderedSnapshot } from "../plan/rendered-snapshot.ts";
import { applyChanges } from "./fs-snapshot.ts";

/**
 * Renders every environment of a tree (path -> text) the way it will be deployed: overlays are
 * regenerated from the environment files first (what kustodian commits), then built with the
 * real kustomize in a scratch directory.
 */
export async function renderSnapshot(files: ReadonlyMap<string, string>): Promise<RenderedSnapshot> {
  const dir = await mkdtemp(join(tmpdir(), "kustodian-render-"));
  try {
    await applyChanges(
      dir,
      [...files].filter(([p]) => p.startsWith("base/") || p.startsWith("overlays/")).map(([path, after]) => ({ path, after })),
    );
    const environmentFiles = new Map([...files].filter(([p]) => p.startsWith("environments/")));
    const overlayFiles = new Map([...files].filter(([p]) => p.startsWith("overlays/")));
    const environments = new Map<string, RenderedEnvironment>();

    let base;
    try {
      base = baseInventory(await renderManifests(join(dir, "base"), { root: dir }), files.get("base/kustomization.yaml") ?? "");
    } catch (error) {
      const message = renderFailure(error);
      for (const path of environmentFiles.keys()) {
        const name = path.replace(/^environments\//, "").replace(/\.ya?ml$/, "");
        environments.set(name, { name, file: path, problems: [], renderError: `base/ does not build: ${message}`, staleOverlay: false });
      }
      return { environments, changes: [], problems: [], baseError: message };
    }

    const render = computeRender({ environmentFiles, overlayFiles, base });
    await applyChanges(dir, render.changes);
    const stale = new Set(render.changes.map((c) => c.path.split("/")[1]));

    await Promise.all(
      render.environments.map(async (parsed) => {
        const problems = render.problems.filter((p) => p.file === parsed.file);
        const entry: RenderedEnvironment = { name: parsed.name, file: parsed.file, problems, staleOverlay: stale.has(parsed.name) };
        if (parsed.ok) entry.env = parsed.env;
        if (problems.length === 0) {
          try {
            entry.objects = await renderManifests(join(dir, "overlays", parsed.name), { root: dir });
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
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What the PR shows when a render ends without manifests (the sandbox's errors say what and where). */
function renderFailure(error: unknown): string {
  return error instanceof RenderError ? error.userMessage : (error as Error).message;
}
