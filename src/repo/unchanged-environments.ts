// Which environments a change leaves alone: their environment file, the bases the overlays are
// generated from, and every file the build of their overlay reads (bases, components, patches)
// are the same bytes on both sides. Those are listed as unchanged and not rendered.
import { layoutOfFiles } from "../layout/parse-layout.ts";
import { environmentsOf, sameYaml, type EnvironmentRef } from "../layout/paths.ts";
import { kustomizationInputs } from "../render/kustomization-inputs.ts";
import { treeDigest } from "../render/render-cache.ts";
import type { RenderedSnapshot } from "../plan/rendered-snapshot.ts";

/** A digest of everything the rendered output of an environment depends on in `files`. */
export function environmentInputsDigest(files: ReadonlyMap<string, string>, ref: EnvironmentRef): string {
  const paths = new Set([
    ...[...files.keys()].filter((p) => sameYaml(p, ref.file)),
    ...ref.bases.flatMap((b) => kustomizationInputs(files, b)),
    ...kustomizationInputs(files, ref.overlay),
  ]);
  return treeDigest([...paths].sort().map((p) => [p, files.get(p)!] as const));
}

/** The environments of a tree, by key (none when its layout file is invalid). */
function environmentsByKey(files: ReadonlyMap<string, string>): Map<string, EnvironmentRef> {
  const layout = layoutOfFiles(files);
  if (!layout.ok) return new Map();
  return new Map(environmentsOf(layout.layout, files.keys()).map((e) => [e.key, e]));
}

/** Environments (keys) present on both sides whose inputs, and layout file, are byte for byte the same. */
export function unchangedEnvironments(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>): Set<string> {
  const inBase = environmentsByKey(base);
  const inHead = environmentsByKey(head);
  const layoutSame = [".kustodian/layout.yaml", ".kustodian/layout.yml"].every((p) => base.get(p) === head.get(p));
  if (!layoutSame) return new Set();
  return new Set(
    [...inHead]
      .filter(([key, ref]) => {
        const was = inBase.get(key);
        return was !== undefined && environmentInputsDigest(base, was) === environmentInputsDigest(head, ref);
      })
      .map(([key]) => key),
  );
}

/** The environments a snapshot left unrendered (its other side must leave exactly these too). */
export function notRendered(snapshot: RenderedSnapshot): Set<string> {
  return new Set([...snapshot.environments.values()].filter((e) => e.unchanged).map((e) => e.name));
}
