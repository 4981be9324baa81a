// Shared by the simulator's own tests: the rendered base, object refs, and small waits.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";
import type { ObjectRef } from "./store.ts";
import type { Deployment, Pod } from "./types.ts";
import type { Simulator } from "./index.ts";
import { getCondition } from "./conditions.ts";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const sharedFixtures = resolve(repoRoot, "../shared/fixtures/health");
export const hasSharedFixtures = existsSync(sharedFixtures);

let baseRender: string | undefined;

/** `kubectl kustomize base`, the real render of the sample app (rendered once per test file). */
export function renderBase(): string {
  baseRender ??= execFileSync("kubectl", ["kustomize", resolve(repoRoot, "base")], { encoding: "utf8" });
  return baseRender;
}

export const NAMESPACE = "kube-example";

export function deploymentRef(name: string, namespace = NAMESPACE): ObjectRef {
  return { apiVersion: "apps/v1", kind: "Deployment", namespace, name };
}

export function deployment(sim: Simulator, name: string, namespace = NAMESPACE): Deployment {
  const d = sim.store.get<Deployment>(deploymentRef(name, namespace));
  if (!d) throw new Error(`deployment ${namespace}/${name} not found`);
  return d;
}

/** kubectl rollout status's notion of done: every replica updated and available. */
export function rolloutComplete(d: Deployment): boolean {
  const s = d.status ?? {};
  const replicas = d.spec.replicas ?? 1;
  return (
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 1) &&
    (s.updatedReplicas ?? 0) === replicas &&
    (s.replicas ?? 0) === replicas &&
    (s.availableReplicas ?? 0) === replicas &&
    getCondition(s.conditions, "Progressing")?.reason === "NewReplicaSetAvailable"
  );
}

export function podsOf(sim: Simulator, selector: Record<string, string>, namespace = NAMESPACE): Pod[] {
  return sim.store
    .list<Pod>({ apiVersion: "v1", kind: "Pod", namespace })
    .filter((p) => Object.entries(selector).every(([k, v]) => p.metadata.labels?.[k] === v));
}

export function isReady(pod: Pod): boolean {
  return getCondition(pod.status?.conditions, "Ready")?.status === "True";
}

/**
 * Polls a condition that depends on HTTP clients (informers), a few ms at a time. The limit only
 * turns a condition that never holds into a failure; it is far above what a busy machine needs.
 */
export async function eventually(predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error("condition not met in time");
    await sleep(5);
  }
}
