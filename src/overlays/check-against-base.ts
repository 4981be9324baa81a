import type { Document } from "yaml";
import { parseImageReference } from "../environments/image-reference.ts";
import { keyOffset, positionOf } from "../environments/locate.ts";
import type { FileProblem } from "../environments/problems.ts";
import type { EnvironmentFile } from "../environments/schema.ts";
import { configMapNameFor, findWorkload, type BaseInventory } from "./base-inventory.ts";
import { imageAssignments, splitImages } from "./generate.ts";

/**
 * What the schema alone cannot know: every workload, container, HPA and config map an environment
 * file names must exist in what the overlay builds on, or the overlay would not build (or would
 * silently patch nothing).
 */
export function checkAgainstBase(file: string, text: string, doc: Document, env: EnvironmentFile, base: BaseInventory): FileProblem[] {
  const problems: FileProblem[] = [];
  const problem = (path: (string | number)[], message: string) => {
    const pos = positionOf(text, keyOffset(doc, path));
    problems.push({ file, line: pos.line, column: pos.column, field: path.join("."), message });
  };

  for (const [name, workload] of Object.entries(env.workloads)) {
    const found = findWorkload(base, name, workload.kind);
    if (!found.ok) {
      problem(["workloads", name], found.problem);
      continue;
    }
    const w = found.workload;
    if (workload.replicas !== undefined && w.kind === "DaemonSet") {
      problem(["workloads", name, "replicas"], `"${name}" is a DaemonSet: it runs one pod per node and has no replicas`);
    }
    if (workload.autoscaling && !w.hpa) {
      problem(["workloads", name, "autoscaling"], `the base has no HorizontalPodAutoscaler targeting ${w.kind} "${name}"`);
    }
    if (workload.rollingUpdate?.maxSurge !== undefined && w.kind === "StatefulSet") {
      problem(["workloads", name, "rollingUpdate", "maxSurge"], `"${name}" is a StatefulSet: its rolling update has maxUnavailable (and partition), no maxSurge`);
    }
    if (workload.config && !base.configMapGenerators.has(configMapNameFor(name))) {
      problem(["workloads", name, "config"], `the base kustomization has no configMapGenerator named "${configMapNameFor(name)}" to merge these entries into`);
    }
    if (workload.image) missingTag(workload.image, ["workloads", name, "image"], problem);
    for (const [cname, c] of Object.entries(workload.containers ?? {})) {
      const container = w.containers.find((x) => x.name === cname);
      if (!container) {
        problem(["workloads", name, "containers", cname], `${w.kind} "${name}" has no container named "${cname}"; it has: ${w.containers.map((x) => x.name).join(", ")}`);
      } else if (cname === w.container) {
        problem(["workloads", name, "containers", cname], `"${cname}" is the main container of "${name}": set its image, resources and env on the workload itself`);
      } else if (c.image) missingTag(c.image, ["workloads", name, "containers", cname, "image"], problem);
    }
  }

  // Images are per workload. Where workloads sharing an image name run different tags, each gets a
  // patch of its own; then nothing else may use that image name, or it would silently fall back
  // to the tag in the base (kustomize's `images:` would have set it before).
  const assignments = imageAssignments(env, base);
  const { targeted } = splitImages(assignments);
  const reported = new Set<string>();
  for (const t of targeted) {
    if (reported.has(t.container.imageName)) continue;
    const set = new Set(assignments.filter((a) => a.container.imageName === t.container.imageName).map((a) => `${a.workload.kind}/${a.workload.name}/${a.container.name}`));
    const others = base.imageUses.filter((u) => u.imageName === t.container.imageName && !set.has(`${u.kind}/${u.name}/${u.container}`));
    if (others.length) {
      reported.add(t.container.imageName);
      const names = others.map((u) => `${u.kind} ${u.name} (container ${u.container})`).join(", ");
      problem(
        t.field,
        `workloads here run different tags of ${t.container.imageName}, which ${names} also uses without a tag in this file; kustodian would not know which tag it gets: set it here too`,
      );
    }
  }

  const passImages = new Set(
    (env.kustomize?.images ?? []).flatMap((i) => (i && typeof i === "object" && typeof (i as { name?: unknown }).name === "string" ? [(i as { name: string }).name] : [])),
  );
  for (const a of assignments) {
    if (passImages.has(a.container.imageName)) problem(a.field, `kustomize.images also sets ${a.container.imageName}: set it in one place`);
  }
  return problems;
}

function missingTag(ref: string, path: (string | number)[], problem: (path: (string | number)[], message: string) => void): void {
  const image = parseImageReference(ref);
  if (image.ok && !image.image.tag && !image.image.digest) {
    // kustomize's images transformer keeps the base's tag when given none: the file would lie.
    problem(path, `expected a tag or digest: without one the base tag would stay in place`);
  }
}
