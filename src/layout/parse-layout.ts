// Reading `.kustodian/layout.yaml`: YAML, then the strict `Layout` schema; every problem located
// (file:line:column field), like the environment files' problems.
import { LineCounter, parseDocument } from "yaml";
import { keyOffset, valueOffset } from "../text/yaml-locate.ts";
import { Layout, layoutFiles, resolveLayout, defaultLayout, type RepositoryLayout } from "./layout.ts";

/** Same shape as environments' FileProblem (layout/ is below environments/, so it cannot import it). */
export interface LayoutProblem {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
}

export type LayoutResult = { ok: true; layout: RepositoryLayout } | { ok: false; file: string; problems: LayoutProblem[] };

const maxLayoutBytes = 64 * 1024;

/** Parses and validates a layout file. Pure: the text is passed in. */
export function parseLayout(file: string, text: string): LayoutResult {
  const fail = (problems: LayoutProblem[]): LayoutResult => ({ ok: false, file, problems });
  const at = (line: number, column: number, field: string, message: string): LayoutProblem => ({ file, line, column, field, message });
  if (Buffer.byteLength(text, "utf8") > maxLayoutBytes)
    return fail([at(1, 1, "", `the layout file is larger than ${maxLayoutBytes} bytes`)]);
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
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 10 });
  } catch (error) {
    return fail([at(1, 1, "", `YAML could not be read: ${(error as Error).message}`)]);
  }
  const result = Layout.safeParse(data ?? {});
  if (result.success) return { ok: true, layout: resolveLayout(result.data, file) };
  const problems = result.error.issues.flatMap((issue) => {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => {
        const pos = locate(keyOffset(doc, [...path, key]));
        return at(pos.line, pos.col, [...path, key].join("."), "unknown field");
      });
    }
    const pos = locate(issue.code === "invalid_key" ? keyOffset(doc, path) : valueOffset(doc, path));
    const message = issue.code === "invalid_key" ? (issue.issues[0]?.message ?? issue.message) : issue.message;
    return [at(pos.line, pos.col, path.join("."), message)];
  });
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  return fail(problems);
}

/** The layout of a tree (path -> text holding at least the layout file, if there is one). */
export function layoutOfFiles(files: ReadonlyMap<string, string>): LayoutResult {
  const file = layoutFiles.find((f) => files.has(f));
  return file === undefined ? { ok: true, layout: defaultLayout } : parseLayout(file, files.get(file)!);
}

export function formatLayoutProblem(p: LayoutProblem): string {
  return `${p.file}:${p.line}:${p.column}${p.field ? ` ${p.field}` : ""}: ${p.message}`;
}
