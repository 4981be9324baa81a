import { isMap, isScalar, parseDocument, stringify, type Document } from "yaml";
import { parseEnvironmentFile } from "./parse.ts";
import { formatProblem } from "./problems.ts";

export type FieldPath = readonly (string | number)[];

export interface FieldEdit {
  path: FieldPath;
  /** undefined removes the field */
  value: unknown;
}

export class EnvironmentEditError extends Error {
  override name = "EnvironmentEditError";
}

/**
 * Applies edits to an environment file through the yaml Document, so people's comments, key
 * order and quoting survive; then parses the result again and checks that every value took and
 * that the file is still valid. Returns the new text; throws EnvironmentEditError otherwise.
 */
export function editEnvironmentFile(file: string, text: string, edits: readonly FieldEdit[]): string {
  let next = text;
  for (const edit of edits) next = applyEdit(file, next, edit);

  const check = parseEnvironmentFile(file, next);
  if (!check.ok) throw new EnvironmentEditError(`the change would make ${file} invalid: ${check.problems.map(formatProblem).join("; ")}`);
  const reread = parseDocument(next);
  for (const edit of edits) {
    const got = reread.getIn(edit.path);
    const want = edit.value;
    const same = JSON.stringify(toJs(got)) === JSON.stringify(want);
    if (!same) throw new EnvironmentEditError(`${file}: ${edit.path.join(".")} did not take the value ${JSON.stringify(want)}`);
  }
  return next;
}

function toJs(v: unknown): unknown {
  return v && typeof v === "object" && "toJSON" in v ? (v as { toJSON(): unknown }).toJSON() : v;
}

function applyEdit(file: string, text: string, edit: FieldEdit): string {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new EnvironmentEditError(`${file} is not valid YAML; fix it before editing: ${doc.errors[0]!.message}`);
  const node = doc.getIn(edit.path, true);
  const scalarValue = edit.value === null || ["string", "number", "boolean"].includes(typeof edit.value);
  if (isScalar(node) && node.range && scalarValue && edit.value !== undefined) {
    // Splice the new scalar into the source: every other byte (spacing before comments,
    // quoting elsewhere) stays exactly as the person wrote it.
    if (node.value === edit.value) return text;
    const literal = stringify(edit.value, { lineWidth: 0 }).trimEnd();
    return text.slice(0, node.range[0]) + literal + text.slice(node.range[1]);
  }
  if (edit.value === undefined) doc.deleteIn(edit.path);
  else setKeepingStyle(doc, edit.path, edit.value);
  return doc.toString();
}

/** setIn, but new maps created along the way copy the flow style of their siblings. */
function setKeepingStyle(doc: Document, path: FieldPath, value: unknown): void {
  for (let n = 1; n < path.length; n++) {
    const prefix = path.slice(0, n);
    if (doc.getIn(prefix) === undefined) {
      const map = doc.createNode({});
      const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1), true);
      if (isMap(parent)) map.flow = parent.flow ?? false;
      doc.setIn(prefix, map);
    }
  }
  doc.setIn(path, value);
}
