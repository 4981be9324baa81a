import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { defaultLayout } from "../layout/layout.ts";
import { kustomizationFileNames } from "../layout/paths.ts";
import { renderManifests } from "../render/kustomize-build.ts";
import { baseInventory, mergeInventories, type BaseInventory } from "../overlays/base-inventory.ts";

/** Renders an app's bases (default: base/) under root with kustomize and takes their inventory. */
export async function loadBaseInventory(root: string, bases: readonly string[] = defaultLayout.apps[0]!.bases): Promise<BaseInventory> {
  const inventories = await Promise.all(
    bases.map(async (base) => {
      const dir = join(root, base);
      const [objects, kustomization] = await Promise.all([renderManifests(dir, { root }), readKustomization(dir)]);
      return baseInventory(objects, kustomization);
    }),
  );
  return mergeInventories(inventories);
}

/** The kustomization of a directory, whichever of the names kustomize accepts it has. */
async function readKustomization(dir: string): Promise<string> {
  for (const name of kustomizationFileNames) {
    try {
      return await readFile(join(dir, name), "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
    }
  }
  return "";
}
