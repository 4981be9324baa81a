// Which files of a tree kustodian reads, decided in rounds so every adapter (git, GitHub, the
// working tree) reads the same set: first the layout file, then every environment file, overlay
// and base the layout names, then whatever their kustomizations refer to elsewhere in the
// repository (`../components`), until nothing new is referred to. Paths outside the repository
// and remote references are never followed.
import { posix } from "node:path";
import { memoByText } from "../text/memo-by-text.ts";
import { readYaml } from "../text/read-yaml.ts";
import { layoutFiles } from "./layout.ts";
import { layoutOfFiles } from "./parse-layout.ts";
import { isUnder, kustomizationFileNames, overlayEnvironmentOf, environmentFileOf } from "./paths.ts";

/** Rounds of references followed at most (a chain of bases and components deeper than this is not read). */
export const maxReadRounds = 8;

/**
 * The paths to read next, given every path of the tree and the files read so far; empty when
 * everything needed has been read. Call it again with what was read until it returns nothing.
 */
export function pathsToRead(tree: readonly string[], read: ReadonlyMap<string, string>): string[] {
  const missing = (paths: Iterable<string>) => [...new Set(paths)].filter((p) => !read.has(p)).sort();
  const layoutPaths = layoutFiles.filter((f) => tree.includes(f));
  const unreadLayout = missing(layoutPaths);
  if (unreadLayout.length) return unreadLayout;
  const result = layoutOfFiles(read);
  if (!result.ok) return [];
  const { layout } = result;

  const wanted = new Set<string>();
  for (const path of tree) {
    if (environmentFileOf(layout, path) || overlayEnvironmentOf(layout, path)) wanted.add(path);
    else if (layout.apps.some((a) => a.bases.some((b) => isUnder(path, b)))) wanted.add(path);
  }
  const treeSet = new Set(tree);
  for (const [path, text] of read) {
    if (!kustomizationFileNames.some((n) => path === n || path.endsWith(`/${n}`))) continue;
    for (const ref of kustomizationReferences(posix.dirname(path), text)) {
      if (treeSet.has(ref)) wanted.add(ref);
      else for (const p of tree) if (isUnder(p, ref)) wanted.add(p);
    }
  }
  return missing(wanted);
}

/**
 * A kustomization's values (undefined when it does not parse), read once per text: the read
 * rounds, the unchanged-environment digests, the render cache keys and the sandbox's scan all ask.
 * Shared: never modify what it returns.
 */
export const kustomizationValues = memoByText(
  (text): Record<string, unknown> | undefined => {
    try {
      return (readYaml(text) ?? {}) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  },
  16 * 1024 * 1024,
);

/**
 * Repository paths a kustomization refers to (resources, bases, components, patch and generator
 * files, ...), resolved against its directory; remote and absolute references and paths that
 * leave the repository are left out. A file that does not parse refers to nothing (kustomize
 * reports it when it builds).
 */
export function kustomizationReferences(dir: string, text: string): string[] {
  const k = kustomizationValues(text);
  if (typeof k !== "object" || k === null) return [];
  const refs: unknown[] = [];
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  for (const key of [
    "resources",
    "bases",
    "components",
    "crds",
    "generators",
    "transformers",
    "validators",
    "patchesStrategicMerge",
    "configurations",
    "openapi",
  ]) {
    refs.push(...list(k[key]));
  }
  for (const p of [...list(k.patches), ...list(k.patchesJson6902)])
    if (p && typeof p === "object") refs.push((p as { path?: unknown }).path);
  for (const g of [...list(k.configMapGenerator), ...list(k.secretGenerator), ...list(k.helmCharts)]) {
    if (!g || typeof g !== "object") continue;
    const gen = g as { files?: unknown; envs?: unknown; env?: unknown; valuesFile?: unknown };
    for (const f of list(gen.files)) refs.push(typeof f === "string" ? f.slice(f.indexOf("=") + 1) : f);
    refs.push(...list(gen.envs), gen.env, gen.valuesFile);
  }
  const out: string[] = [];
  for (const ref of refs) {
    if (typeof ref !== "string" || ref === "" || ref.includes("\n")) continue;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ref) || /^(git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(ref) || ref.startsWith("/"))
      continue;
    const resolved = posix.normalize(posix.join(dir, ref.split("?")[0]!));
    if (resolved === ".." || resolved.startsWith("../") || resolved === ".") continue;
    out.push(resolved.replace(/\/$/, ""));
  }
  return out;
}
