import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { environmentNameOf } from "../environments/parse.ts";
import type { Touched } from "../commands/scale.ts";

/** The workloads each environment file edits between the PR's base and head (environments whose file changed; deleted files left out). */
export function editedWorkloads(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>): Touched[] {
  const paths = [...new Set([...base.keys(), ...head.keys()])].filter((p) => /^environments\/[^/]+\.yaml$/.test(p)).sort();
  const touched: Touched[] = [];
  for (const path of paths) {
    const before = base.get(path);
    const after = head.get(path);
    if (before === after || after === undefined) continue;
    const workloadsOf = (text: string | undefined): Record<string, unknown> => {
      try {
        return ((parse(text ?? "") ?? {}) as { workloads?: Record<string, unknown> }).workloads ?? {};
      } catch {
        return {};
      }
    };
    const a = workloadsOf(before);
    const b = workloadsOf(after);
    const workloads = Object.keys(b).filter((w) => !isDeepStrictEqual(a[w], b[w]));
    touched.push({ env: environmentNameOf(path), workloads });
  }
  return touched;
}
