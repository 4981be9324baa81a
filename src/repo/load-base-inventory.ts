import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { renderManifests } from "../render/kustomize-build.ts";
import { baseInventory, type BaseInventory } from "../overlays/base-inventory.ts";

/** Renders base/ under root with kustomize and takes its inventory. */
export async function loadBaseInventory(root: string): Promise<BaseInventory> {
  const dir = join(root, "base");
  const [objects, kustomization] = await Promise.all([renderManifests(dir, { root }), readKustomization(dir)]);
  return baseInventory(objects, kustomization);
}

/** The kustomization of a directory, whichever of the names kustomize accepts it has. */
async function readKustomization(dir: string): Promise<string> {
  for (const name of ["kustomization.yaml", "kustomization.yml", "Kustomization"]) {
    try {
      return await readFile(join(dir, name), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return "";
}
