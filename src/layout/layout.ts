// The repository's layout (issue 12): which apps it holds, and for each app its bases, where its
// environment files live and where the overlay of each environment is generated. The ONLY place
// in src/ that knows paths; everything else asks this module. Declared in `.kustodian/layout.yaml`
// (schema: `Layout` below, documented in the README); without that file the layout is the
// original one (base/, environments/<env>.yaml, overlays/<env>/) as the one app `default`.
import { z } from "zod";

/** Where a repository declares its layout (first one found; `.yaml` and `.yml` alike). */
export const layoutFiles = [".kustodian/layout.yaml", ".kustodian/layout.yml"] as const;

export function isLayoutFile(path: string): boolean {
  return (layoutFiles as readonly string[]).includes(path);
}

/** The app of a repository without a layout file. */
export const defaultAppName = "default";

const dns1123Label = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** A path inside the repository, relative to its root, with `/` separators and no `..`. */
const RepositoryPath = z
  .string({ error: "expected a path relative to the repository root" })
  .min(1)
  .max(512)
  .refine((p) => !p.startsWith("/") && !/^[A-Za-z]:/.test(p), { error: "must be relative to the repository root, not absolute" })
  .refine((p) => !p.includes("\\"), { error: "use / as the path separator" })
  .refine((p) => p.split("/").every((s) => s !== ".." && s !== "." && s !== ""), {
    error: "must stay inside the repository: no '..', '.' or empty segments",
  })
  .refine((p) => !/[*?[\]]/.test(p), { error: "globs are not supported; use {app} and {env} placeholders" });

const placeholders = (p: string) => [...p.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]);

const Template = (needsEnv: boolean) =>
  RepositoryPath.refine((p) => placeholders(p).every((name) => name === "app" || name === "env"), {
    error: "the only placeholders are {app} and {env}",
  }).refine((p) => !needsEnv || placeholders(p).filter((n) => n === "env").length === 1, {
    error: "must contain {env} exactly once",
  });

export const LayoutApp = z.strictObject({
  /** Kustomize directories shared by every environment of the app ({app} allowed). */
  bases: z.array(Template(false)).min(1, { error: "an app needs at least one base" }).max(16),
  /**
   * The environment files: a template with {env} (`apps/{app}/environments/{env}.yaml`; `.yaml`
   * and `.yml` are both found), or a directory holding `<env>.yaml` files.
   */
  environments: Template(false),
  /** The generated overlay directory of each environment: a template with {env} (`apps/{app}/overlays/{env}`). */
  overlays: Template(true),
  /** Kube context per environment, for environment files that do not name one in `sync.context`. */
  contexts: z.record(z.string().regex(dns1123Label, { error: "expected an environment name" }), z.string().min(1).max(253)).optional(),
});

export const Layout = z.strictObject({
  apps: z
    .record(z.string().regex(dns1123Label, { error: "an app name must be a DNS-1123 label (lowercase letters, digits, '-')" }), LayoutApp)
    .refine((apps) => Object.keys(apps).length >= 1, { error: "declare at least one app" })
    .refine((apps) => Object.keys(apps).length <= 100, { error: "at most 100 apps" }),
});
export type Layout = z.infer<typeof Layout>;

/** One app, with its templates resolved ({app} substituted, environment directories turned into templates). */
export interface AppLayout {
  name: string;
  bases: string[];
  /** Environment file template with exactly one {env}, ending `.yaml` (which also finds `.yml`). */
  environments: string;
  /** Overlay directory template with exactly one {env}. */
  overlays: string;
  contexts: Record<string, string>;
}

/** The layout kustodian works with: from the layout file, or the default one. */
export interface RepositoryLayout {
  apps: AppLayout[];
  /** The layout file it was read from; undefined for the default layout. */
  file?: string;
}

export const defaultLayout: RepositoryLayout = {
  apps: [{ name: defaultAppName, bases: ["base"], environments: "environments/{env}.yaml", overlays: "overlays/{env}", contexts: {} }],
};

/** The resolved form of a validated layout file. */
export function resolveLayout(layout: Layout, file: string): RepositoryLayout {
  const apps = Object.entries(layout.apps)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, app]): AppLayout => {
      const sub = (template: string) => template.split("{app}").join(name);
      let environments = sub(app.environments);
      if (!environments.includes("{env}")) environments = `${environments}/{env}.yaml`;
      else if (!/\.ya?ml$/.test(environments)) environments = `${environments}.yaml`;
      environments = environments.replace(/\.yml$/, ".yaml");
      return { name, bases: app.bases.map(sub), environments, overlays: sub(app.overlays), contexts: { ...(app.contexts ?? {}) } };
    });
  return { apps, file };
}
