// Pure questions about paths, answered from the layout: which environment a path belongs to,
// the environment file, overlay and bases of an (app, environment), whether a changed path
// affects an environment. `.yaml` and `.yml` are the same everywhere.
import { posix } from "node:path";
import { defaultAppName, type AppLayout, type RepositoryLayout } from "./layout.ts";

/** One environment of one app, with every path kustodian needs for it (relative to the repository root). */
export interface EnvironmentRef {
  app: string;
  /** The environment's own name (`prod`), from its file name or the template's {env}. */
  name: string;
  /**
   * How kustodian names it everywhere (plans, commands, GitHub Deployments, reverts): `prod` when
   * the layout has one app (so the default layout's names never change), `shop/prod` when several.
   */
  key: string;
  /** The environment file (`.yaml` or `.yml`, as found). */
  file: string;
  /** The generated overlay directory. */
  overlay: string;
  bases: readonly string[];
  /** Kube context the layout gives this environment (the environment file's `sync.context` wins). */
  context?: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const segment = "([^/]+)";

/** `environments/{env}.yaml` -> /^environments\/([^/]+)\.ya?ml$/ */
function fileRegex(app: AppLayout): RegExp {
  const [before, after] = app.environments.split("{env}") as [string, string];
  return new RegExp(`^${escape(before)}${segment}${escape(after.replace(/\.yaml$/, ""))}\\.ya?ml$`);
}

/** `overlays/{env}` -> /^overlays\/([^/]+)\// (a file under the overlay directory) */
function overlayRegex(app: AppLayout): RegExp {
  const [before, after] = app.overlays.split("{env}") as [string, string];
  return new RegExp(`^${escape(before)}${segment}${escape(after)}/`);
}

export function isSingleApp(layout: RepositoryLayout): boolean {
  return layout.apps.length === 1;
}

export function environmentKey(layout: RepositoryLayout, app: string, name: string): string {
  return isSingleApp(layout) ? name : `${app}/${name}`;
}

export function appOf(layout: RepositoryLayout, name: string): AppLayout | undefined {
  return layout.apps.find((a) => a.name === name);
}

/** The environment an (app, name) has; `file` defaults to the `.yaml` spelling. */
export function environmentRef(layout: RepositoryLayout, app: AppLayout | string, name: string, file?: string): EnvironmentRef {
  const a = typeof app === "string" ? appOf(layout, app) : app;
  if (!a) throw new Error(`the layout has no app "${String(app)}"`);
  const context = a.contexts[name];
  return {
    app: a.name,
    name,
    key: environmentKey(layout, a.name, name),
    file: file ?? a.environments.replace("{env}", name),
    overlay: a.overlays.replace("{env}", name),
    bases: a.bases,
    ...(context ? { context } : {}),
  };
}

/** Whether a path is an environment file of some app (and which). The name is not validated here. */
export function environmentFileOf(layout: RepositoryLayout, path: string): { app: AppLayout; name: string } | undefined {
  for (const app of layout.apps) {
    const m = fileRegex(app).exec(path);
    if (m) return { app, name: m[1]! };
  }
  return undefined;
}

export function isEnvironmentFile(layout: RepositoryLayout, path: string): boolean {
  return environmentFileOf(layout, path) !== undefined;
}

/** Whether a path lies under some app's overlay template (whether or not that environment exists). */
export function overlayEnvironmentOf(layout: RepositoryLayout, path: string): { app: AppLayout; name: string } | undefined {
  for (const app of layout.apps) {
    const m = overlayRegex(app).exec(path);
    if (m) return { app, name: m[1]! };
  }
  return undefined;
}

/** The environments whose files are among `paths`, in key order (both spellings when prod.yaml and prod.yml exist). */
export function environmentsOf(layout: RepositoryLayout, paths: Iterable<string>): EnvironmentRef[] {
  const out: EnvironmentRef[] = [];
  for (const path of paths) {
    const found = environmentFileOf(layout, path);
    if (found) out.push(environmentRef(layout, found.app, found.name, path));
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.file < b.file ? -1 : 1));
}

