// What a kustomization file asks kustomize to load, read without running kustomize: the local
// paths it names (with their lines) and what the render sandbox refuses outright. Pure: the scan
// (scan-kustomization.ts) follows the paths on disk.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { memoByText } from "../text/memo-by-text.ts";

export interface Refusal {
  /** Repository-relative path of the kustomization. */
  file: string;
  line?: number;
  /** The entry as written (or the field's name). */
  entry: string;
  reason: string;
}

export interface LocalReference {
  /** resources, bases and components may name directories (kustomizations) or files; the rest name files. */
  kind: "resource" | "file";
  /** The path as written, relative to the kustomization's directory. */
  path: string;
  line?: number;
  field: string;
}

export interface KustomizationEntries {
  readonly references: readonly LocalReference[];
  readonly refusals: readonly Refusal[];
}

/** The file names kustomize looks for in a directory, in its order. */
export const kustomizationFileNames = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

/** Fields whose entries are resources, bases or components: local paths or (refused) remote ones. */
const resourceFields = ["resources", "bases", "components"];
/** Fields that are lists of file paths. */
const fileListFields = ["crds", "configurations"];
/** Fields the sandbox refuses whatever they hold: Helm and plugins. */
const refusedFields: Record<string, string> = {
  helmCharts: "Helm charts are not allowed",
  helmGlobals: "Helm charts are not allowed",
  helmChartInflationGenerator: "Helm charts are not allowed",
  generators: "generator plugins are not allowed",
  transformers: "transformer plugins are not allowed",
  validators: "validator plugins are not allowed",
};

/**
 * A remote location kustomize would fetch: a URL (`https://`, `ssh://`, `file://`, ...), an scp-like
 * git address (`git@host:org/repo`), kustomize's `repo//path` or `?ref=` forms, or a path whose
 * first segment is a host name (`github.com/org/repo/...`).
 */
export function isRemote(entry: string): boolean {
  return (
    entry.includes("://") ||
    /^[\w.-]+@[\w.-]+:/.test(entry) ||
    /[?&](ref|version|submodules|timeout)=/.test(entry) ||
    /^[^/]+\.[a-z]{2,}(:\d+)?\/.*\/\//i.test(entry) ||
    /^(www\.)?[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}(:\d+)?\//i.test(entry)
  );
}

/**
 * The entries of a kustomization (`file` is its repository-relative path, for messages). Read once
 * per (file, text): a plan asks for the same large generated overlays many times.
 */
export function kustomizationEntries(text: string, file: string): KustomizationEntries {
  return memoizedEntries(`${file}\0${text}`);
}

/** Kustomizations (with their paths) whose entries are kept: 32 MiB of text. */
const memoizedEntries = memoByText(
  (key) => {
    const split = key.indexOf("\0");
    return readEntries(key.slice(split + 1), key.slice(0, split));
  },
  32 * 1024 * 1024,
);

/** Forgets the entries read so far (benchmarks start cold). */
export function clearKustomizationEntries(): void {
  memoizedEntries.clear();
}

function readEntries(text: string, file: string): KustomizationEntries {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const lineOf = (node: Node | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : undefined);
  const references: LocalReference[] = [];
  const refusals: Refusal[] = [];
  if (doc.errors.length > 0 || !isMap(doc.contents)) return { references, refusals };

  const refuse = (node: Node | null | undefined, entry: string, reason: string) =>
    refusals.push({ file, line: lineOf(node), entry, reason });
  const local = (kind: LocalReference["kind"], field: string, node: Node, path: string) => {
    if (isRemote(path)) refuse(node, path, `remote ${kind === "file" ? "files" : field} are not allowed (${field})`);
    else references.push({ kind, path, line: lineOf(node), field });
  };
  const strings = (node: unknown): { node: Node; value: string }[] =>
    isSeq(node)
      ? node.items.flatMap((item) => (isScalar(item) && typeof item.value === "string" ? [{ node: item, value: item.value }] : []))
      : [];
  const maps = (node: unknown) => (isSeq(node) ? node.items.filter(isMap) : []);

  for (const pair of doc.contents.items) {
    if (!isScalar(pair.key)) continue;
    const field = String(pair.key.value);
    const value = pair.value;
    if (field in refusedFields) {
      refuse(pair.key, field, refusedFields[field]!);
      continue;
    }
    if (resourceFields.includes(field)) for (const s of strings(value)) local("resource", field, s.node, s.value);
    else if (fileListFields.includes(field)) for (const s of strings(value)) local("file", field, s.node, s.value);
    else if (field === "patchesStrategicMerge") {
      // An entry is a file path, or an inline patch (YAML text with a newline or a key).
      for (const s of strings(value)) if (!/[\n:]/.test(s.value) || isRemote(s.value)) local("file", field, s.node, s.value);
    } else if (field === "patches" || field === "patchesJson6902" || field === "replacements") {
      for (const item of maps(value)) {
        const path = item.get("path", true);
        if (isScalar(path) && typeof path.value === "string") local("file", field, path, path.value);
      }
    } else if (field === "openapi" && isMap(value)) {
      const path = value.get("path", true);
      if (isScalar(path) && typeof path.value === "string") local("file", field, path, path.value);
    } else if (field === "configMapGenerator" || field === "secretGenerator") {
      for (const generator of maps(value)) {
        for (const s of strings(generator.get("files", true))) local("file", field, s.node, s.value.slice(s.value.indexOf("=") + 1));
        for (const s of strings(generator.get("envs", true))) local("file", field, s.node, s.value);
        const env = generator.get("env", true);
        if (isScalar(env) && typeof env.value === "string") local("file", field, env, env.value);
      }
    }
  }
  return Object.freeze({ references: Object.freeze(references), refusals: Object.freeze(refusals) });
}
