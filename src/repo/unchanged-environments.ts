// Which environments a change leaves alone: their environment file, the base/ the overlays are
// generated from, and every file the build of their overlay reads (bases, components, patches)
// are the same bytes on both sides. Those are listed as unchanged and not rendered.
import { kustomizationInputs } from "../render/kustomization-inputs.ts";
import { treeDigest } from "../render/render-cache.ts";
import type { RenderedSnapshot } from "../plan/rendered-snapshot.ts";

/** A digest of everything the rendered output of environment `name` depends on in `files`. */
export function environmentInputsDigest(files: ReadonlyMap<string, string>, name: string): string {
  const paths = new Set([
    ...[`environments/${name}.yaml`, `environments/${name}.yml`].filter((p) => files.has(p)),
    ...kustomizationInputs(files, "base"),
    ...kustomizationInputs(files, `overlays/${name}`),
  ]);
  return treeDigest([...paths].map((p) => [p, files.get(p)!] as const));
}

/** The names of environment files in a tree. */
export function environmentNames(files: ReadonlyMap<string, string>): string[] {
  return [...files.keys()].flatMap((p) => {
    const match = /^environments\/([^/]+)\.ya?ml$/.exec(p);
    return match ? [match[1]!] : [];
  });
}

/** Environments present on both sides whose inputs are byte for byte the same. */
export function unchangedEnvironments(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>): Set<string> {
  const inBase = new Set(environmentNames(base));
  return new Set(
    environmentNames(head).filter(
      (name) => inBase.has(name) && environmentInputsDigest(base, name) === environmentInputsDigest(head, name),
    ),
  );
}

/** The environments a snapshot left unrendered (its other side must leave exactly these too). */
export function notRendered(snapshot: RenderedSnapshot): Set<string> {
  return new Set([...snapshot.environments.values()].filter((e) => e.unchanged).map((e) => e.name));
}
