// The rollout watcher end to end: client-node informers against the simulator, Argo CD / Flux
// sync emulation rendering a git repository that holds the real base/ and an overlay whose
// WordPress image changes per commit.
import { afterEach, describe, expect, it } from "vitest";
import { deployment, rolloutComplete } from "../sim/helpers.ts";
import type { Pod } from "../sim/types.ts";
import { containerStartedAt, NAMESPACE, overlay, podsWithImage, startHarness, target, type Harness } from "./helpers.ts";

let h: Harness;
afterEach(async () => {
  await h.stop();
});

/** Simulated time at which a pod running `image` first showed one of these container states. */
function firstSight(image: string, test: (pod: Pod) => boolean): () => number | undefined {
  let at: number | undefined;
  const stop = h.sim.store.onChange((change) => {
    if (at !== undefined || change.object.kind !== "Pod") return;
    const pod = change.object as Pod;
    if (pod.spec.containers[0]?.image === image && test(pod)) {
      at = h.sim.clock.now();
      stop();
    }
  });
  return () => at;
}

function waitingReason(pod: Pod): string | undefined {
  const state = pod.status?.containerStatuses?.[0]?.state;
  return state && "waiting" in state ? state.waiting.reason : undefined;
}

function exitedNonZero(pod: Pod): boolean {
  const status = pod.status?.containerStatuses?.[0];
  const states = [status?.state, status?.lastState];
  return states.some((s) => !!s && "terminated" in s && s.terminated.exitCode !== 0);
}