/** Whether `path` is one of the files of the environment: its file (either spelling) or a file under its overlay. */
export function isEnvironmentPath(ref: EnvironmentRef, path: string): boolean {
  return sameYaml(path, ref.file) || isUnder(path, ref.overlay);
}

/** The environment (among `environments`) whose file or overlay `path` is. */
export function environmentOfPath(environments: readonly EnvironmentRef[], path: string): EnvironmentRef | undefined {
  return environments.find((e) => isEnvironmentPath(e, path));
}

/** Whether `path` is under one of the environment's bases. */
export function isBasePath(ref: Pick<EnvironmentRef, "bases">, path: string): boolean {
  return ref.bases.some((b) => isUnder(path, b));
}

/**
 * The environments a set of changed paths affects: its own file or overlay changed, a base of its
 * app changed, or a `shared` file changed (content outside every environment and base that a
 * kustomization refers to, e.g. `../components`): that affects every environment.
 */
export function affectedEnvironments(
  environments: readonly EnvironmentRef[],
  changed: Iterable<string>,
  shared: (path: string) => boolean = () => false,
): EnvironmentRef[] {
  const hit = new Set<EnvironmentRef>();
  for (const path of changed) {
    const own = environmentOfPath(environments, path);
    if (own) {
      hit.add(own);
      continue;
    }
    const byBase = environments.filter((e) => isBasePath(e, path));
    if (byBase.length) for (const e of byBase) hit.add(e);
    else if (shared(path)) for (const e of environments) hit.add(e);
  }
  return environments.filter((e) => hit.has(e));
}

export type EnvironmentLookup =
  { ok: true; ref: EnvironmentRef } | { ok: false; why: "unknown"; known: string[] } | { ok: false; why: "ambiguous"; apps: string[] };

/**
 * An environment by what a person typed: its key (`shop/prod`), or its name (`prod`) with an
 * optional app. A name that two apps share needs the app.
 */
export function findEnvironment(environments: readonly EnvironmentRef[], name: string, app?: string): EnvironmentLookup {
  const byKey = environments.find((e) => e.key === name && (app === undefined || e.app === app));
  if (byKey) return { ok: true, ref: byKey };
  const slash = name.indexOf("/");
  if (app === undefined && slash > 0) return findEnvironment(environments, name.slice(slash + 1), name.slice(0, slash));
  const matches = environments.filter((e) => e.name === name && (app === undefined || e.app === app));
  const unique = [...new Map(matches.map((m) => [m.app, m])).values()];
  if (unique.length === 1) return { ok: true, ref: unique[0]! };
  if (unique.length > 1) return { ok: false, why: "ambiguous", apps: unique.map((m) => m.app).sort() };
  return { ok: false, why: "unknown", known: [...new Set(environments.map((e) => e.key))] };
}

/** `a.yaml` and `a.yml` are the same file. */
export function sameYaml(a: string, b: string): boolean {
  const strip = (p: string) => p.replace(/\.ya?ml$/, "");
  return a === b || (/\.ya?ml$/.test(a) && /\.ya?ml$/.test(b) && strip(a) === strip(b));
}

export function isUnder(path: string, dir: string): boolean {
  return path.startsWith(`${dir.replace(/\/$/, "")}/`);
}

/** The relative path from a directory to another path (`overlays/prod` -> `base` gives `../../base`). */
export function relativePath(fromDir: string, to: string): string {
  return posix.relative(fromDir, to) || ".";
}

/** Names kustomize accepts for a kustomization file, in the order it looks for them. */
export const kustomizationFileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

/** The kustomization file of a directory among `paths`, or undefined. */
export function kustomizationFileIn(dir: string, paths: { has(path: string): boolean }): string | undefined {
  return kustomizationFileNames.map((n) => `${dir}/${n}`).find((p) => paths.has(p));
}

export { defaultAppName };
