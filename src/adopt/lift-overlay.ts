// Turning a hand-written overlay into an environment file (issue 12, `kustodian init`): what the
// schema models (the image tags and replica counts of the base's workloads) is lifted into
// `workloads`, everything else goes into the verbatim `kustomize:` pass-through, so the generated
// overlay builds the same objects. Pure: the kustomization text and the base inventory are passed in.
import { posix } from "node:path";
import { parse } from "yaml";
import { parseImageReference } from "../environments/image-reference.ts";
import { Passthrough } from "../environments/schema.ts";
import type { BaseInventory } from "../overlays/base-inventory.ts";

/** What init found wrong or could not carry, and where. */
export interface Loss {
  where: string;
  what: string;
}

export interface LiftedOverlay {
  /** Repository paths of the directories the overlay builds on (its bases). */
  bases: string[];
  namespace?: string;
  workloads: Record<string, LiftedWorkload>;
  kustomize: Record<string, unknown>;
}

export interface LiftedWorkload {
  image?: string;
  replicas?: number;
  containers?: Record<string, { image: string }>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** Fields generation writes itself; everything else must fit the pass-through. */
const owned = new Set(["apiVersion", "kind", "namespace", "resources", "bases", "images", "replicas"]);
const passthroughKeys = new Set(Object.keys(Passthrough.shape));

/**
 * Splits the overlay's `resources` (and deprecated `bases`) into bases (directories of the
 * repository: `dirs` holds every directory that has a kustomization) and the rest.
 */
export function overlayBases(overlayDir: string, text: string, dirs: ReadonlySet<string>): string[] {
  const k = safeParse(text);
  return resourceEntries(k).flatMap((r) => {
    const path = typeof r === "string" ? resolve(overlayDir, r) : undefined;
    return path !== undefined && dirs.has(path) ? [path] : [];
  });
}

function safeParse(text: string): Obj {
  try {
    const k = parse(text, { maxAliasCount: 50 }) as unknown;
    return isObj(k) ? k : {};
  } catch {
    return {};
  }
}

function resourceEntries(k: Obj): unknown[] {
  return [...(Array.isArray(k.resources) ? k.resources : []), ...(Array.isArray(k.bases) ? k.bases : [])];
}

function resolve(dir: string, ref: string): string | undefined {
  if (/^[a-z]+:\/\//i.test(ref) || ref.startsWith("git@") || ref.startsWith("/")) return undefined;
  const path = posix.normalize(posix.join(dir, ref)).replace(/\/+$/, "");
  return path.startsWith("..") ? undefined : path;
}

/**
 * Lifts one overlay. `kustomizationFile` is for messages; `base` is the inventory of what its bases
 * build (the workloads an image or replica entry may belong to).
 */
export function liftOverlay(
  overlayDir: string,
  kustomizationFile: string,
  text: string,
  base: BaseInventory,
  dirs: ReadonlySet<string>,
): { ok: true; lifted: LiftedOverlay } | { ok: false; losses: Loss[] } {
  let k: unknown;
  try {
    k = parse(text, { maxAliasCount: 50 });
  } catch (error) {
    return { ok: false, losses: [{ where: kustomizationFile, what: `not valid YAML: ${(error as Error).message.split("\n")[0]}` }] };
  }
  if (!isObj(k)) return { ok: false, losses: [{ where: kustomizationFile, what: "not a kustomization (expected a map)" }] };

  const losses: Loss[] = [];
  for (const key of Object.keys(k)) {
    if (!owned.has(key) && !passthroughKeys.has(key)) {
      losses.push({
        where: `${kustomizationFile} ${key}`,
        what: `kustodian cannot carry the field ${key} (generators, transformers, Helm charts and plugins are not supported)`,
      });
    }
  }
  const lifted: LiftedOverlay = { bases: [], workloads: {}, kustomize: {} };
  if (k.namespace !== undefined) {
    if (typeof k.namespace !== "string") losses.push({ where: `${kustomizationFile} namespace`, what: "expected a string" });
    else lifted.namespace = k.namespace;
  }

  const extra: unknown[] = [];
  for (const r of resourceEntries(k)) {
    const path = typeof r === "string" ? resolve(overlayDir, r) : undefined;
    if (path !== undefined && dirs.has(path)) lifted.bases.push(path);
    else extra.push(r);
  }
  if (lifted.bases.length === 0)
    losses.push({ where: `${kustomizationFile} resources`, what: "no base: none of its resources is a directory with a kustomization" });

  const workload = (name: string): LiftedWorkload => (lifted.workloads[name] ??= {});
  const images: unknown[] = [];
  for (const entry of Array.isArray(k.images) ? k.images : []) {
    const ref = isObj(entry) ? imageRef(entry) : undefined;
    const name = isObj(entry) && typeof entry.name === "string" ? entry.name : undefined;
    const users = name === undefined ? [] : base.workloads.filter((w) => w.containers.some((c) => c.imageName === name));
    if (ref === undefined || name === undefined || users.length === 0) {
      images.push(entry);
      continue;
    }
    for (const w of users) {
      if (base.workloads.filter((x) => x.name === w.name).length > 1) {
        images.push(entry);
        break;
      }
      const main = w.containers.find((c) => c.name === w.container)!;
      if (main.imageName === name) workload(w.name).image = ref;
      else for (const c of w.containers.filter((x) => x.imageName === name)) (workload(w.name).containers ??= {})[c.name] = { image: ref };
    }
  }
  const replicas: unknown[] = [];
  for (const entry of Array.isArray(k.replicas) ? k.replicas : []) {
    const name = isObj(entry) && typeof entry.name === "string" ? entry.name : undefined;
    const count = isObj(entry) ? entry.count : undefined;
    const targets = base.workloads.filter((w) => w.name === name);
    if (
      name !== undefined &&
      Number.isInteger(count) &&
      (count as number) >= 0 &&
      targets.length === 1 &&
      targets[0]!.kind !== "DaemonSet"
    ) {
      workload(name).replicas = count as number;
    } else replicas.push(entry);
  }

  for (const [key, value] of Object.entries(k)) {
    if (passthroughKeys.has(key) && !owned.has(key)) lifted.kustomize[key] = value;
  }
  if (extra.length) lifted.kustomize.resources = extra;
  if (images.length) lifted.kustomize.images = images;
  if (replicas.length) lifted.kustomize.replicas = replicas;

  const checked = Passthrough.safeParse(lifted.kustomize);
  if (!checked.success) {
    for (const issue of checked.error.issues) losses.push({ where: `${kustomizationFile} ${issue.path.join(".")}`, what: issue.message });
  }
  return losses.length ? { ok: false, losses } : { ok: true, lifted };
}

/** The image an `images:` entry sets, when it is one an environment file can hold (a tag or digest). */
function imageRef(entry: Obj): string | undefined {
  const name = typeof entry.newName === "string" ? entry.newName : typeof entry.name === "string" ? entry.name : undefined;
  const tag = typeof entry.newTag === "string" ? entry.newTag : undefined;
  const digest = typeof entry.digest === "string" ? entry.digest : undefined;
  if (name === undefined || (tag === undefined && digest === undefined)) return undefined;
  if (entry.newTag !== undefined && tag === undefined) return undefined;
  const ref = `${name}${tag !== undefined ? `:${tag}` : ""}${digest !== undefined ? `@${digest}` : ""}`;
  return parseImageReference(ref).ok ? ref : undefined;
}
