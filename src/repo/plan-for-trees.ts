import { buildPlan } from "../plan/compute-plan.ts";
import type { Plan } from "../plan/plan-types.ts";
import { renderSnapshot } from "./render-snapshot.ts";

/** Renders both trees (path -> text) with kustomize and plans the difference. */
export async function planForTrees(
  baseFiles: ReadonlyMap<string, string>,
  headFiles: ReadonlyMap<string, string>,
  labels: { base: string; head: string },
): Promise<Plan> {
  // One after the other: each render runs several kustomize processes and the machine may have two cores.
  // The base as committed (what is deployed); the head as kustodian would commit it.
  const base = await renderSnapshot(baseFiles, { asCommitted: true });
  const head = await renderSnapshot(headFiles, { before: baseFiles });
  return buildPlan(base, head, labels);
}
