// Reading YAML into plain values, fast, with the meaning yaml v2 gives it. kustomize's output and
// the kustomizations kustodian generates are large (hundreds of kilobytes at 200 workloads) and
// machine-written; yaml v2 builds a Document of nodes before the values (about 5 times slower than
// js-yaml on such text). This reads with js-yaml under a schema that resolves plain scalars exactly
// as yaml v2's core schema does (null, bool, int, float; no timestamps, binary or merge keys), and
// hands anything beyond the plain subset both agree on to yaml v2 itself: aliases, explicit tags,
// directives, duplicate or non-string keys, syntax errors. So the result is always yaml v2's.
// Edits and anything needing positions stay with yaml v2 Documents.
import { defineMappingTag, defineScalarTag, loadAll, NOT_RESOLVED, Schema, seqTag } from "js-yaml";
import { parse, parseAllDocuments } from "yaml";

const nullPattern = /^(?:~|[Nn]ull|NULL)?$/;
const boolPattern = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const octPattern = /^0o[0-7]+$/;
const decPattern = /^[-+]?[0-9]+$/;
const hexPattern = /^0x[0-9a-fA-F]+$/;
const nanPattern = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const expPattern = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const floatPattern = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** Explicit tags (`!!str 1`, `!custom`) are left to yaml v2: only plain scalars resolve here. */
const plainOnly = { identify: () => false, implicitFirstChars: null };

const nullTag = defineScalarTag<null>("tag:yaml.org,2002:null", {
  ...plainOnly,
  implicit: true,
  resolve: (source, explicit) => (!explicit && nullPattern.test(source) ? null : NOT_RESOLVED),
});
const boolTag = defineScalarTag<boolean>("tag:yaml.org,2002:bool", {
  ...plainOnly,
  implicit: true,
  resolve: (source, explicit) => (!explicit && boolPattern.test(source) ? source[0] === "t" || source[0] === "T" : NOT_RESOLVED),
});
const intTag = defineScalarTag<number>("tag:yaml.org,2002:int", {
  ...plainOnly,
  implicit: true,
  resolve: (source, explicit) => {
    if (explicit) return NOT_RESOLVED;
    if (octPattern.test(source)) return parseInt(source.substring(2), 8);
    if (decPattern.test(source)) return parseInt(source, 10);
    if (hexPattern.test(source)) return parseInt(source.substring(2), 16);
    return NOT_RESOLVED;
  },
});
const floatTag = defineScalarTag<number>("tag:yaml.org,2002:float", {
  ...plainOnly,
  implicit: true,
  resolve: (source, explicit) => {
    if (explicit) return NOT_RESOLVED;
    if (nanPattern.test(source)) {
      if (source.slice(-3).toLowerCase() === "nan") return NaN;
      return source[0] === "-" ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    }
    return expPattern.test(source) || floatPattern.test(source) ? parseFloat(source) : NOT_RESOLVED;
  },
});
const plainString = defineScalarTag<string>("tag:yaml.org,2002:str", {
  ...plainOnly,
  resolve: (source, explicit) => (explicit ? NOT_RESOLVED : source),
});
/** Objects with string keys only; a duplicate key, a non-string key or `__proto__` is refused (then yaml v2 decides). */
const stringKeyedMap = defineMappingTag<Record<string, unknown>>("tag:yaml.org,2002:map", {
  create: () => ({}),
  addPair: (map, key, value) => {
    if (typeof key !== "string" || key === "__proto__") return "not a plain string key";
    map[key] = value;
    return "";
  },
  has: (map, key) => typeof key === "string" && Object.hasOwn(map, key),
  keys: (map) => Object.keys(map),
  get: (map, key) => map[key as string],
  identify: () => false,
});

const yamlV2CoreSchema = new Schema([plainString, seqTag, stringKeyedMap, nullTag, boolTag, intTag, floatTag]);
const fastOptions = { schema: yamlV2CoreSchema, maxAliases: 0 };

/** Where a read came from: the fast reader, or yaml v2 for text beyond the plain subset. */
export type YamlReader = "fast" | "yaml";

/** Every document of a YAML stream as yaml v2's `parseAllDocuments(text).map(d => d.toJS())` gives them (lenient: errors are yaml v2's). */
export function readYamlStream(text: string): { documents: unknown[]; reader: YamlReader } {
  if (!hasDirective(text)) {
    try {
      return { documents: loadAll(text, fastOptions), reader: "fast" };
    } catch {
      // Beyond the plain subset (or not valid YAML): yaml v2 decides.
    }
  }
  const parsed = parseAllDocuments(text);
  return { documents: (Array.isArray(parsed) ? parsed : []).map((d) => d.toJS() as unknown), reader: "yaml" };
}

/** One YAML document as yaml v2's `parse(text)` gives it (throws what it throws). */
export function readYaml(text: string): unknown {
  if (!hasDirective(text)) {
    try {
      const documents = loadAll(text, fastOptions);
      // yaml v2's parse() refuses a stream of several documents; an empty text is null for both.
      if (documents.length <= 1) return documents[0] ?? null;
    } catch {
      // yaml v2 decides.
    }
  }
  return parse(text) as unknown;
}

/** `%YAML 1.1` would make yaml v2 resolve with another schema: such streams go to yaml v2. */
function hasDirective(text: string): boolean {
  return text.startsWith("%") || text.includes("\n%");
}