describe.each(["argocd", "flux"] as const)("with %s", (tool) => {
  it("a good image is Healthy once the rollout completes", async () => {
    h = await startHarness(tool);
    const sha = h.commitTag("6.7.0-apache");
    const verdict = h.watcher.watch(target(sha, h.sync));
    h.syncNow();
    const result = await h.runToVerdict(verdict);
    expect(result).toMatchObject({ status: "Healthy", detail: expect.stringContaining("wordpress") });
    const wordpress = deployment(h.sim, "wordpress");
    expect(rolloutComplete(wordpress)).toBe(true);
    expect(wordpress.spec.template.spec.containers[0]?.image).toBe("wordpress:6.7.0-apache");
  });

  it("a bad image fails with ReadinessTimeout within 1.15 x the 16 s window after the new pods start", async () => {
    h = await startHarness(tool);
    const sha = h.commitTag("6.7.0-bad");
    const verdict = h.watcher.watch(target(sha, h.sync));
    const syncedAt = h.sim.clock.now();
    h.syncNow();
    const result = await h.runToVerdict(verdict);
    expect(result).toMatchObject({ status: "Failed", reason: "ReadinessTimeout" });
    if (result.status !== "Failed") throw new Error("narrowing");
    expect(result.evidence[0]).toMatchObject({
      container: "wordpress",
      reason: "Unhealthy",
      message: expect.stringContaining("Readiness probe failed"),
    });
    const started = Math.min(...podsWithImage(h.sim, "wordpress:6.7.0-bad").map(containerStartedAt));
    const afterStart = result.decidedAt.getTime() - started;
    // 16 s window + 2 s slack; nothing changes in the cluster at that moment: the watcher's timer decides.
    expect(afterStart).toBeGreaterThanOrEqual(16_000);
    expect(afterStart).toBeLessThanOrEqual(1.15 * 16_000 + 2_000);
    expect(result.decidedAt.getTime() - syncedAt).toBeLessThan(30_000); // far before the 600 s deadline
  });

  it("caches only the pods' warning events, the ones its verdicts quote", async () => {
    h = await startHarness(tool);
    const events = h.informers.acquire({ context: "prod-cluster", kind: "Event", namespace: NAMESPACE });
    const sha = h.commitTag("6.7.0-bad");
    const verdict = h.watcher.watch(target(sha, h.sync));
    h.syncNow();
    const result = await h.runToVerdict(verdict);
    expect(result).toMatchObject({ status: "Failed", reason: "ReadinessTimeout", evidence: [{ reason: "Unhealthy" }] });
    const inCluster = h.sim.store.list({ apiVersion: "v1", kind: "Event", namespace: NAMESPACE }) as { type?: string }[];
    const cached = events.list() as { type?: string; reason?: string }[];
    events.release();
    expect(inCluster.filter((e) => e.type === "Normal").length).toBeGreaterThan(10); // Scheduled, Pulled, Started, Killing...
    expect(cached.map((e) => e.type)).not.toContain("Normal");
    expect(cached.map((e) => e.reason)).toContain("Unhealthy");
  });

  it("an image that cannot be pulled fails on first sight of the waiting reason", async () => {
    h = await startHarness(tool);
    const sha = h.commitTag("6.7.0-pullfail");
    const seen = firstSight("wordpress:6.7.0-pullfail", (p) => ["ErrImagePull", "ImagePullBackOff"].includes(waitingReason(p) ?? ""));
    const verdict = h.watcher.watch(target(sha, h.sync));
    h.syncNow();
    const result = await h.runToVerdict(verdict);
    expect(result).toMatchObject({ status: "Failed", reason: "ImagePullFailed" });
    expect(seen()).toBeDefined();
    expect(result.decidedAt.getTime()).toBe(seen());
  });

  it("a crash-looping container fails on first sight of the crash", async () => {
    h = await startHarness(tool);
    const sha = h.commitTag("6.7.0-crashloop");
    const seen = firstSight("wordpress:6.7.0-crashloop", (p) => waitingReason(p) === "CrashLoopBackOff" || exitedNonZero(p));
    const verdict = h.watcher.watch(target(sha, h.sync));
    h.syncNow();
    const result = await h.runToVerdict(verdict);
    expect(result).toMatchObject({ status: "Failed", reason: "CrashLoop" });
    expect(seen()).toBeDefined();
    expect(result.decidedAt.getTime()).toBe(seen());
  });

  it("a kustomization that does not build fails with SyncFailed and leaves the cluster alone", async () => {
    h = await startHarness(tool);
    const before = deployment(h.sim, "wordpress").metadata.generation;
    const sha = h.commitTag("6.7.0-apache", "patches:\n  - path: missing-patch.yaml\n");
    const verdict = h.watcher.watch(target(sha, h.sync));
    h.syncNow();
    const result = await h.runToVerdict(verdict);
    expect(result).toMatchObject({ status: "Failed", reason: "SyncFailed" });
    if (result.status !== "Failed") throw new Error("narrowing");
    expect(result.evidence.map((e) => e.message).join("\n")).toMatch(/missing-patch\.yaml/);
    expect(deployment(h.sim, "wordpress").metadata.generation).toBe(before);
  });
});

describe("several Deployments in one target", () => {
  it("is Healthy when all are, and Failed when any fails", async () => {
    h = await startHarness("argocd");
    const both = { deployments: ["wordpress", "wordpress-mysql"] };
    const mysql = (tag: string): string => `  - name: mysql\n    newTag: "${tag}"\n`;
    const good = h.repo.commit({ "overlays/prod/kustomization.yaml": overlay("6.7.0-apache", mysql("5.7")) }, "both good");
    let verdict = h.watcher.watch(target(good, h.sync, both));
    h.syncNow();
    expect(await h.runToVerdict(verdict)).toMatchObject({
      status: "Healthy",
      detail: expect.stringMatching(/wordpress.*; .*wordpress-mysql/),
    });

    const bad = h.repo.commit({ "overlays/prod/kustomization.yaml": overlay("6.8.0-apache", mysql("5.7-bad")) }, "mysql bad");
    verdict = h.watcher.watch(target(bad, h.sync, both));
    h.syncNow();
    const result = await h.runToVerdict(verdict);
    expect(result).toMatchObject({ status: "Failed", reason: "ReadinessTimeout", summary: expect.stringContaining("wordpress-mysql") });
    // wordpress rolled out fine meanwhile; the verdict waited for mysql's own window (10 + 5 x 5 + 1 = 36 s).
    expect(rolloutComplete(deployment(h.sim, "wordpress"))).toBe(true);
  });
});
