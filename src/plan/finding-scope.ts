// Which findings a plan reports (issue 15): those about workloads whose rendered object the change
// alters (or adds); findings about workloads it leaves as they are are only counted, so a one-line
// image bump is not buried under every finding the environment already had. `kustodian plan --all`
// reports them all.
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../k8s/manifest-types.ts";
import type { Finding } from "./findings.ts";

export interface ScopedFindings {
  /** About workloads the change alters or adds. */
  changed: Finding[];
  /** About workloads whose rendered object is the same before and after. */
  unchanged: Finding[];
}

const keyOf = (kind: string, namespace: string | undefined, name: string) => `${kind}\0${namespace ?? ""}\0${name}`;

/** Splits findings on the head's objects by whether the workload they name changes between base and head. */
export function scopeFindings(
  findings: readonly Finding[],
  baseObjects: readonly KubeObject[],
  headObjects: readonly KubeObject[],
): ScopedFindings {
  const before = new Map(baseObjects.map((o) => [keyOf(o.kind, o.metadata.namespace, o.metadata.name), o]));
  const same = new Set(
    headObjects
      .filter((o) => {
        const old = before.get(keyOf(o.kind, o.metadata.namespace, o.metadata.name));
        return old !== undefined && isDeepStrictEqual(old, o);
      })
      .map((o) => keyOf(o.kind, o.metadata.namespace, o.metadata.name)),
  );
  const scoped: ScopedFindings = { changed: [], unchanged: [] };
  for (const finding of findings)
    scoped[same.has(keyOf(finding.kind, finding.namespace, finding.workload)) ? "unchanged" : "changed"].push(finding);
  return scoped;
}
