// What `kustodian init` proposes for the overlays it could lift: apps (grouped by overlay path
// template), the layout file, and one environment file per overlay. Pure.
import { posix } from "node:path";
import { stringify } from "yaml";
import { defaultAppName, defaultLayout, type Layout } from "../layout/layout.ts";
import type { LiftedOverlay } from "./lift-overlay.ts";
import type { SyncTarget } from "./sync-objects.ts";

const dns1123Label = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface ImportedOverlay {
  /** Overlay directory (repository path). */
  dir: string;
  lifted: LiftedOverlay;
  namespace: string;
  sync?: SyncTarget;
}

export interface ProposedEnvironment {
  app: string;
  name: string;
  overlay: ImportedOverlay;
  /** The environment file (repository path). */
  file: string;
  text: string;
  /** The overlay's base references, relative to the overlay directory. */
  baseRefs: string[];
  /** Said on the report: what init guessed. */
  notes: string[];
}

export interface ProposedApp {
  name: string;
  bases: string[];
  environments: string;
  overlays: string;
}

export interface Proposal {
  apps: ProposedApp[];
  environments: ProposedEnvironment[];
  /** Overlays that do not fit a layout (the loss says why). */
  refused: { dir: string; why: string }[];
}

/** `apps/shop/overlays/prod` -> `apps/shop/overlays/{env}` and `prod`. */
function templateOf(dir: string): { template: string; env: string } {
  return { template: posix.join(posix.dirname(dir), "{env}").replace(/^\.\//, ""), env: posix.basename(dir) };
}

function appNameFor(template: string): string {
  const m = /(?:^|\/)([^/]+)\/overlays\/\{env\}$/.exec(template);
  const raw = template === defaultLayout.apps[0]!.overlays ? defaultAppName : (m?.[1] ?? template.split("/")[0] ?? "app");
  const name = raw
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
  return name || "app";
}

function environmentsTemplate(template: string, app: string): string {
  if (template === defaultLayout.apps[0]!.overlays) return defaultLayout.apps[0]!.environments;
  const m = /^(.*\/)?overlays\/\{env\}$/.exec(template);
  if (m) return `${m[1] ?? ""}environments/{env}.yaml`;
  return `environments/${app}/{env}.yaml`;
}

export function environmentFileText(overlay: ImportedOverlay, env: string, app: string, guessedSync: boolean): string {
  const s = overlay.sync;
  const sync = s
    ? s.tool === "argocd"
      ? { tool: "argocd", application: s.name, namespace: s.namespace, context: s.context }
      : { tool: "flux", kustomization: s.name, namespace: s.namespace, context: s.context }
    : { tool: "argocd", application: `${app}-${env}`, namespace: "argocd", context: env };
  const data: Record<string, unknown> = { namespace: overlay.namespace };
  if (/^(prod|production|prd|live)$/.test(env)) data.production = true;
  data.sync = sync;
  data.workloads = Object.fromEntries(Object.entries(overlay.lifted.workloads).sort(([a], [b]) => (a < b ? -1 : 1)));
  if (Object.keys(overlay.lifted.kustomize).length) data.kustomize = overlay.lifted.kustomize;
  const header = [
    `# Environment ${env} of ${app}, imported by \`kustodian init\` from ${overlay.dir}/.`,
    s ? `# Deployed by ${s.tool === "argocd" ? "Argo CD Application" : "Flux Kustomization"} ${s.namespace}/${s.name} (${s.source}).` : "",
    guessedSync ? "# No Argo CD Application or Flux Kustomization points at the overlay: check `sync` below." : "",
    `# ${overlay.dir}/ is generated from this file: edit here, then run \`npx kustodian render\`.`,
  ].filter(Boolean);
  return `${header.join("\n")}\n${stringify(data, { lineWidth: 0 })}`;
}

export function propose(overlays: readonly ImportedOverlay[]): Proposal {
  const refused: Proposal["refused"] = [];
  const groups = new Map<string, ImportedOverlay[]>();
  for (const o of [...overlays].sort((a, b) => (a.dir < b.dir ? -1 : 1))) {
    const { template, env } = templateOf(o.dir);
    if (!dns1123Label.test(env)) {
      refused.push({ dir: o.dir, why: `its directory name "${env}" is not a valid environment name (lowercase letters, digits, '-')` });
      continue;
    }
    groups.set(template, [...(groups.get(template) ?? []), o]);
  }
  const apps: ProposedApp[] = [];
  const environments: ProposedEnvironment[] = [];
  const used = new Set<string>();
  for (const [template, members] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const bases = [...members[0]!.lifted.bases].sort();
    const same = members.filter((m) => [...m.lifted.bases].sort().join("\n") === bases.join("\n"));
    for (const m of members.filter((x) => !same.includes(x))) {
      refused.push({
        dir: m.dir,
        why: `it builds on ${m.lifted.bases.join(", ")}, unlike ${members[0]!.dir} (${bases.join(", ")}); one app's environments share their bases`,
      });
    }
    let name = appNameFor(template);
    for (let i = 2; used.has(name); i++) name = `${appNameFor(template).slice(0, 60)}-${i}`;
    used.add(name);
    const envTemplate = environmentsTemplate(template, name);
    apps.push({ name, bases, environments: envTemplate, overlays: template });
    for (const m of same) {
      const env = posix.basename(m.dir);
      const notes = m.sync
        ? []
        : [`no Argo CD Application or Flux Kustomization points at ${m.dir}: sync guessed (argocd ${name}-${env}, context ${env})`];
      environments.push({
        app: name,
        name: env,
        overlay: m,
        file: envTemplate.replace("{env}", env),
        text: environmentFileText(m, env, name, !m.sync),
        baseRefs: m.lifted.bases.map((b) => posix.relative(m.dir, b)),
        notes,
      });
    }
  }
  return { apps, environments, refused };
}

/** The layout file's text for the proposed apps; undefined when they are exactly the default layout. */
export function layoutText(apps: readonly ProposedApp[]): string | undefined {
  const fallback = defaultLayout.apps[0]!;
  if (
    apps.length === 1 &&
    apps[0]!.bases.join("\n") === fallback.bases.join("\n") &&
    apps[0]!.overlays === fallback.overlays &&
    apps[0]!.environments === fallback.environments
  ) {
    return undefined;
  }
  // src/layout's schema (`Layout`) is the shape written; its parser reads it back (tested per fixture).
  const data: Layout = {
    apps: Object.fromEntries(apps.map((a) => [a.name, { bases: a.bases, environments: a.environments, overlays: a.overlays }])),
  };
  return `# The repository's layout, proposed by \`kustodian init\`: each app's bases, environment files and\n# generated overlay directories.\n${stringify(data, { lineWidth: 0 })}`;
}
