// Which undone merge a failed rollout is attributed to, and which image is held (issue 13), as
// pure code over rendered objects: each undone merge's rendered environment at its first parent
// and at the merge, compared on the failing Deployment's pod template (spec.template). An
// environment file's images alone misattribute: a config entry (a new ConfigMap name), a base
// change, resources, probes or a `containers.<name>.image` edit all change the pod template.
//
// The rule, newest merge first within each step:
//   1. the failure is about pulling the image (ImagePullFailed): a merge that changed an image of
//      the failing workload; a missing ConfigMap/Secret (ContainerConfigError): a merge that
//      changed something else in its pod template;
//   2. otherwise a merge that changed an image of the failing workload (the failing container's
//      first), then one that changed anything else in its pod template;
//   3. no undone merge changed the pod template (or it could not be rendered): the newest merge.
// The held images are those the blamed merge brought into the failing workload's pod template:
// none when it changed only configuration, probes, resources…
import { isDeepStrictEqual } from "node:util";
import type { KubeObject } from "../k8s/manifest-types.ts";

/** At most this many undone merges (the newest) are compared: each may cost two renders. */
export const maxBlamedMerges = 10;

/** One undone merge with its environment rendered before (first parent) and after; undefined: not rendered. */
export interface RenderedMerge {
  sha: string;
  before: readonly KubeObject[] | undefined;
  after: readonly KubeObject[] | undefined;
}

export interface FailingWorkload {
  /** The Deployment whose rollout failed. */
  workload: string;
  /** Its container the evidence names, if any. */
  container?: string | undefined;
  /** The verdict's reason (src/health FailureReason). */
  reason: string;
}

/** What one merge changed in a pod template. */
export interface TemplateChange {
  /** Fields changed, as people read them: `container wordpress: image`, `volumes`. Empty: unchanged. */
  fields: string[];
  /** Images it brought in (containers and init containers whose image differs or that are new), by container. */
  images: { container: string; image: string }[];
}

export interface Blame {
  /** The merge the failure is attributed to. */
  sha: string;
  /** What it changed in the failing workload's pod template; empty when no undone merge changed it. */
  fields: string[];
  /** The images to hold: those it brought into the failing workload's pod template (none for a config-only change). */
  images: string[];
  /** Why this merge: it changed the image, the pod template otherwise, or nothing seen (the newest). */
  basis: "image" | "template" | "newest";
}

interface Container {
  name?: unknown;
  image?: unknown;
  [field: string]: unknown;
}

type PodTemplate = { metadata?: Record<string, unknown>; spec?: Record<string, unknown> } & Record<string, unknown>;

/** The pod template (spec.template) of the Deployment `name` among rendered objects; undefined when there is none. */
export function podTemplateOf(objects: readonly KubeObject[], name: string): PodTemplate | undefined {
  const deployment = objects.find((o) => o.kind === "Deployment" && o.metadata.name === name);
  const spec = deployment?.spec as { template?: PodTemplate } | undefined;
  return spec?.template;
}

const containerLists = ["initContainers", "containers"] as const;

function containersOf(template: PodTemplate | undefined, list: (typeof containerLists)[number]): Map<string, Container> {
  const items = template?.spec?.[list];
  const out = new Map<string, Container>();
  if (!Array.isArray(items)) return out;
  for (const c of items as Container[]) if (c && typeof c.name === "string") out.set(c.name, c);
  return out;
}

