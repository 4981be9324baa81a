// The three PATCH flavours client-node sends: JSON Patch (its default for typed APIs), JSON merge
// patch, and strategic merge patch (approximated: lists of objects merge by `name`, or by
// `type` for conditions, and `$patch: delete|replace` directives are honoured; all else is a
// JSON merge patch).
import { badRequest, ApiError } from "./api-error.ts";
import { clone, deepEqual, isRecord } from "./json.ts";

export type PatchType = "json" | "merge" | "strategic" | "apply";

export function patchTypeOf(contentType: string | undefined): PatchType | undefined {
  const ct = (contentType ?? "").split(";")[0]?.trim();
  switch (ct) {
    case "application/json-patch+json":
      return "json";
    case "application/merge-patch+json":
      return "merge";
    case "application/strategic-merge-patch+json":
      return "strategic";
    case "application/apply-patch+yaml":
      return "apply";
    default:
      return undefined;
  }
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return clone(patch);
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function mergeKeyOf(items: unknown[]): string | undefined {
  if (items.length === 0 || !items.every(isRecord)) return undefined;
  for (const key of ["name", "type", "containerPort", "mountPath", "ip"]) {
    if (items.every((item) => isRecord(item) && item[key] !== undefined)) return key;
  }
  return undefined;
}

export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) {
    if (!Array.isArray(target)) return clone(patch).filter((p) => !(isRecord(p) && p["$patch"] === "delete"));
    if (patch.some((p) => isRecord(p) && p["$patch"] === "replace")) {
      return clone(patch).filter((p) => !(isRecord(p) && p["$patch"] !== undefined && Object.keys(p).length === 1));
    }
    const key = mergeKeyOf([...target, ...patch.filter((p) => !(isRecord(p) && Object.keys(p).length === 1 && p["$patch"] !== undefined))]);
    if (!key) return clone(patch);
    const result: unknown[] = target.map((t) => clone(t));
    for (const item of patch) {
      if (!isRecord(item)) continue;
      const index = result.findIndex((r) => isRecord(r) && deepEqual(r[key], item[key]));
      if (item["$patch"] === "delete") {
        if (index >= 0) result.splice(index, 1);
        continue;
      }
      if (index >= 0) result[index] = strategicMergePatch(result[index], item);
      else result.push(strategicMergePatch(undefined, item));
    }
    return result;
  }
  if (!isRecord(patch)) return clone(patch);
  if (patch["$patch"] === "replace") {
    const { $patch: _ignored, ...rest } = patch;
    return clone(rest);
  }
  if (patch["$patch"] === "delete") return undefined;
  const result: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) continue;
    if (value === null) delete result[key];
    else {
      const merged = strategicMergePatch(result[key], value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  return result;
}

interface JsonPatchOp {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

function decodePointer(pointer: string): string[] {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) throw badRequest(`invalid JSON pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split("/")
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
}

function parentAndKey(doc: unknown, pointer: string): { parent: unknown; key: string } {
  const parts = decodePointer(pointer);
  const key = parts.pop();
  if (key === undefined) throw badRequest("cannot address the document root");
  let parent: unknown = doc;
  for (const part of parts) {
    if (Array.isArray(parent)) parent = parent[Number(part)];
    else if (isRecord(parent)) parent = parent[part];
    else parent = undefined;
    if (parent === undefined) throw unprocessable(`doc is missing path: "${pointer}"`);
  }
  return { parent, key };
}

function unprocessable(message: string): ApiError {
  return new ApiError({ code: 422, reason: "Invalid", message });
}

function readPointer(doc: unknown, pointer: string): unknown {
  let current: unknown = doc;
  for (const part of decodePointer(pointer)) {
    if (Array.isArray(current)) current = current[Number(part)];
    else if (isRecord(current)) current = current[part];
    else return undefined;
  }
  return current;
}

function removeAt(doc: unknown, pointer: string): unknown {
  const { parent, key } = parentAndKey(doc, pointer);
  if (Array.isArray(parent)) {
    const index = Number(key);
    if (!(index >= 0 && index < parent.length)) throw unprocessable(`unable to remove nonexistent index: ${pointer}`);
    return parent.splice(index, 1)[0];
  }
  if (isRecord(parent) && Object.hasOwn(parent, key)) {
    const value = parent[key];
    delete parent[key];
    return value;
  }
  throw unprocessable(`unable to remove nonexistent key: ${pointer}`);
}

function addAt(doc: unknown, pointer: string, value: unknown, replace: boolean): void {
  const { parent, key } = parentAndKey(doc, pointer);
  if (Array.isArray(parent)) {
    const index = key === "-" ? parent.length : Number(key);
    if (!(index >= 0 && index <= parent.length)) throw unprocessable(`index out of range: ${pointer}`);
    if (replace) parent[index] = value;
    else parent.splice(index, 0, value);
    return;
  }
  if (!isRecord(parent)) throw unprocessable(`doc is missing path: "${pointer}"`);
  if (replace && !Object.hasOwn(parent, key)) throw unprocessable(`replace operation does not apply: doc is missing key: ${pointer}`);
  parent[key] = value;
}

export function jsonPatch(target: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest("a JSON patch must be an array of operations");
  const doc = clone(target);
  for (const raw of ops) {
    if (!isRecord(raw) || typeof raw["op"] !== "string" || typeof raw["path"] !== "string") {
      throw badRequest("invalid JSON patch operation");
    }
    const op = raw as unknown as JsonPatchOp;
    switch (op.op) {
      case "add":
        addAt(doc, op.path, clone(op.value), false);
        break;
      case "replace":
        addAt(doc, op.path, clone(op.value), true);
        break;
      case "remove":
        removeAt(doc, op.path);
        break;
      case "copy":
        addAt(doc, op.path, clone(readPointer(doc, op.from ?? "")), false);
        break;
      case "move":
        addAt(doc, op.path, removeAt(doc, op.from ?? ""), false);
        break;
      case "test":
        if (!deepEqual(readPointer(doc, op.path), op.value)) throw unprocessable(`testing value ${op.path} failed`);
        break;
      default:
        throw badRequest(`unknown JSON patch operation ${op.op}`);
    }
  }
  return doc;
}

export function applyPatch(type: PatchType, target: unknown, patch: unknown): unknown {
  switch (type) {
    case "json":
      return jsonPatch(target, patch);
    case "merge":
      return mergePatch(target, patch);
    case "strategic":
    case "apply":
      return strategicMergePatch(target, patch);
  }
}
