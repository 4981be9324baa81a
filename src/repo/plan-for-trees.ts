import { buildPlan, type PlanOptions } from "../plan/compute-plan.ts";
import type { Plan } from "../plan/plan-types.ts";
import { renderSnapshot } from "./render-snapshot.ts";
import { notRendered, unchangedEnvironments } from "./unchanged-environments.ts";

/**
 * Renders both trees (path -> text) with kustomize and plans the difference. Only the environments
 * whose inputs changed are rendered (both sides at once; the render sandbox caps the kustomize
 * processes); the others are listed as unchanged.
 */
export async function planForTrees(
  baseFiles: ReadonlyMap<string, string>,
  headFiles: ReadonlyMap<string, string>,
  labels: { base: string; head: string },
  options: PlanOptions = {},
): Promise<Plan> {
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
  return buildPlan(base, head, labels, options);
}
