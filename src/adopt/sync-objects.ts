// Finding how a repository's overlays are deployed (issue 12, `kustodian init`): the Argo CD
// Applications and ApplicationSets and the Flux Kustomizations committed in it. Their path is an
// overlay; their destination (Argo CD) or cluster directory (Flux) becomes the kube context.
// Pure: the files are passed in; these manifests are only read, never rewritten.
import { posix } from "node:path";
import { parseAllDocuments } from "yaml";

export interface SyncTarget {
  /** The overlay directory, relative to the repository root. */
  path: string;
  tool: "argocd" | "flux";
  /** Application or Kustomization name. */
  name: string;
  namespace: string;
  context: string;
  /** The file that declares it. */
  source: string;
}

export interface SyncDiscovery {
  targets: SyncTarget[];
  /** Things found but not understood (an ApplicationSet generator kustodian cannot expand). */
  notes: string[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
const maxDocumentsPerFile = 200;

/** A repository path from a manifest's path field (`./apps/staging/` -> `apps/staging`); undefined when it leaves the repository. */
export function repositoryPath(path: string): string | undefined {
  const normal = posix.normalize(path.trim().replace(/^\.\//, "")).replace(/\/+$/, "");
  if (normal === "." || normal === "") return "";
  if (normal.startsWith("../") || normal === ".." || normal.startsWith("/")) return undefined;
  return normal;
}

function argoContext(destination: unknown): string {
  if (!isObj(destination)) return "in-cluster";
  const name = str(destination.name);
  if (name) return name;
  const server = str(destination.server);
  if (!server || server === "https://kubernetes.default.svc") return "in-cluster";
  try {
    return new URL(server).host;
  } catch {
    return server;
  }
}

function argoPaths(spec: Obj): string[] {
  const sources = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])];
  return sources.flatMap((s) => (isObj(s) && str(s.path) ? [s.path as string] : []));
}

/** `{{env}}`, `{{.env}}`, `{{ .path.basename }}` -> the parameter's value. */
function substitute(template: string, params: Record<string, string>): string | undefined {
  let unknown = false;
  const out = template.replace(/\{\{\s*\.?([\w.[\]]+)\s*\}\}/g, (_m, key: string) => {
    const value = params[key];
    if (value === undefined) unknown = true;
    return value ?? "";
  });
  return unknown ? undefined : out;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .split("*")
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
    .join("[^/]+");
  return new RegExp(`^${escaped}$`);
}

/** Parameter sets of an ApplicationSet's list and git-directory generators. */
function generatorParams(generators: unknown, dirs: readonly string[], notes: string[], source: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const g of Array.isArray(generators) ? generators : []) {
    if (!isObj(g)) continue;
    if (isObj(g.list) && Array.isArray(g.list.elements)) {
      for (const e of g.list.elements) {
        if (isObj(e)) out.push(Object.fromEntries(Object.entries(e).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : []))));
      }
    } else if (isObj(g.git) && Array.isArray(g.git.directories)) {
      const include = g.git.directories
        .filter((d) => isObj(d) && str(d.path) && d.exclude !== true)
        .map((d) => globToRegExp((d as Obj).path as string));
      const exclude = g.git.directories
        .filter((d) => isObj(d) && str(d.path) && d.exclude === true)
        .map((d) => globToRegExp((d as Obj).path as string));
      for (const dir of dirs) {
        if (!include.some((r) => r.test(dir)) || exclude.some((r) => r.test(dir))) continue;
        const segments = dir.split("/");
        const params: Record<string, string> = {
          path: dir,
          "path.path": dir,
          "path.basename": posix.basename(dir),
          "path.basenameNormalized": posix.basename(dir),
        };
        segments.forEach((s, i) => {
          params[`path[${i}]`] = s;
          params[`path.segments[${i}]`] = s;
        });
        out.push(params);
      }
    } else {
      notes.push(
        `${source}: an ApplicationSet generator other than list or git directories (${Object.keys(g).join(", ")}); its applications were not found`,
      );
    }
  }
  return out;
}

/**
 * Every Application, ApplicationSet and Flux Kustomization in the files (path -> text). `dirs` are
 * the repository's directories (for ApplicationSet git-directory generators).
 */
export function findSyncTargets(files: ReadonlyMap<string, string>, dirs: readonly string[]): SyncDiscovery {
  const targets: SyncTarget[] = [];
  const notes: string[] = [];
  for (const [file, text] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!/\.ya?ml$/.test(file) || !/(argoproj\.io|kustomize\.toolkit\.fluxcd\.io)/.test(text)) continue;
    let docs;
    try {
      docs = parseAllDocuments(text).slice(0, maxDocumentsPerFile);
    } catch {
      continue;
    }
    if (!Array.isArray(docs)) continue;
    for (const doc of docs) {
      if (doc.errors.length) continue;
      let o: unknown;
      try {
        o = doc.toJS({ maxAliasCount: 50 });
      } catch {
        continue;
      }
      if (!isObj(o) || !isObj(o.metadata) || !isObj(o.spec)) continue;
      const apiVersion = str(o.apiVersion) ?? "";
      const name = str(o.metadata.name);
      if (!name) continue;
      const spec = o.spec;
      if (apiVersion.startsWith("argoproj.io/") && o.kind === "Application") {
        for (const p of argoPaths(spec)) {
          const path = repositoryPath(p);
          if (path !== undefined) {
            targets.push({
              path,
              tool: "argocd",
              name,
              namespace: str(o.metadata.namespace) ?? "argocd",
              context: argoContext(spec.destination),
              source: file,
            });
          }
        }
      } else if (apiVersion.startsWith("argoproj.io/") && o.kind === "ApplicationSet") {
        const template = isObj(spec.template) ? spec.template : {};
        const tspec = isObj(template.spec) ? template.spec : {};
        const tmeta = isObj(template.metadata) ? template.metadata : {};
        for (const params of generatorParams(spec.generators, dirs, notes, file)) {
          const appName = substitute(str(tmeta.name) ?? name, params);
          const context = substitute(argoContext(tspec.destination), params);
          for (const p of argoPaths(tspec)) {
            const path = substitute(p, params);
            const repoPath = path === undefined ? undefined : repositoryPath(path);
            if (repoPath === undefined || appName === undefined || context === undefined) {
              notes.push(`${file}: ApplicationSet ${name}: could not expand its template with ${JSON.stringify(params)}`);
              continue;
            }
            targets.push({
              path: repoPath,
              tool: "argocd",
              name: appName,
              namespace: str(o.metadata.namespace) ?? "argocd",
              context,
              source: file,
            });
          }
        }
      } else if (apiVersion.startsWith("kustomize.toolkit.fluxcd.io/") && o.kind === "Kustomization") {
        const path = repositoryPath(str(spec.path) ?? "");
        if (path === undefined) continue;
        const cluster = /(?:^|\/)clusters\/([^/]+)\//.exec(file)?.[1];
        const kubeConfig = isObj(spec.kubeConfig) && isObj(spec.kubeConfig.secretRef) ? str(spec.kubeConfig.secretRef.name) : undefined;
        targets.push({
          path,
          tool: "flux",
          name,
          namespace: str(o.metadata.namespace) ?? "flux-system",
          context: kubeConfig ?? cluster ?? "default",
          source: file,
        });
      }
    }
  }
  return { targets, notes };
}
