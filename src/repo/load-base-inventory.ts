import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { kustomizeBuild, parseManifests } from "../kustomize/build.ts";
import { baseInventory, type BaseInventory } from "../overlays/base-inventory.ts";

/** Renders base/ under root with kustomize and takes its inventory. */
export async function loadBaseInventory(root: string): Promise<BaseInventory> {
  const dir = join(root, "base");
  const [rendered, kustomization] = await Promise.all([kustomizeBuild(dir), readFile(join(dir, "kustomization.yaml"), "utf8")]);
  return baseInventory(parseManifests(rendered), kustomization);
}
