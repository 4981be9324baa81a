// The app with its real rollout side, for tests that drive the orchestrator directly: the
// simulator (fast clock), the rollout watcher on it, the orchestrator, the app on the fake GitHub
// with that orchestrator, and the installation's RepoClient. stop() takes them down in order.
import { singleClusterConnections } from "../../src/cluster/connections.ts";
import { createRolloutOrchestrator, type RolloutOrchestrator } from "../../src/rollout/orchestrator.ts";
import type { RepoClient } from "../../src/rollout/repo-client.ts";
import { createRolloutWatcher } from "../../src/watch/rollout-watcher.ts";
import { repoClientOf, startHarness, type Harness } from "../app/harness.ts";
import { startSimulator } from "../sim/index.ts";
import { noDelay, simClock } from "../watch/helpers.ts";

export interface OrchestratedApp {
  h: Harness;
  orchestrator: RolloutOrchestrator;
  gh: RepoClient;
  /** Stops the orchestrator, the watcher and the simulator, and uninstalls the fake GitHub. */
  stop(): Promise<void>;
}

export async function startOrchestratedApp(): Promise<OrchestratedApp> {
  const sim = await startSimulator({ clock: "fast" });
  const watcher = createRolloutWatcher({ connections: singleClusterConnections(sim.kubeConfig), clock: simClock(sim), delay: noDelay });
  const orchestrator = createRolloutOrchestrator({ watcher });
  const h = await startHarness({ rollout: orchestrator });
  return {
    h,
    orchestrator,
    gh: await repoClientOf(h),
    async stop() {
      await orchestrator.stop();
      await watcher.close();
      await sim.stop();
      h.github.uninstall();
    },
  };
}
