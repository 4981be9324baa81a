// `kustodian init [--write]`: adopt an existing repository (issue 12). Finds the overlays (from
// Argo CD / Flux manifests and */overlays/<env> directories), lifts each into an environment file,
// and proves it: every overlay is built with kustomize before and after, and the objects compared.
// Without --write nothing is written; with it, only lossless overlays are converted, and the Argo
// CD / Flux manifests are never touched.
import { mkdtemp, readdir, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, posix, relative } from "node:path";
import { compareObjects, objectId } from "../adopt/compare-objects.ts";
import { liftOverlay, overlayBases, type Loss } from "../adopt/lift-overlay.ts";
import { layoutText, propose, type ImportedOverlay } from "../adopt/propose.ts";
import { findSyncTargets, type SyncTarget } from "../adopt/sync-objects.ts";
import { parseEnvironmentFile } from "../environments/parse.ts";
import { formatProblem } from "../environments/problems.ts";
import type { KubeObject } from "../k8s/manifest-types.ts";
import { renderManifests } from "../render/kustomize-build.ts";
import { KustomizeBuildError, RenderError } from "../render/render-errors.ts";
import type { FileChange } from "../layout/file-change.ts";
import { layoutFiles } from "../layout/layout.ts";
import { baseInventory } from "../overlays/base-inventory.ts";
import { checkAgainstBase } from "../overlays/check-against-base.ts";
import { generatedMarker, generateOverlay } from "../overlays/generate.ts";
import { applyChanges } from "../repo/fs-snapshot.ts";
import type { CliIo } from "./io.ts";

const kustomizationNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const maxFiles = 20_000;
const maxFileBytes = 1024 * 1024;
const skipped = new Set([".git", "node_modules"]);

export interface InitOptions {
  write: boolean;
}

async function readRepository(root: string): Promise<Map<string, string>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = new Map<string, string>();
  for (const e of entries) {
    if (!e.isFile()) continue;
    const path = relative(root, join(e.parentPath, e.name)).split("\\").join("/");
    if (path.split("/").some((s) => skipped.has(s))) continue;
    if (files.size >= maxFiles) throw new Error(`the repository has more than ${maxFiles} files; run init in a smaller checkout`);
    if ((await stat(join(root, path))).size > maxFileBytes) continue;
    files.set(path, await readFile(join(root, path), "utf8"));
  }
  return files;
}

function kustomizationOf(files: ReadonlyMap<string, string>, dir: string): string | undefined {
  for (const n of kustomizationNames) {
    const p = dir ? `${dir}/${n}` : n;
    if (files.has(p)) return p;
  }
  return undefined;
}

async function build(root: string, dir: string): Promise<{ ok: true; objects: KubeObject[] } | { ok: false; error: string }> {
  try {
    return { ok: true, objects: await renderManifests(join(root, dir), { root }) };
  } catch (error) {
    if (error instanceof KustomizeBuildError) return { ok: false, error: error.stderr.trim().split("\n")[0]! };
    if (error instanceof RenderError) return { ok: false, error: error.userMessage };
    throw error;
  }
}

