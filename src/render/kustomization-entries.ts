// What a kustomization file asks kustomize to load, read without running kustomize: the local
// paths it names (with their lines) and what the render sandbox refuses outright. Pure: the scan
// (scan-kustomization.ts) follows the paths on disk.
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from "yaml";
import { memoByText } from "../text/memo-by-text.ts";
import { kustomizationValues } from "../layout/paths-to-read.ts";

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

/**
 * How the walk sees a kustomization: as plain values (fast: src/text/read-yaml.ts; no lines) or as
 * yaml v2 nodes (with lines, read only when a message needs one).
 */
interface View<N> {
  /** The string-keyed entries of a mapping (undefined when not a mapping). */
  entries(node: N): { key: string; keyNode: N; value: N }[] | undefined;
  items(node: N): N[];
  string(node: N): string | undefined;
  get(node: N, key: string): N | undefined;
  line(node: N): number | undefined;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const valueView: View<unknown> = {
  entries: (v) => (isPlainObject(v) ? Object.entries(v).map(([key, value]) => ({ key, keyNode: key, value })) : undefined),
  items: (v) => (Array.isArray(v) ? (v as unknown[]) : []),
  string: (v) => (typeof v === "string" ? v : undefined),
  get: (v, key) => (isPlainObject(v) && Object.hasOwn(v, key) ? v[key] : undefined),
  line: () => undefined,
};

function nodeView(lineCounter: LineCounter): View<Node | null | undefined> {
  return {
    entries: (n) =>
      isMap(n)
        ? n.items.flatMap((pair) =>
            isScalar(pair.key) ? [{ key: String(pair.key.value), keyNode: pair.key, value: pair.value as Node | null }] : [],
          )
        : undefined,
    items: (n) => (isSeq(n) ? (n.items as Node[]) : []),
    string: (n) => (isScalar(n) && typeof n.value === "string" ? n.value : undefined),
    get: (n, key) => (isMap(n) ? (n.get(key, true) as Node | undefined) : undefined),
    line: (n) => (n?.range ? lineCounter.linePos(n.range[0]).line : undefined),
  };
}

/** The entries of a kustomization, with lines. */
function readEntries(text: string, file: string): KustomizationEntries {
  const value = kustomizationValues(text);
  // kustomize reports what does not parse.
  if (value === undefined) return { references: [], refusals: [] };
  const entries = walkEntries(valueView, value, file);
  // Lines come from yaml v2's nodes, read the first time one is asked for (the scan's messages).
  let lined: KustomizationEntries | undefined;
  const lineOf = <T extends { line?: number | undefined }>(
    list: (e: KustomizationEntries) => readonly T[],
    item: T,
    same: (a: T, b: T) => boolean,
  ) => {
    lined ??= linedEntries(text, file);
    const nth = list(entries)
      .filter((x) => same(x, item))
      .indexOf(item);
    return list(lined).filter((x) => same(x, item))[nth]?.line;
  };
  for (const reference of entries.references)
    Object.defineProperty(reference, "line", {
      enumerable: true,
      get: () =>
        lineOf(
          (e) => e.references,
          reference,
          (a, b) => a.field === b.field && a.path === b.path && a.kind === b.kind,
        ),
    });
  for (const refusal of entries.refusals)
    Object.defineProperty(refusal, "line", {
      enumerable: true,
      get: () =>
        lineOf(
          (e) => e.refusals,
          refusal,
          (a, b) => a.entry === b.entry && a.reason === b.reason,
        ),
    });
  return Object.freeze({ references: Object.freeze(entries.references), refusals: Object.freeze(entries.refusals) });
}

/** The entries read from yaml v2's nodes, with their lines. */
function linedEntries(text: string, file: string): KustomizationEntries {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) return { references: [], refusals: [] };
  return walkEntries(nodeView(lineCounter), doc.contents, file);
}

/** What a kustomization names, over either view: one definition of which fields load what. */
function walkEntries<N>(view: View<N>, root: N, file: string): { references: LocalReference[]; refusals: Refusal[] } {
  const references: LocalReference[] = [];
  const refusals: Refusal[] = [];
  const fields = view.entries(root);
  if (!fields) return { references, refusals };

  const refuse = (node: N, entry: string, reason: string) => refusals.push({ file, line: view.line(node), entry, reason });
  const local = (kind: LocalReference["kind"], field: string, node: N, path: string) => {
    if (isRemote(path)) refuse(node, path, `remote ${kind === "file" ? "files" : field} are not allowed (${field})`);
    else references.push({ kind, path, line: view.line(node), field });
  };
  const strings = (node: N): { node: N; value: string }[] =>
    view.items(node).flatMap((item) => {
      const value = view.string(item);
      return value === undefined ? [] : [{ node: item, value }];
    });
  const maps = (node: N) => view.items(node).filter((item) => view.entries(item) !== undefined);
  const stringAt = (node: N, key: string) => {
    const at = view.get(node, key);
    const value = at === undefined ? undefined : view.string(at);
    return value === undefined ? undefined : { node: at as N, value };
  };

  for (const { key: field, keyNode, value } of fields) {
    if (field in refusedFields) {
      refuse(keyNode, field, refusedFields[field]!);
      continue;
    }
    if (resourceFields.includes(field)) for (const s of strings(value)) local("resource", field, s.node, s.value);
    else if (fileListFields.includes(field)) for (const s of strings(value)) local("file", field, s.node, s.value);
    else if (field === "patchesStrategicMerge") {
      // An entry is a file path, or an inline patch (YAML text with a newline or a key).
      for (const s of strings(value)) if (!/[\n:]/.test(s.value) || isRemote(s.value)) local("file", field, s.node, s.value);
    } else if (field === "patches" || field === "patchesJson6902" || field === "replacements") {
      for (const item of maps(value)) {
        const path = stringAt(item, "path");
        if (path) local("file", field, path.node, path.value);
      }
    } else if (field === "openapi" && view.entries(value) !== undefined) {
      const path = stringAt(value, "path");
      if (path) local("file", field, path.node, path.value);
    } else if (field === "configMapGenerator" || field === "secretGenerator") {
      for (const generator of maps(value)) {
        const list = (key: string) => {
          const at = view.get(generator, key);
          return at === undefined ? [] : strings(at);
        };
        for (const s of list("files")) local("file", field, s.node, s.value.slice(s.value.indexOf("=") + 1));
        for (const s of list("envs")) local("file", field, s.node, s.value);
        const env = stringAt(generator, "env");
        if (env) local("file", field, env.node, env.value);
      }
    }
  }
  return { references, refusals };
}
