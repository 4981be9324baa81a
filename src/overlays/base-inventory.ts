import { parse } from "yaml";
import { parseImageReference } from "../environments/image-reference.ts";
import type { KubeObject } from "../k8s/manifest-types.ts";

export const workloadKinds = ["Deployment", "StatefulSet", "DaemonSet"] as const;
export type WorkloadKind = (typeof workloadKinds)[number];

/**
 * What an overlay may refer to in what it builds on (its bases, plus the resources and components
 * an environment file passes through): pod workloads with their containers and HPAs, every place
 * an image is used, and the config map generators.
 */
export interface BaseInventory {
  workloads: BaseWorkload[];
  /** Every container (and init container) of every object, workload or not: who an `images:` entry would touch. */
  imageUses: ImageUse[];
  configMapGenerators: Set<string>;
}

export interface BaseContainer {
  name: string;
  /** Image name without tag/digest: what kustomize's `images:` matches. */
  imageName: string;
  init: boolean;
}

export interface BaseWorkload {
  kind: WorkloadKind;
  name: string;
  /** The container kustodian manages by default: the one named like the workload, else the first. */
  container: string;
  /** Image name (without tag/digest) of that container. */
  imageName: string;
  containers: BaseContainer[];
  hpa?: string;
}

export interface ImageUse {
  kind: string;
  name: string;
  container: string;
  imageName: string;
}

interface ContainerLike {
  name?: unknown;
  image?: unknown;
}
interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
}
interface WorkloadLike {
  spec?: { template?: { spec?: PodSpecLike } };
}
interface HpaLike {
  spec?: { scaleTargetRef?: { kind?: string; name?: string } };
}

function imageNameOf(image: unknown): string {
  const text = typeof image === "string" ? image : "";
  const parsed = parseImageReference(text);
  return parsed.ok ? parsed.image.name : text;
}

function containersOf(spec: PodSpecLike | undefined): BaseContainer[] {
  const list = (items: ContainerLike[] | undefined, init: boolean) =>
    (Array.isArray(items) ? items : []).flatMap((c) =>
      c && typeof c.name === "string" ? [{ name: c.name, imageName: imageNameOf(c.image), init }] : [],
    );
  return [...list(spec?.containers, false), ...list(spec?.initContainers, true)];
}

/** Every `containers`/`initContainers` list anywhere in an object (CronJobs, Jobs, Pods, custom kinds), as kustomize's images transformer finds them. */
function allContainers(value: unknown, out: ContainerLike[], depth = 0): void {
  if (depth > 12 || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const item of value) allContainers(item, out, depth + 1);
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if ((key === "containers" || key === "initContainers") && Array.isArray(child)) out.push(...(child as ContainerLike[]));
    else allContainers(child, out, depth + 1);
  }
}

export function baseInventory(rendered: readonly KubeObject[], baseKustomizations: string | readonly string[]): BaseInventory {
  const workloads: BaseWorkload[] = [];
  const imageUses: ImageUse[] = [];
  for (const o of rendered) {
    const found: ContainerLike[] = [];
    allContainers(o, found);
    for (const c of found) {
      if (c && typeof c.name === "string") imageUses.push({ kind: o.kind, name: o.metadata.name, container: c.name, imageName: imageNameOf(c.image) });
    }
    if (!(workloadKinds as readonly string[]).includes(o.kind)) continue;
    const containers = containersOf((o as WorkloadLike).spec?.template?.spec);
    const regular = containers.filter((c) => !c.init);
    const main = regular.find((c) => c.name === o.metadata.name) ?? regular[0];
    if (!main) continue;
    workloads.push({ kind: o.kind as WorkloadKind, name: o.metadata.name, container: main.name, imageName: main.imageName, containers });
  }
  for (const o of rendered) {
    const target = (o as HpaLike).spec?.scaleTargetRef;
    if (o.kind === "HorizontalPodAutoscaler" && target?.kind && target.name) {
      const w = workloads.find((x) => x.kind === target.kind && x.name === target.name);
      if (w) w.hpa = o.metadata.name;
    }
  }
  const configMapGenerators = new Set<string>();
  for (const text of typeof baseKustomizations === "string" ? [baseKustomizations] : baseKustomizations) {
    const kustomization = (parse(text) ?? {}) as { configMapGenerator?: { name?: string }[] };
    for (const g of Array.isArray(kustomization.configMapGenerator) ? kustomization.configMapGenerator : []) {
      if (typeof g?.name === "string") configMapGenerators.add(g.name);
    }
  }
  return { workloads, imageUses, configMapGenerators };
}

export type WorkloadLookup = { ok: true; workload: BaseWorkload } | { ok: false; problem: string };

/** The base workload an environment file's `workloads.<name>` (with its optional `kind`) refers to. */
export function findWorkload(base: BaseInventory, name: string, kind?: WorkloadKind): WorkloadLookup {
  const named = base.workloads.filter((w) => w.name === name && (kind === undefined || w.kind === kind));
  if (named.length === 1) return { ok: true, workload: named[0]! };
  if (named.length > 1) {
    return { ok: false, problem: `"${name}" is the name of a ${named.map((w) => w.kind).join(" and a ")}; say which with kind:` };
  }
  const known = [...new Set(base.workloads.map((w) => w.name))].sort();
  const what = kind ?? "Deployment, StatefulSet or DaemonSet";
  return { ok: false, problem: `the base has no ${what} named "${name}"; known: ${known.join(", ") || "none"}` };
}

export function configMapNameFor(workload: string): string {
  return `${workload}-config`;
}

/** The inventory of an app with several bases: what any of them holds (a workload in two bases counts once, the first). */
export function mergeInventories(inventories: readonly BaseInventory[]): BaseInventory {
  if (inventories.length === 1) return inventories[0]!;
  const workloads: BaseWorkload[] = [];
  const imageUses: ImageUse[] = [];
  const configMapGenerators = new Set<string>();
  for (const inv of inventories) {
    for (const w of inv.workloads) if (!workloads.some((x) => x.kind === w.kind && x.name === w.name)) workloads.push(w);
    imageUses.push(...inv.imageUses);
    for (const g of inv.configMapGenerators) configMapGenerators.add(g);
  }
  return { workloads, imageUses, configMapGenerators };
}
