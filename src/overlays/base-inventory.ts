import { parse } from "yaml";
import { parseImageReference } from "../environments/image-reference.ts";
import type { KubeObject } from "../k8s/manifest-types.ts";

/** What an overlay may refer to in base/: its Deployments, their HPAs and config generators. */
export interface BaseInventory {
  deployments: Map<string, BaseDeployment>;
  configMapGenerators: Set<string>;
}

export interface BaseDeployment {
  name: string;
  /** The container kustodian manages: the one named like the Deployment, else the first. */
  container: string;
  /** Image name (without tag/digest) of that container, which the overlay's `images:` matches. */
  imageName: string;
  hpa?: string;
}

interface DeploymentLike {
  spec?: { template?: { spec?: { containers?: { name: string; image?: string }[] } } };
}
interface HpaLike {
  spec?: { scaleTargetRef?: { kind?: string; name?: string } };
}

export function baseInventory(rendered: readonly KubeObject[], baseKustomization: string): BaseInventory {
  const deployments = new Map<string, BaseDeployment>();
  for (const o of rendered) {
    if (o.kind !== "Deployment") continue;
    const containers = (o as DeploymentLike).spec?.template?.spec?.containers ?? [];
    const main = containers.find((c) => c.name === o.metadata.name) ?? containers[0];
    if (!main) continue;
    const parsed = parseImageReference(main.image ?? "");
    deployments.set(o.metadata.name, {
      name: o.metadata.name,
      container: main.name,
      imageName: parsed.ok ? parsed.image.name : (main.image ?? ""),
    });
  }
  for (const o of rendered) {
    const target = (o as HpaLike).spec?.scaleTargetRef;
    if (o.kind === "HorizontalPodAutoscaler" && target?.kind === "Deployment" && target.name) {
      const d = deployments.get(target.name);
      if (d) d.hpa = o.metadata.name;
    }
  }
  const kustomization = (parse(baseKustomization) ?? {}) as { configMapGenerator?: { name?: string }[] };
  const configMapGenerators = new Set((kustomization.configMapGenerator ?? []).flatMap((g) => (g.name ? [g.name] : [])));
  return { deployments, configMapGenerators };
}

export function configMapNameFor(workload: string): string {
  return `${workload}-config`;
}
