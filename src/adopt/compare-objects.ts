// The proof of an import: the objects an overlay builds before and after, compared object by
// object. Order does not matter (kustomize sorts its output); content does, to the last field.
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../k8s/manifest-types.ts";

export function objectId(o: KubeObject): string {
  return `${o.kind} ${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name} (${o.apiVersion})`;
}

/** The first field path where two values differ (`spec.template.spec.containers[0].image`). */
function firstDifference(a: unknown, b: unknown, path: string): string | undefined {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path} (${a.length} items before, ${b.length} after)`;
    for (let i = 0; i < a.length; i++) {
      const d = firstDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return path;
  }
  if (a && b && typeof a === "object" && typeof b === "object" && !Array.isArray(a) && !Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) {
      const d = firstDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k);
      if (d) return d;
    }
    return path;
  }
  return `${path || "(whole object)"}: ${JSON.stringify(a)?.slice(0, 120)} before, ${JSON.stringify(b)?.slice(0, 120)} after`;
}

/** Every difference between two builds, as sentences; empty when they hold the same objects. */
export function compareObjects(before: readonly KubeObject[], after: readonly KubeObject[]): string[] {
  const index = (list: readonly KubeObject[]) => {
    const m = new Map<string, KubeObject[]>();
    for (const o of list) m.set(objectId(o), [...(m.get(objectId(o)) ?? []), o]);
    return m;
  };
  const a = index(before);
  const b = index(after);
  const out: string[] = [];
  for (const id of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(id) ?? [];
    const y = b.get(id) ?? [];
    if (y.length === 0) out.push(`${id} is no longer built`);
    else if (x.length === 0) out.push(`${id} is new`);
    else if (x.length !== y.length) out.push(`${id}: ${x.length} before, ${y.length} after`);
    else {
      for (let i = 0; i < x.length; i++) {
        const d = firstDifference(x[i], y[i], "");
        if (d) out.push(`${id} differs at ${d}`);
      }
    }
  }
  return out;
}
