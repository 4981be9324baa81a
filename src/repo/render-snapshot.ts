// The effectful half of planning: a tree rendered with the real kustomize, as the pure planner
// (src/plan/compute-plan.ts) takes it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { layoutOfFiles } from "../layout/parse-layout.ts";
import {
  environmentsOf,
  isEnvironmentFile,
  kustomizationFileIn,
  overlayEnvironmentOf,
  environmentKey,
  type EnvironmentRef,
} from "../layout/paths.ts";
import { parseEnvironmentFile } from "../environments/parse.ts";
import { kustomizeBuild } from "../render/kustomize-build.ts";
import { parseManifestsAsync } from "../render/parse-manifests.ts";
import { RenderError, RenderTimedOut } from "../render/render-errors.ts";
import { renderSettings } from "../render/render-settings.ts";
import { baseInventory, mergeInventories, type BaseInventory } from "../overlays/base-inventory.ts";
import { computeRender } from "../overlays/compute-render.ts";
import type { RenderedEnvironment, RenderedSnapshot } from "../plan/rendered-snapshot.ts";
import { renderCache, treeDigest, type MaterialisedTree } from "../render/render-cache.ts";
import { kustomizationInputs } from "../render/kustomization-inputs.ts";
import type { KubeObject } from "../k8s/manifest-types.ts";
import type { FileChange } from "../layout/file-change.ts";
import { applyChanges } from "./fs-snapshot.ts";

/** The pseudo-environment under which an invalid layout file is shown in a plan. */
export const layoutEnvironmentName = "(layout)";

export interface RenderSnapshotOptions {
  /**
   * Build the overlays as they are committed (what is deployed: the plan's "before" side) instead
   * of regenerating them first, so an out-of-band change shows in the plan instead of being hidden.
   */
  asCommitted?: boolean;
  /** The tree before this change (the PR's base): overlay edits made since are lifted (src/overlays/lift-edits.ts). */
  before?: ReadonlyMap<string, string>;
  /**
   * Environments (keys) whose inputs the change leaves as they are: not rendered, marked
   * `unchanged` (on the head side, one whose committed overlay is stale is rendered all the same).
   */
  unchanged?: ReadonlySet<string>;
}

/**
 * Renders every environment of a tree (path -> text: the files src/layout says to read) the way it
 * will be deployed: overlays are regenerated from the environment files first (what kustodian
 * commits; unless `asCommitted`), then built with the real kustomize in a scratch directory
 * holding the tree's files. Builds of bytes built before come from the render cache.
 */
