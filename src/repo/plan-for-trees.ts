import { buildPlan, type PlanOptions } from "../plan/compute-plan.ts";
import type { Plan } from "../plan/plan-types.ts";
import { renderSnapshot } from "./render-snapshot.ts";
import { notRendered, unchangedEnvironments } from "./unchanged-environments.ts";

export interface TreesPlan {
  plan: Plan;
  /** Environments the two trees hold together (0: the layout found none; nothing was planned). */
  environmentsFound: number;
  /** The head's layout file, when it has one. */
  layoutFile?: string;
}

/**
 * Renders both trees (path -> text) with kustomize and plans the difference. Only the environments
 * whose inputs changed are rendered (both sides at once; the render sandbox caps the kustomize
 * processes); the others are listed as unchanged.
 */
export async function planTrees(
  baseFiles: ReadonlyMap<string, string>,
  headFiles: ReadonlyMap<string, string>,
  labels: { base: string; head: string },
  options: PlanOptions = {},
): Promise<TreesPlan> {
  const unchanged = unchangedEnvironments(baseFiles, headFiles);
  // The base as committed (what is deployed); the head as kustodian would commit it.
  const [first, head] = await Promise.all([
    renderSnapshot(baseFiles, { asCommitted: true, unchanged }),
    renderSnapshot(headFiles, { before: baseFiles, unchanged }),
  ]);
  // The head renders an untouched environment whose committed overlay is stale: so must the base.
  const skipped = notRendered(head);
  const base = [...unchanged].every((name) => skipped.has(name))
    ? first
    : await renderSnapshot(baseFiles, { asCommitted: true, unchanged: skipped });
  const environmentsFound = new Set([...base.environments.keys(), ...head.environments.keys()]).size;
  const layoutFile = head.layout?.file;
  return { plan: buildPlan(base, head, labels, options), environmentsFound, ...(layoutFile ? { layoutFile } : {}) };
}

/** Renders both trees (path -> text) with kustomize and plans the difference. */
export async function planForTrees(
  baseFiles: ReadonlyMap<string, string>,
  headFiles: ReadonlyMap<string, string>,
  labels: { base: string; head: string },
  options: PlanOptions = {},
): Promise<Plan> {
  return (await planTrees(baseFiles, headFiles, labels, options)).plan;
}
