import type { Document } from "yaml";
import { parseImageReference } from "../environments/image-reference.ts";
import { keyOffset, positionOf } from "../environments/locate.ts";
import type { FileProblem } from "../environments/problems.ts";
import type { EnvironmentFile } from "../environments/schema.ts";
import { configMapNameFor, type BaseInventory } from "./base-inventory.ts";

/**
 * What the schema alone cannot know: every workload, HPA and config map an environment file
 * names must exist in base/, or the overlay would not build (or would silently patch nothing).
 */
export function checkAgainstBase(file: string, text: string, doc: Document, env: EnvironmentFile, base: BaseInventory): FileProblem[] {
  const problems: FileProblem[] = [];
  const problem = (path: (string | number)[], message: string) => {
    const pos = positionOf(text, keyOffset(doc, path));
    problems.push({ file, line: pos.line, column: pos.column, field: path.join("."), message });
  };
  const known = [...base.deployments.keys()].sort();
  const imageOwners = new Map<string, string>();

  for (const [name, workload] of Object.entries(env.workloads)) {
    const deployment = base.deployments.get(name);
    if (!deployment) {
      problem(["workloads", name], `base/ has no Deployment named "${name}"; known: ${known.join(", ") || "none"}`);
      continue;
    }
    const other = imageOwners.get(deployment.imageName);
    if (other) {
      problem(["workloads", name, "image"], `"${other}" and "${name}" use the same base image ${deployment.imageName}; kustomize sets images by name, so they cannot differ`);
    }
    imageOwners.set(deployment.imageName, name);
    if (workload.autoscaling && !deployment.hpa) {
      problem(["workloads", name, "autoscaling"], `base/ has no HorizontalPodAutoscaler targeting Deployment "${name}"`);
    }
    if (workload.config && !base.configMapGenerators.has(configMapNameFor(name))) {
      problem(["workloads", name, "config"], `base/kustomization.yaml has no configMapGenerator named "${configMapNameFor(name)}" to merge these entries into`);
    }
    const image = parseImageReference(workload.image);
    if (image.ok && !image.image.tag && !image.image.digest) {
      // kustomize's images transformer keeps base's tag when given none: the file would lie.
      problem(["workloads", name, "image"], `expected a tag or digest: without one the base tag would stay in place`);
    }
  }
  return problems;
}
