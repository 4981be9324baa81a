// Cluster half of the issue-6 benchmarks. Prints ratios, asserts nothing.
//
// Bad merge -> Failed verdict, in simulated time, against the readiness-window lower bound: the
// real base WordPress (probes 5/5/1/3 -> 16 s window) synced by Argo CD and by Flux from a git
// repository, image tagged `bad`. The 1,000-rollout benchmark (watcher memory and verdict
// latency, the simulator in its own process) is bench/watcher-scale.ts.
//
// Run: npx node bench/verdict-latency.ts   (Node 24; `npx` puts node_modules/.bin/node first)
import { containerStartedAt, podsWithImage, startHarness, target, type Tool } from "../test/watch/helpers.ts";

function fmt(n: number, digits = 2): string {
  return n.toFixed(digits);
}

async function badMerge(tool: Tool): Promise<void> {
  const h = await startHarness(tool);
  try {
    const sha = h.commitTag("6.7.0-bad");
    const verdict = h.watcher.watch(target(sha, h.sync));
    await h.catchUp();
    const syncedAt = h.sim.clock.now();
    h.syncNow();
    const result = await h.runToVerdict(verdict);
    const started = Math.min(...podsWithImage(h.sim, "wordpress:6.7.0-bad").map(containerStartedAt));
    const window = 16_000;
    const decided = result.decidedAt.getTime();
    const lowerBound = started - syncedAt + window; // sync -> container start is the cluster's, not ours
    console.log(
      `${tool.padEnd(6)} ${result.status} ${result.status === "Failed" ? result.reason : ""}: ` +
        `sync->verdict ${fmt((decided - syncedAt) / 1000, 0)} s, lower bound ${fmt(lowerBound / 1000, 0)} s ` +
        `(sync->container start ${fmt((started - syncedAt) / 1000, 0)} s + window 16 s) -> ratio ${fmt((decided - syncedAt) / lowerBound)}; ` +
        `container start->verdict / window = ${fmt((decided - started) / window, 3)} (limit 1.15 + 2 s slack = ${fmt(1.15 + 2 / 16, 3)}); ` +
        `vs the 600 s progress deadline: ${fmt((decided - syncedAt) / 600_000, 3)}`,
    );
  } finally {
    await h.stop();
  }
}

console.log("bad merge -> Failed verdict vs the readiness window (simulated time, base WordPress, probes 5/5/1/3)");
await badMerge("argocd");
await badMerge("flux");