/** The difference between two pod templates (undefined: the Deployment is absent on that side). */
export function templateChange(before: PodTemplate | undefined, after: PodTemplate | undefined): TemplateChange {
  if (isDeepStrictEqual(before, after)) return { fields: [], images: [] };
  const fields: string[] = [];
  const images: TemplateChange["images"] = [];
  if (!isDeepStrictEqual(before?.metadata, after?.metadata)) fields.push("metadata");
  const keys = new Set([...Object.keys(before?.spec ?? {}), ...Object.keys(after?.spec ?? {})]);
  for (const key of [...keys].sort()) {
    const was = before?.spec?.[key];
    const now = after?.spec?.[key];
    if (isDeepStrictEqual(was, now)) continue;
    if (!(containerLists as readonly string[]).includes(key)) {
      fields.push(key);
      continue;
    }
    const list = key as (typeof containerLists)[number];
    const old = containersOf(before, list);
    const current = containersOf(after, list);
    const kind = list === "initContainers" ? "init container" : "container";
    const before0 = fields.length;
    for (const [name, c] of current) {
      const o = old.get(name);
      if (!o) {
        fields.push(`${kind} ${name} (added)`);
        if (typeof c.image === "string") images.push({ container: name, image: c.image });
        continue;
      }
      const changed = [...new Set([...Object.keys(o), ...Object.keys(c)])].filter((f) => !isDeepStrictEqual(o[f], c[f])).sort();
      if (changed.length) fields.push(`${kind} ${name}: ${changed.join(", ")}`);
      if (typeof c.image === "string" && c.image !== o.image) images.push({ container: name, image: c.image });
    }
    for (const name of old.keys()) if (!current.has(name)) fields.push(`${kind} ${name} (removed)`);
    // Same containers, same fields, different order.
    if (fields.length === before0) fields.push(`${list} (order)`);
  }
  return { fields, images };
}

/**
 * The merge among `merges` (oldest first, the failed one last) a failure of `failing` is
 * attributed to, and the images to hold. Only the newest `maxBlamedMerges` are looked at.
 * Throws when `merges` is empty.
 */
export function blameByPodTemplate(merges: readonly RenderedMerge[], failing: FailingWorkload): Blame {
  if (merges.length === 0) throw new Error("no merge to attribute the failure to");
  const considered = merges.slice(-maxBlamedMerges);
  const changes = considered.map((m) => ({
    sha: m.sha,
    change:
      m.before && m.after
        ? templateChange(podTemplateOf(m.before, failing.workload), podTemplateOf(m.after, failing.workload))
        : { fields: [], images: [] },
  }));
  const newestFirst = [...changes].reverse();
  const changedImage = (c: (typeof changes)[number], container?: string) =>
    c.change.images.some((i) => container === undefined || i.container === container);
  const changedOther = (c: (typeof changes)[number]) => c.change.fields.some((f) => !/^(?:init )?container \S+: image$/.test(f));
  const candidates: { pick: (c: (typeof changes)[number]) => boolean; basis: Blame["basis"] }[] = [];
  if (failing.reason === "ImagePullFailed") {
    if (failing.container) candidates.push({ pick: (c) => changedImage(c, failing.container), basis: "image" });
    candidates.push({ pick: (c) => changedImage(c), basis: "image" });
  }
  if (failing.reason === "ContainerConfigError") candidates.push({ pick: changedOther, basis: "template" });
  if (failing.container) candidates.push({ pick: (c) => changedImage(c, failing.container), basis: "image" });
  candidates.push({ pick: (c) => changedImage(c), basis: "image" });
  candidates.push({ pick: (c) => c.change.fields.length > 0, basis: "template" });
  for (const { pick, basis } of candidates) {
    const found = newestFirst.find(pick);
    if (found) {
      const images = [...new Set(found.change.images.map((i) => i.image))];
      return { sha: found.sha, fields: found.change.fields, images, basis: images.length ? "image" : basis };
    }
  }
  return { sha: considered[considered.length - 1]!.sha, fields: [], images: [], basis: "newest" };
}

/**
 * The Deployment a failure is about, from the verdict's evidence (`Deployment/<name>`, or a pod
 * `<deployment>-<rs hash>-<pod hash>` of a watched Deployment); else the first watched one.
 */
export function failingWorkloadOf(
  evidence: readonly { object: string; container?: string | undefined }[],
  watched: readonly string[],
): { workload: string | undefined; container: string | undefined } {
  const byLength = [...watched].sort((a, b) => b.length - a.length);
  for (const e of evidence) {
    const [kind, name = ""] = e.object.split("/", 2);
    if (kind === "Deployment" && watched.includes(name)) return { workload: name, container: e.container };
    if (kind === "Pod") {
      const owner = byLength.find((w) => name.startsWith(`${w}-`) && /^[a-z0-9]+-[a-z0-9]+$/.test(name.slice(w.length + 1)));
      if (owner) return { workload: owner, container: e.container };
    }
  }
  return { workload: watched[0], container: undefined };
}
