import { LineCounter, parseDocument, visit, type Document, type Node } from "yaml";
import { z } from "zod";
import { EnvironmentFile } from "./schema.ts";
import type { FileProblem } from "./problems.ts";
import { keyOffset, valueOffset } from "./locate.ts";
import { readYamlStream } from "../text/read-yaml.ts";

/** Large enough for 500 workloads with resources, probes and config (~150 KiB); the GitHub reader refuses files over 1 MiB too. */
export const maxEnvironmentFileBytes = 1024 * 1024;
export const maxAliases = 8;
const dns1123Label = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export type ParsedEnvironment =
  | { ok: true; name: string; file: string; env: EnvironmentFile; doc: Document }
  | { ok: false; name: string; file: string; problems: FileProblem[] };

/** environments/<name>.yaml -> name */
export function environmentNameOf(file: string): string {
  return file.replace(/^.*\//, "").replace(/\.ya?ml$/, "");
}

/**
 * Parses and validates one environment file. Pure: the text is passed in. `name` is the
 * environment's name as the layout gives it (src/layout); by default the file's base name.
 */
export function parseEnvironmentFile(file: string, text: string, name: string = environmentNameOf(file)): ParsedEnvironment {
  const fail = (problems: FileProblem[]): ParsedEnvironment => ({ ok: false, name, file, problems });
  const at = (line: number, column: number, field: string, message: string): FileProblem => ({ file, line, column, field, message });

  if (!dns1123Label.test(name)) {
    return fail([at(1, 1, "", `environment name "${name}" (from the file name) must be a DNS-1123 label: lowercase letters, digits and '-', at most 63`)]);
  }
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > maxEnvironmentFileBytes) {
    return fail([at(1, 1, "", `file is ${bytes} bytes; environment files are limited to ${maxEnvironmentFileBytes}`)]);
  }

  // Plain YAML (no aliases, explicit tags or duplicate keys) that the schema accepts needs no
  // Document: the fast reader gives yaml v2's values (src/text/read-yaml.ts), and the Document is
  // parsed only if a position is asked for (a problem found against the base). Anything else takes
  // the full path below, which says where it goes wrong.
  const fast = readYamlStream(text);
  if (fast.reader === "fast" && fast.documents.length === 1 && fast.documents[0] != null) {
    const result = EnvironmentFile.safeParse(fast.documents[0]);
    if (result.success) {
      let doc: Document | undefined;
      return {
        ok: true,
        name,
        file,
        env: result.data,
        get doc() {
          doc ??= parseDocument(text, { prettyErrors: false, uniqueKeys: true });
          return doc;
        },
      };
    }
  }

  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const locate = (offset: number) => lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    return fail(
      doc.errors.map((e) => {
        const pos = locate(e.pos[0]);
        return at(pos.line, pos.col, "", `invalid YAML: ${e.message.split("\n")[0]}`);
      }),
    );
  }

  const aliases: Node[] = [];
  visit(doc, { Alias: (_key, node) => void aliases.push(node) });
  if (aliases.length > maxAliases) {
    const pos = locate(aliases[maxAliases]?.range?.[0] ?? 0);
    return fail([at(pos.line, pos.col, "", `${aliases.length} YAML aliases; at most ${maxAliases} are allowed`)]);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return fail([at(1, 1, "", `YAML could not be read: ${(error as Error).message}`)]);
  }
  if (data === null || data === undefined) return fail([at(1, 1, "", "the file is empty; expected namespace, sync and workloads")]);

  const result = EnvironmentFile.safeParse(data);
  if (result.success) return { ok: true, name, file, env: result.data, doc };

  const problems = result.error.issues.flatMap((issue) => issueProblems(issue, doc, data, locate, file));
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return fail(problems);
}

type Locate = (offset: number) => { line: number; col: number };

function issueProblems(issue: z.core.$ZodIssue, doc: Document, data: unknown, locate: Locate, file: string): FileProblem[] {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  if (issue.code === "unrecognized_keys") {
    const allowed = allowedKeysAt(EnvironmentFile, path);
    return issue.keys.map((key) => {
      const pos = locate(keyOffset(doc, [...path, key]));
      const hint = closest(key, allowed);
      const message = `unknown field${hint ? ` (did you mean "${hint}"?)` : ""}${allowed.length ? `; allowed: ${allowed.join(", ")}` : ""}`;
      return { file, line: pos.line, column: pos.col, field: [...path, key].join("."), message };
    });
  }
  if (issue.code === "invalid_key") {
    const key = String(path[path.length - 1]);
    const pos = locate(keyOffset(doc, path));
    const why = issue.issues[0]?.message ?? issue.message;
    return [{ file, line: pos.line, column: pos.col, field: path.join("."), message: `${why}, got key ${JSON.stringify(key)}` }];
  }
  const actual = valueAt(data, path);
  const pos = locate(valueOffset(doc, path));
  const got = actual === undefined ? "missing" : `got ${JSON.stringify(actual)}`;
  return [{ file, line: pos.line, column: pos.col, field: path.join("."), message: `${issue.message}, ${got}` }];
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = data;
  for (const seg of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[seg];
  }
  return cur;
}

/** Keys a strict object accepts at path, read from the schema itself so hints never go stale. */
function allowedKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let cur: z.core.$ZodType | undefined = schema;
  const unwrap = (s: z.core.$ZodType | undefined): z.core.$ZodType | undefined => {
    let t = s;
    for (let i = 0; i < 8 && t; i++) {
      const def = t._zod.def as { type: string; innerType?: z.core.$ZodType; in?: z.core.$ZodType };
      if ((def.type === "optional" || def.type === "default" || def.type === "nullable") && def.innerType) t = def.innerType;
      else if (def.type === "pipe" && def.in) t = def.in;
      else break;
    }
    return t;
  };
  for (const seg of path) {
    cur = unwrap(cur);
    if (!cur) return [];
    const def = cur._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; valueType?: z.core.$ZodType };
    if (def.type === "object" && def.shape) cur = def.shape[String(seg)];
    else if (def.type === "record") cur = def.valueType;
    else return [];
  }
  cur = unwrap(cur);
  const def = cur?._zod.def as { type: string; shape?: Record<string, unknown>; keyType?: z.core.$ZodType } | undefined;
  if (def?.type === "object" && def.shape) return Object.keys(def.shape);
  const keys = def?.type === "record" ? (def.keyType?._zod.def as { type: string; entries?: Record<string, string> } | undefined) : undefined;
  return keys?.type === "enum" && keys.entries ? Object.values(keys.entries) : [];
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length]!;
}
