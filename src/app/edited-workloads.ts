import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { layoutOfFiles } from "../layout/parse-layout.ts";
import { environmentsOf } from "../layout/paths.ts";
import type { Touched } from "../commands/scale.ts";

/** The workloads each environment file edits between the PR's base and head (environments whose file changed, in the head's layout; deleted files left out). */
export function editedWorkloads(base: ReadonlyMap<string, string>, head: ReadonlyMap<string, string>): Touched[] {
  const layout = layoutOfFiles(head);
  if (!layout.ok) return [];
  const refs = environmentsOf(layout.layout, head.keys());
  const touched: Touched[] = [];
  for (const ref of refs) {
    const before = base.get(ref.file);
    const after = head.get(ref.file);
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
    touched.push({ env: ref.key, workloads });
  }
  return touched;
}
