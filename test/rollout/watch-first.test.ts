// Watch first, write later (issue 13): the watch of a merge starts the moment the push is
// understood, while its GitHub Deployment is still being created; a verdict reached first waits
// for the Deployment and is acted on once.
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { podsWithImage, startWorld, type World } from "./harness.ts";

let w: World;
afterEach(async () => {
  await w.stop();
  expect(w.h.github.unmatched.filter((u) => !u.includes("127.0.0.1"))).toEqual([]);
});

const pullfail = ["environments/prod.yaml", "image: wordpress:6.5.5-apache", "image: wordpress:6.7.1-pullfail"] as const;

/** Waits (real time, bounded) until `done` holds; false if it never did. */
async function until(done: () => boolean, boundMs: number): Promise<boolean> {
  const started = performance.now();
  while (!done()) {
    if (performance.now() - started > boundMs) return false;
    await sleep(5);
  }
  return true;
}

describe("watch first, write later", () => {
  it("the watch runs while the Deployment is being created; its verdict, reached first, is acted on once the Deployment exists", async () => {
    w = await startWorld();
    await w.deploy(["prod"]);
    // Argo CD applies the merge before the push reaches kustodian: ImagePullBackOff is already there.
    const { mergeSha, push } = await w.merge({ number: 7, title: "Bump wordpress", branch: "bump", edits: [pullfail], deliverWith: false });
    await w.run(() =>
      podsWithImage(w.sim, "prod", "wordpress:6.7.1-pullfail").some((p) =>
        p.status?.containerStatuses?.some((c) => "waiting" in c.state && c.state.waiting.reason === "ImagePullBackOff"),
      ),
    );

    // GitHub is slow to create the Deployment: its answer waits until the watch has its verdict.
    const seen: { watchingAtCreate?: number; verdictBeforeCreated?: boolean } = {};
    w.h.github.beforeNextDeployment = async () => {
      seen.watchingAtCreate = w.first.watcher.stats().rollouts;
      seen.verdictBeforeCreated = await until(() => w.first.watcher.stats().rollouts === 0, 60_000);
    };
    await w.first.deliver("push", push);
    await w.first.settle();
    expect(seen).toEqual({ watchingAtCreate: 1, verdictBeforeCreated: true });

    const prod = () => w.h.github.deployments.find((d) => d.sha === mergeSha && d.environment === "prod")!;
    await w.run(() => prod().statuses.at(-1)?.state === "failure");
    const reverts = w.revertCommits(mergeSha);
    expect(reverts).toHaveLength(1);
    expect(prod().statuses.map((s) => s.state)).toEqual(["in_progress", "in_progress", "failure"]);
    expect(prod().statuses[1]!.description).toMatch(/^Reverting: /);
    expect(w.h.github.deployments).toHaveLength(2); // the merge's, then the revert's own rollout
  }, 180_000);
});
