// The rollout watcher end to end: client-node informers against the simulator, Argo CD / Flux
// sync emulation rendering a git repository that holds the real base/ and an overlay whose
// WordPress image changes per commit.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { singleClusterConnections } from "../../src/cluster/connections.ts";
import { createSharedInformers, type SharedInformers } from "../../src/cluster/shared-informers.ts";
import { createRolloutWatcher } from "../../src/watch/rollout-watcher.ts";
import type { RolloutWatcher, TerminalVerdict } from "../../src/watch/types.ts";
import { deployment, rolloutComplete } from "../sim/helpers.ts";
import { startSimulator, type Simulator } from "../sim/index.ts";
import type { Pod } from "../sim/types.ts";
import { ARGO, argoApplication, changeTracker, FLUX, fluxObjects, GitRepo, NAMESPACE, overlay, simClock, target } from "./helpers.ts";

let sim: Simulator;
let repo: GitRepo;
let informers: SharedInformers;
let watcher: RolloutWatcher;
let tracker: ReturnType<typeof changeTracker>;

const noDelay = async (): Promise<void> => {};

async function setUp(tool: "argocd" | "flux"): Promise<void> {
  repo.commit({ "overlays/prod/kustomization.yaml": overlay("6.6.2-apache") }, "prod on 6.6.2");
  if (tool === "argocd") {
    sim.apply(argoApplication(repo));
    sim.gitops.sync({ kind: "Application", namespace: "argocd", name: "wordpress-prod" });
  } else {
    sim.apply(fluxObjects(repo));
  }
  await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")) && rolloutComplete(deployment(sim, "wordpress-mysql")));
}

function syncNow(tool: "argocd" | "flux"): void {
  sim.gitops.sync(tool === "argocd" ? { kind: "Application", namespace: "argocd", name: "wordpress-prod" } : { kind: "Kustomization", namespace: "flux-system", name: "wordpress-prod" });
}

/** Steps simulated time until the promise settles, letting the informers catch up before every step. */
async function runToVerdict(promise: Promise<TerminalVerdict>, maxSimulatedMs = 900_000): Promise<TerminalVerdict> {
  let settled: { value: TerminalVerdict } | { error: unknown } | undefined;
  promise.then(
    (value) => (settled = { value }),
    (error: unknown) => (settled = { error }),
  );
  await sim.clock.runUntil(() => settled !== undefined, {
    maxSimulatedMs,
    beforeStep: async () => {
      const deadline = performance.now() + 5000;
      while (!tracker.inSync(informers) && performance.now() < deadline) await new Promise((r) => setTimeout(r, 1));
      // let the watcher's microtask-coalesced classification run
      await new Promise((r) => setImmediate(r));
    },
  });
  if (!settled) throw new Error("unreachable");
  if ("error" in settled) throw settled.error;
  return settled.value;
}

function newPods(image: string): Pod[] {
  return sim.store.list<Pod>({ apiVersion: "v1", kind: "Pod", namespace: NAMESPACE }).filter((p) => p.spec.containers[0]?.image === image);
}

beforeEach(async () => {
  repo = new GitRepo();
  sim = await startSimulator({ clock: "fast" });
  tracker = changeTracker(sim);
  const connections = singleClusterConnections(sim.kubeConfig);
  informers = createSharedInformers({ connections, delay: noDelay });
  watcher = createRolloutWatcher({ connections, clock: simClock(sim), informers, delay: noDelay });
});
afterEach(async () => {
  await watcher.close();
  await informers.close();
  tracker.stop();
  await sim.stop();
  repo.remove();
});

describe.each(["argocd", "flux"] as const)("with %s", (tool) => {
  const sync = tool === "argocd" ? ARGO : FLUX;

  it("a good image is Healthy once the rollout completes", async () => {
    await setUp(tool);
    const sha = repo.commit({ "overlays/prod/kustomization.yaml": overlay("6.7.0-apache") }, "prod on 6.7.0");
    const verdict = watcher.watch(target(sha, sync));
    syncNow(tool);
    const result = await runToVerdict(verdict);
    expect(result).toMatchObject({ status: "Healthy" });
    expect(rolloutComplete(deployment(sim, "wordpress"))).toBe(true);
    expect(deployment(sim, "wordpress").spec.template.spec.containers[0]?.image).toBe("wordpress:6.7.0-apache");
  });

  it("a bad image fails with ReadinessTimeout within 1.15 x the 16 s window after the new pods start", async () => {
    await setUp(tool);
    const sha = repo.commit({ "overlays/prod/kustomization.yaml": overlay("6.7.0-bad") }, "prod on a bad image");
    const verdict = watcher.watch(target(sha, sync));
    const syncedAt = sim.clock.now();
    syncNow(tool);
    const result = await runToVerdict(verdict);
    expect(result).toMatchObject({ status: "Failed", reason: "ReadinessTimeout" });
    const started = newPods("wordpress:6.7.0-bad").map((p) => Date.parse(String(p.status?.containerStatuses?.[0]?.state?.running?.startedAt)));
    expect(started.length).toBeGreaterThan(0);
    const afterStart = result.decidedAt.getTime() - Math.min(...started);
    expect(afterStart).toBeGreaterThanOrEqual(16_000);
    expect(afterStart).toBeLessThanOrEqual(1.15 * 16_000 + 2_000);
    expect(result.decidedAt.getTime() - syncedAt).toBeLessThan(60_000);
  });
});