export async function initCommand(io: CliIo, options: InitOptions): Promise<number> {
  const root = io.cwd;
  const files = await readRepository(root);
  const kustomizationDirs = new Set(
    [...files.keys()]
      .filter((p) => kustomizationNames.includes(posix.basename(p)))
      .map((p) => (posix.dirname(p) === "." ? "" : posix.dirname(p))),
  );
  const allDirs = [...new Set([...files.keys()].map((p) => posix.dirname(p)).filter((d) => d !== "."))].sort();
  const discovery = findSyncTargets(files, allDirs);
  const notes = [...discovery.notes];
  const losses: Loss[] = [];

  // Candidate overlays: what a sync object points at, and */overlays/<env> directories.
  const byPath = new Map<string, SyncTarget[]>();
  for (const t of discovery.targets) byPath.set(t.path, [...(byPath.get(t.path) ?? []), t]);
  const candidates = new Set<string>();
  for (const [path, targets] of byPath) {
    if (kustomizationDirs.has(path)) candidates.add(path);
    else notes.push(`${targets[0]!.source}: ${targets[0]!.name} points at ${path || "."}, which has no kustomization; left as it is`);
  }
  for (const d of kustomizationDirs) if (/(^|\/)overlays\/[^/]+$/.test(d)) candidates.add(d);

  const scratch = await mkdtemp(join(tmpdir(), "kustodian-init-"));
  try {
    const before = join(scratch, "before");
    const after = join(scratch, "after");
    await applyChanges(
      before,
      [...files].map(([path, text]) => ({ path, after: text })),
    );

    const imported: ImportedOverlay[] = [];
    const inventories = new Map<string, ReturnType<typeof baseInventory>>();
    const beforeObjects = new Map<string, KubeObject[]>();
    let alreadyGenerated = 0;
    for (const dir of [...candidates].sort()) {
      const kfile = kustomizationOf(files, dir)!;
      const text = files.get(kfile)!;
      if (text.includes(generatedMarker)) {
        alreadyGenerated++;
        continue;
      }
      const bases = overlayBases(dir, text, kustomizationDirs);
      if (bases.length === 0) {
        notes.push(`${dir || "."} builds on no base directory; it is not an overlay kustodian can generate, left as it is`);
        continue;
      }
      const key = bases.join("\n");
      if (!inventories.has(key)) {
        const objects: KubeObject[] = [];
        const texts: string[] = [];
        for (const b of bases) {
          const bb = await build(before, b);
          if (bb.ok) objects.push(...bb.objects);
          texts.push(files.get(kustomizationOf(files, b)!) ?? "");
        }
        inventories.set(key, baseInventory(objects, texts));
      }
      const lifted = liftOverlay(dir, kfile, text, inventories.get(key)!, kustomizationDirs);
      if (!lifted.ok) {
        losses.push(...lifted.losses);
        continue;
      }
      const built = await build(before, dir);
      if (!built.ok) {
        losses.push({ where: dir, what: `kustomize cannot build it before the import: ${built.error}` });
        continue;
      }
      const helm = built.objects.filter((o) => o.kind === "HelmRelease");
      if (helm.length) {
        for (const h of helm)
          losses.push({ where: dir, what: `${objectId(h)}: a Helm release's values are not imported; the overlay is left as it is` });
        continue;
      }
      beforeObjects.set(dir, built.objects);
      let namespace = lifted.lifted.namespace;
      if (namespace === undefined) {
        const namespaces = [...new Set(built.objects.flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : [])))];
        if (namespaces.length !== 1) {
          losses.push({
            where: kfile,
            what: `no namespace: field, and its objects are in ${namespaces.length ? namespaces.join(", ") : "no namespace"}; environment files need one namespace`,
          });
          continue;
        }
        namespace = namespaces[0]!;
      }
      const targets = byPath.get(dir) ?? [];
      if (targets.length > 1)
        notes.push(
          `${dir} is deployed by ${targets.map((t) => `${t.tool} ${t.name}`).join(" and ")}; the environment file names the first`,
        );
      imported.push({ dir, lifted: lifted.lifted, namespace, ...(targets[0] ? { sync: targets[0] } : {}) });
    }

    const proposal = propose(imported);
    for (const r of proposal.refused) losses.push({ where: r.dir, what: r.why });

    // Generate each environment's overlay, build it, compare.
    await applyChanges(
      after,
      [...files].map(([path, text]) => ({ path, after: text })),
    );
    const writes: FileChange[] = [];
    const converted: string[] = [];
    for (const env of proposal.environments) {
      const where = env.overlay.dir;
      if (files.has(env.file)) {
        losses.push({ where: env.file, what: "the environment file init would write already exists" });
        continue;
      }
      const parsed = parseEnvironmentFile(env.file, env.text);
      if (!parsed.ok) {
        losses.push(...parsed.problems.map((p) => ({ where, what: `the environment file would be invalid: ${formatProblem(p)}` })));
        continue;
      }
      const inventory = inventories.get(env.overlay.lifted.bases.join("\n"))!;
      const problems = checkAgainstBase(env.file, env.text, parsed.doc, parsed.env, inventory);
      if (problems.length) {
        losses.push(...problems.map((p) => ({ where, what: `the environment file would be refused: ${formatProblem(p)}` })));
        continue;
      }
      const generated = generateOverlay(env.name, parsed.env, inventory, { file: env.file, dir: where, bases: env.baseRefs });
      const original = kustomizationOf(files, where)!;
      const changes: FileChange[] = [...generated].map(([path, text]) => ({
        path,
        after: text,
        ...(files.has(path) ? { before: files.get(path)! } : {}),
      }));
      if (!generated.has(original)) changes.push({ path: original, before: files.get(original)! });
      await applyChanges(after, changes);
      const built = await build(after, where);
      const differences = built.ok
        ? compareObjects(beforeObjects.get(where)!, built.objects)
        : [`kustomize cannot build the generated overlay: ${built.error}`];
      if (differences.length) {
        losses.push(...differences.map((d) => ({ where, what: d })));
        // Put the original back so other overlays build against the repository as it is.
        await applyChanges(
          after,
          changes.map((c) => ({ path: c.path, ...(c.before !== undefined ? { after: c.before } : {}) })),
        );
        continue;
      }
      notes.push(...env.notes);
      writes.push({ path: env.file, after: env.text }, ...changes);
      converted.push(
        `${where}/ -> ${env.file} (app ${env.app}, environment ${env.name}): builds the same ${beforeObjects.get(where)!.length} objects`,
      );
    }

    const apps = proposal.apps.filter((a) => writes.some((w) => proposal.environments.some((e) => e.app === a.name && e.file === w.path)));
    const layout = layoutText(apps);
    if (layout !== undefined && apps.length) {
      // Where src/layout reads it: the first of its layout files (an existing one, either spelling, is never changed).
      const existing = layoutFiles.find((f) => files.has(f));
      if (existing !== undefined) losses.push({ where: existing, what: "a layout file exists already; init does not change it" });
      else writes.unshift({ path: layoutFiles[0], after: layout });
    }

    for (const c of converted) io.stdout.write(`${options.write ? "converted" : "would convert"} ${c}\n`);
    for (const n of notes) io.stdout.write(`note: ${n}\n`);
    if (!options.write) {
      for (const w of writes) {
        if (w.after === undefined) io.stdout.write(`\n# --- ${w.path} (would be deleted)\n`);
        else io.stdout.write(`\n# --- ${w.path}\n${w.after}`);
      }
    } else {
      await applyChanges(root, writes);
      for (const w of writes)
        io.stdout.write(`${w.after === undefined ? "deleted" : w.before === undefined ? "created" : "updated"} ${w.path}\n`);
    }
    for (const l of losses) io.stderr.write(`not imported: ${l.where}: ${l.what}\n`);
    if (converted.length === 0 && losses.length === 0) {
      if (alreadyGenerated > 0) {
        io.stdout.write(`nothing to import: ${alreadyGenerated} overlay(s) are generated by kustodian already\n`);
        return 0;
      }
      io.stderr.write("kustodian: found no overlay to import\n");
    }
    if (losses.length) {
      io.stderr.write(
        `kustodian init: ${losses.length} thing(s) not imported${options.write ? "; everything else was written" : "; nothing was written"}\n`,
      );
      return 1;
    }
    if (converted.length === 0) return 1;
    io.stdout.write(
      options.write
        ? "the import is lossless; run `npx kustodian render --check` to confirm\n"
        : "the import is lossless; run `npx kustodian init --write` to write it\n",
    );
    return 0;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