export async function renderSnapshot(files: ReadonlyMap<string, string>, options: RenderSnapshotOptions = {}): Promise<RenderedSnapshot> {
  const layoutResult = layoutOfFiles(files);
  if (!layoutResult.ok) {
    const entry: RenderedEnvironment = {
      name: layoutEnvironmentName,
      file: layoutResult.file,
      problems: layoutResult.problems,
      staleOverlay: false,
    };
    return { environments: new Map([[entry.name, entry]]), changes: [], problems: layoutResult.problems, lifted: [] };
  }
  const layout = layoutResult.layout;
  const dir = await mkdtemp(join(tmpdir(), "kustodian-render-"));
  try {
    const written = new Map(files);
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
    // its bases) is a cache hit on the other side of the same change.
    // One build (and one parse) per directory and input bytes in this render, however often asked.
    const builds = new Map<string, Promise<KubeObject[]>>();
    const build = (files: ReadonlyMap<string, string>, path: string, first = false): Promise<KubeObject[]> => {
      const inputs = kustomizationInputs(files, path).map((p) => [p, files.get(p)!] as const);
      const tree: MaterialisedTree = { root: dir, digest: treeDigest(inputs) };
      const key = `${path}\0${tree.digest}`;
      let building = builds.get(key);
      if (!building) {
        building = renderCache
          .render(tree, path, (target) => kustomizeBuild(target, { root: dir, first }), cacheOptions)
          .then((output) => parseManifestsAsync(output));
        builds.set(key, building);
      }
      return building;
    };
    /** Writes what a render changes into the scratch tree; a file already holding those bytes is not rewritten (a build may be reading it). */
    const write = async (changes: readonly FileChange[]) => {
      const pending = changes.filter((c) => (c.after === undefined ? written.has(c.path) : written.get(c.path) !== c.after));
      await applyChanges(dir, pending);
      for (const change of pending) {
        if (change.after === undefined) written.delete(change.path);
        else written.set(change.path, change.after);
      }
    };
    const environmentFiles = new Map([...files].filter(([p]) => isEnvironmentFile(layout, p)));
    const overlayFiles = new Map([...files].filter(([p]) => overlayEnvironmentOf(layout, p) !== undefined));
    const refs = environmentsOf(layout, environmentFiles.keys());
    const environments = new Map<string, RenderedEnvironment>();

    // As committed, an overlay builds without its bases' inventory and nothing is regenerated.
    if (options.asCommitted)
      return { ...(await renderCommitted(refs, environmentFiles, overlayFiles, options, (p) => build(written, p))), layout };

    const bases = new Map<string, BaseInventory>();
    const baseErrors = new Map<string, string>();
    for (const app of layout.apps) {
      if (!refs.some((r) => r.app === app.name)) continue;
      try {
        const inventories = await Promise.all(
          app.bases.map(async (b) => {
            const kustomization = kustomizationFileIn(b, files);
            // Every regenerated overlay waits on the bases' inventory: their builds go first.
            return baseInventory(await build(written, b, true), kustomization ? files.get(kustomization)! : "");
          }),
        );
        bases.set(app.name, mergeInventories(inventories));
      } catch (error) {
        baseErrors.set(app.name, `${app.bases.join(", ")} does not build: ${renderFailure(error)}`);
      }
    }
    for (const ref of refs) {
      const error = baseErrors.get(ref.app);
      if (error) environments.set(ref.key, { ...identity(ref), problems: [], renderError: error, staleOverlay: false });
    }
    if (baseErrors.size && bases.size === 0) {
      return {
        environments: sorted(environments),
        changes: [],
        problems: [],
        lifted: [],
        baseError: [...baseErrors.values()].join("\n"),
        layout,
      };
    }

    const committed = options.before
      ? {
          environmentFiles: new Map([...options.before].filter(([p]) => isEnvironmentFile(layout, p))),
          overlayFiles: new Map([...options.before].filter(([p]) => overlayEnvironmentOf(layout, p) !== undefined)),
        }
      : undefined;
    const renderable = new Map([...environmentFiles].filter(([p]) => !baseErrors.has(refs.find((r) => r.file === p)!.app)));
    // The environments the change touches are regenerated and their builds started first: the
    // others are regenerated only to find stale overlays, while those builds run. Each
    // environment's overlay depends on its own files only, so the full render below generates the
    // same bytes for them (and the builds are shared).
    const touched = new Set(refs.filter((r) => options.unchanged && !options.unchanged.has(r.key)).map((r) => r.key));
    if (touched.size > 0 && touched.size < refs.length) {
      const ofTouched = (p: string) => {
        const owner = overlayEnvironmentOf(layout, p);
        const key = owner ? environmentKey(layout, owner.app.name, owner.name) : refs.find((r) => r.file === p)?.key;
        return key !== undefined && touched.has(key);
      };
      const first = computeRender({
        environmentFiles: new Map([...renderable].filter(([p]) => ofTouched(p))),
        overlayFiles: new Map([...overlayFiles].filter(([p]) => ofTouched(p))),
        layout,
        bases,
        ...(committed ? { committed } : {}),
      });
      await write(first.changes);
      for (const parsed of first.environments) {
        if (first.problems.some((p) => p.file === parsed.file || p.file.startsWith(`${parsed.ref.overlay}/`))) continue;
        build(written, parsed.ref.overlay).catch(() => undefined); // awaited (and reported) below
      }
    }
    const render = computeRender({ environmentFiles: renderable, overlayFiles, layout, bases, ...(committed ? { committed } : {}) });
    await write(render.changes);
    const stale = new Set(
      render.changes.flatMap((c) => {
        const owner = overlayEnvironmentOf(layout, c.path);
        // Environment files changed by a lift are not stale overlays.
        return owner ? [environmentKey(layout, owner.app.name, owner.name)] : [];
      }),
    );

    await Promise.all(
      render.environments.map(async (parsed) => {
        // Problems of the environment file, and of its overlay (an edit kustodian cannot lift, a file it did not write).
        const problems = render.problems.filter((p) => p.file === parsed.file || p.file.startsWith(`${parsed.ref.overlay}/`));
        const entry: RenderedEnvironment = { ...identity(parsed.ref), problems, staleOverlay: stale.has(parsed.ref.key) };
        if (parsed.ok) entry.env = parsed.env;
        const lifted = render.lifted.filter((l) => l.file === parsed.file);
        if (lifted.length) entry.lifted = lifted;
        const skipped = options.unchanged?.has(parsed.ref.key) && !stale.has(parsed.ref.key);
        if (skipped) entry.unchanged = true;
        else if (problems.length === 0) {
          try {
            entry.objects = await build(written, parsed.ref.overlay);
          } catch (error) {
            entry.renderError = renderFailure(error);
          }
        }
        environments.set(parsed.ref.key, entry);
      }),
    );
    return {
      environments: sorted(environments),
      changes: render.problems.length ? [] : render.changes,
      problems: render.problems,
      lifted: render.problems.length ? [] : render.lifted,
      ...(baseErrors.size ? { baseError: [...baseErrors.values()].join("\n") } : {}),
      layout,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The environments of a tree as committed (the plan's "before" side, what is deployed): each
 * environment file parsed, each committed overlay built as it is. Nothing is regenerated, so the
 * bases' inventory is not needed and no base is built for it; an environment whose inputs the
 * change leaves alone is only named.
 */
async function renderCommitted(
  refs: readonly EnvironmentRef[],
  environmentFiles: ReadonlyMap<string, string>,
  overlayFiles: ReadonlyMap<string, string>,
  options: RenderSnapshotOptions,
  build: (dir: string) => Promise<KubeObject[]>,
): Promise<RenderedSnapshot> {
  const environments = new Map<string, RenderedEnvironment>();
  await Promise.all(
    refs.map(async (ref) => {
      const entry: RenderedEnvironment = { ...identity(ref), problems: [], staleOverlay: false };
      environments.set(ref.key, entry);
      if (options.unchanged?.has(ref.key)) {
        entry.unchanged = true;
        return;
      }
      const parsed = parseEnvironmentFile(ref.file, environmentFiles.get(ref.file)!, ref.name);
      if (parsed.ok) entry.env = parsed.env;
      else entry.problems = parsed.problems;
      if (![...overlayFiles.keys()].some((p) => p.startsWith(`${ref.overlay}/`))) return;
      try {
        entry.objects = await build(ref.overlay);
      } catch (error) {
        entry.renderError = renderFailure(error);
      }
    }),
  );
  return { environments: sorted(environments), changes: [], problems: [], lifted: [] };
}

/** What the PR shows when a render ends without manifests (the sandbox's errors say what and where). */
function renderFailure(error: unknown): string {
  return error instanceof RenderError ? error.userMessage : (error as Error).message;
}

function identity(ref: { key: string; app: string; file: string; overlay: string; bases: readonly string[]; context?: string }) {
  return {
    name: ref.key,
    app: ref.app,
    file: ref.file,
    overlay: ref.overlay,
    bases: ref.bases,
    ...(ref.context ? { layoutContext: ref.context } : {}),
  };
}

function sorted<T>(m: Map<string, T>): Map<string, T> {
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
}
