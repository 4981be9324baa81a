import { stringify } from "yaml";
import type { KubeObject } from "../k8s/manifest-types.ts";
import { isSecret } from "../k8s/manifest-types.ts";
import { unhashedName } from "./kustomize-names.ts";
import { unifiedDiff } from "./line-diff.ts";
import { maskedSecret } from "./secret-masking.ts";
import { defaultSecretKeyWords, maskedValues, sensitiveValues } from "./secret-values.ts";

export interface ObjectDiff {
  /** Identity both sides share: "apps/Deployment/kube-example/wordpress"; generated names without their hash. */
  key: string;
  kind: string;
  namespace: string | undefined;
  /** The name on the head side (base side when removed): the real, hashed name. */
  name: string;
  change: "added" | "removed" | "changed";
  /** Unified diff of the object's YAML, Secret values masked. */
  diff: string;
}

function group(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash === -1 ? "core" : apiVersion.slice(0, slash);
}

/**
 * The key pairing base and head versions of an object. By API group rather than apiVersion, so
 * moving autoscaling/v1 to v2 is a change; by un-hashed name, so a configMapGenerator change is a
 * change, not a delete and an add.
 */
export function objectKey(object: KubeObject): string {
  const { kind, metadata } = object;
  return `${group(object.apiVersion)}/${kind}/${metadata.namespace ?? ""}/${unhashedName(kind, metadata.name)}`;
}

function keyed(objects: readonly KubeObject[]): Map<string, KubeObject> {
  const byKey = new Map<string, KubeObject>();
  for (const object of objects) {
    const key = objectKey(object);
    // Two generated objects with one un-hashed name: keep the second apart under its full name.
    byKey.set(byKey.has(key) ? `${key}#${object.metadata.name}` : key, object);
  }
  return byKey;
}

function label(object: KubeObject): string {
  return `${object.kind}/${object.metadata.namespace === undefined ? "" : `${object.metadata.namespace}/`}${object.metadata.name}`;
}

/** YAML as `kustomize build` writes it (sequences not indented, no folding), so diff lines match what people render. */
function yamlLines(object: KubeObject | undefined): string[] {
  if (object === undefined) return [];
  return stringify(object, { lineWidth: 0, indentSeq: false }).replace(/\n$/, "").split("\n");
}

/** What a reviewer may see of an object: Secrets masked, marked where the value differs from base; secret values elsewhere masked. */
function shownObject(
  object: KubeObject | undefined,
  previous: KubeObject | undefined,
  hidden: ReadonlySet<string>,
  words: readonly string[],
): KubeObject | undefined {
  if (object === undefined) return object;
  if (!isSecret(object)) return maskedValues(object, hidden, words);
  return maskedSecret(object, previous !== undefined && isSecret(previous) ? previous : undefined);
}

/** Per object that differs between two rendered environments, its unified diff; Secret values never appear. */
export function manifestDiffs(
  baseObjects: readonly KubeObject[],
  headObjects: readonly KubeObject[],
  words: readonly string[] = defaultSecretKeyWords,
): ObjectDiff[] {
  const base = keyed(baseObjects);
  const head = keyed(headObjects);
  const keys = [...head.keys(), ...[...base.keys()].filter((key) => !head.has(key))];
  const hidden = sensitiveValues([...baseObjects, ...headObjects], words);
  const diffs: ObjectDiff[] = [];
  for (const key of keys) {
    const before = base.get(key);
    const after = head.get(key);
    const shownBefore = shownObject(before, undefined, hidden, words);
    const shownAfter = shownObject(after, before, hidden, words);
    const diff = unifiedDiff(yamlLines(shownBefore), yamlLines(shownAfter), {
      fromFile: before === undefined ? "/dev/null" : `base/${label(before)}`,
      toFile: after === undefined ? "/dev/null" : `head/${label(after)}`,
    });
    if (diff === "") continue;
    const current = after ?? before;
    if (current === undefined) continue;
    diffs.push({
      key,
      kind: current.kind,
      namespace: current.metadata.namespace,
      name: current.metadata.name,
      change: before === undefined ? "added" : after === undefined ? "removed" : "changed",
      diff,
    });
  }
  return diffs;
}

/** All object diffs of an environment as one unified diff text. */
export function manifestDiff(
  baseObjects: readonly KubeObject[],
  headObjects: readonly KubeObject[],
  words: readonly string[] = defaultSecretKeyWords,
): string {
  return manifestDiffs(baseObjects, headObjects, words)
    .map((objectDiff) => objectDiff.diff)
    .join("");
}
