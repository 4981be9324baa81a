// The watcher under the conditions of a real cluster and a real bot: informers shared across
// rollouts, watches dropped or expired mid-rollout, a stale Deployment informer, a bot restarted
// mid-rollout, later merges, and syncs that never come.
import { afterEach, describe, expect, it } from "vitest";
import { WatchError } from "../../src/watch/errors.ts";
import { deployment } from "../sim/helpers.ts";
import { containerStartedAt, eventually, fluxObjects, NAMESPACE, podsWithImage, startHarness, target, type Harness } from "./helpers.ts";

let h: Harness;
afterEach(async () => {
  await h.stop();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the watch to reject");
    },
    (error: unknown) => error,
  );
}

/** Steps simulated time (informers kept in step) until the predicate holds. */
async function runUntil(predicate: () => boolean): Promise<void> {
  await h.sim.clock.runUntil(predicate, {
    beforeStep: h.catchUp,
  });
}

describe("informers", () => {
  it("two rollouts in one namespace share one watch per kind, released when both end", async () => {
    h = await startHarness("argocd");
    const sha = h.repo.commit(
      {
        "overlays/prod/kustomization.yaml":
          'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\nimages:\n  - name: wordpress\n    newTag: 6.7.0-apache\n  - name: mysql\n    newTag: "5.7"\n',
      },
      "both",
    );
    const web = h.watcher.watch(target(sha, h.sync, { deployments: ["wordpress"] }));
    const db = h.watcher.watch(target(sha, h.sync, { environment: "prod-db", deployments: ["wordpress-mysql"] }));
    await eventually(() => h.sim.openWatches().length === 5);
    const paths = h.sim
      .openWatches()
      .map((w) => w.path.split("?")[0])
      .sort();
    expect(paths).toEqual([
      `/api/v1/namespaces/${NAMESPACE}/events`,
      `/api/v1/namespaces/${NAMESPACE}/pods`,
      `/apis/apps/v1/namespaces/${NAMESPACE}/deployments`,
      `/apis/apps/v1/namespaces/${NAMESPACE}/replicasets`,
      "/apis/argoproj.io/v1alpha1/namespaces/argocd/applications",
    ]);
    expect(h.informers.stats().map((s) => s.refs)).toEqual([1, 1, 1, 1, 1]); // held once by each view, however many rollouts
    h.syncNow();
    const [a, b] = await Promise.all([h.runToVerdict(web), h.runToVerdict(db)]);
    expect([a.status, b.status]).toEqual(["Healthy", "Healthy"]);
    expect(h.informers.stats()).toEqual([]);
    await eventually(() => h.sim.openWatches().length === 0);
    // Lists: one per informer, one batched Deployment re-read for both rollouts; no per-object GETs.
    const reads = h.sim.requests().filter((r) => r.method === "GET" && !r.watch && r.path.includes(`/namespaces/${NAMESPACE}/`));
    expect(reads.filter((r) => r.path.includes("/deployments/"))).toEqual([]);
    expect(reads.filter((r) => r.path.startsWith(`/apis/apps/v1/namespaces/${NAMESPACE}/deployments`))).toHaveLength(2);
  });

  it("reaches the verdict when every watch is reset mid-rollout (informers restarted) and then expires (410, relist)", async () => {
    h = await startHarness("flux");
    const sha = h.commitTag("6.7.0-bad");
    const verdict = h.watcher.watch(target(sha, h.sync));
    h.syncNow();
    await runUntil(() => podsWithImage(h.sim, "wordpress:6.7.0-bad").length > 0);
    await h.catchUp();

    // A network failure: client-node reports an error and stops; the shared informers restart.
    expect(h.sim.faults.dropWatches({ mode: "reset" })).toBe(5);
    h.sim.clock.advance(3000);
    await eventually(() => h.inSync() && h.sim.openWatches().length === 5);
    expect(h.informers.stats().every((s) => s.restarts === 1)).toBe(true);

    // The API server closes the watches and compacts meanwhile: resuming gets 410, client-node relists.
    h.sim.faults.dropWatches();
    h.sim.clock.advance(3000);
    h.sim.faults.compact();
    const result = await h.runToVerdict(verdict);
    expect(result).toMatchObject({ status: "Failed", reason: "ReadinessTimeout" });
    const started = Math.min(...podsWithImage(h.sim, "wordpress:6.7.0-bad").map(containerStartedAt));
    expect(result.decidedAt.getTime() - started).toBe(18_000);
    const relists = h.sim
      .requests()
      .filter((r) => !r.watch && r.method === "GET" && r.path.startsWith(`/api/v1/namespaces/${NAMESPACE}/pods`));
    expect(relists.length).toBeGreaterThanOrEqual(2);
  });

  it("does not call an old Deployment Healthy when its informer lags behind the sync's", async () => {
    h = await startHarness("argocd");
    const sha = h.commitTag("6.7.0-bad");
    const verdict = h.watcher.watch(target(sha, h.sync));
    await eventually(() => h.sim.openWatches().length === 5 && h.inSync());
    // The Deployment watch reconnects slowly: the sync's "Synced at <sha>" arrives first, while the
    // Deployment informer still holds the previous, fully rolled out generation.
    h.sim.faults.delay(300, { count: 1, path: /\/deployments\?watch=true/ });
    h.sim.faults.dropWatches({ path: "/deployments" });
    const generation = deployment(h.sim, "wordpress").metadata.generation ?? 0;
    h.syncNow();
    expect(deployment(h.sim, "wordpress").metadata.generation).toBe(generation + 1);
    const result = await h.runToVerdict(verdict);
    expect(result).toMatchObject({ status: "Failed", reason: "ReadinessTimeout" });
  });
});

describe("sync objects", () => {
  it("waits on a Kustomization that has no status yet (list items carry no kind), then judges the merge", async () => {
    h = await startHarness("flux");
    const sha = h.commitTag("6.7.0-apache");
    // A suspended Kustomization is never reconciled, so it has no status at all.
    const [, base] = fluxObjects(h.repo, "wordpress-canary");
    h.sim.apply({ ...base!, spec: { ...(base!.spec as object), suspend: true } });
    const canary = { tool: "flux", kustomization: "wordpress-canary", namespace: "flux-system" } as const;
    const verdict = h.watcher.watch(target(sha, canary));
    await h.catchUp();
    expect(h.watcher.stats().rollouts).toBe(1); // still waiting, not rejected
    h.sim.store.mutate(
      { apiVersion: "kustomize.toolkit.fluxcd.io/v1", kind: "Kustomization", namespace: "flux-system", name: "wordpress-canary" },
      (k) => {
        (k.spec as { suspend?: boolean }).suspend = false;
      },
    );
    expect(await h.runToVerdict(verdict)).toMatchObject({ status: "Healthy" });
  });
});

describe("restarts", () => {
  it("a watcher closed mid-rollout rejects; a new watcher on the same target reaches the same verdict", async () => {
    h = await startHarness("argocd");
    const sha = h.commitTag("6.7.0-bad");
    const first = h.watcher.watch(target(sha, h.sync));
    h.syncNow();
    await runUntil(() => podsWithImage(h.sim, "wordpress:6.7.0-bad").some((p) => p.status?.phase === "Running"));
    h.sim.clock.advance(5000);
    const rejected = rejection(first);
    await h.watcher.close();
    const closed = await rejected;
    expect(closed).toBeInstanceOf(WatchError);
    expect(closed).toMatchObject({ code: "Closed" });

    h.sim.clock.advance(4000); // no watcher for a while
    const restarted = h.newWatcher();
    const result = await h.runToVerdict(restarted.watcher.watch(target(sha, h.sync)));
    expect(result).toMatchObject({ status: "Failed", reason: "ReadinessTimeout" });
    const started = Math.min(...podsWithImage(h.sim, "wordpress:6.7.0-bad").map(containerStartedAt));
    expect(result.decidedAt.getTime() - started).toBe(18_000);
  });

  it("a watcher started after the window has passed fails at once", async () => {
    h = await startHarness("flux");
    const sha = h.commitTag("6.7.0-bad");
    h.syncNow();
    h.sim.clock.advance(120_000);
    const startedAt = h.sim.clock.now();
    const result = await h.runToVerdict(h.watcher.watch(target(sha, h.sync)));
    expect(result).toMatchObject({ status: "Failed", reason: "ReadinessTimeout" });
    expect(result.decidedAt.getTime()).toBe(startedAt);
  });
});

describe("watches that end without a verdict", () => {
  it.each(["argocd", "flux"] as const)("%s: rejects as Superseded when the sync jumps past the merge to a later commit", async (tool) => {
    h = await startHarness(tool);
    const ours = h.commitTag("6.7.0-apache");
    const later = h.commitTag("6.8.0-apache");
    const verdict = h.watcher.watch(target(ours, h.sync), { isLaterCommit: h.isLaterCommit(ours) });
    h.syncNow(); // the controller syncs the branch head
    const error = await rejection(h.runToVerdict(verdict));
    expect(error).toMatchObject({ code: "Superseded", revision: tool === "argocd" ? later : `main@sha1:${later}` });
  });

  it("keeps waiting for an unknown applied revision when it cannot order commits, until the sync timeout", async () => {
    h = await startHarness("flux");
    const ours = h.commitTag("6.7.0-apache");
    h.commitTag("6.8.0-apache");
    const verdict = h.watcher.watch(target(ours, h.sync), { syncTimeoutMs: 300_000 });
    await h.catchUp();
    h.syncNow();
    const error = await rejection(h.runToVerdict(verdict));
    expect(error).toMatchObject({ code: "SyncTimeout" });
  });

  it("does not take an older commit the sync is catching up with for a later one", async () => {
    h = await startHarness("argocd");
    const older = h.commitTag("6.7.0-apache");
    const ours = h.commitTag("6.8.0-bad");
    const verdict = h.watcher.watch(target(ours, h.sync), { isLaterCommit: h.isLaterCommit(ours) });
    await h.catchUp();
    h.sim.gitops.sync({ kind: "Application", namespace: "argocd", name: "wordpress-prod" }, { revision: older });
    h.sim.clock.advance(30_000);
    await h.catchUp();
    h.syncNow();
    expect(await h.runToVerdict(verdict)).toMatchObject({ status: "Failed", reason: "ReadinessTimeout" });
  });

  it("rejects as Superseded when a later merge is applied while the rollout is still going", async () => {
    h = await startHarness("flux");
    const ours = h.commitTag("6.7.0-slow"); // a 60 s image pull
    const verdict = h.watcher.watch(target(ours, h.sync));
    h.syncNow();
    await runUntil(() => podsWithImage(h.sim, "wordpress:6.7.0-slow").length > 0);
    await h.catchUp();
    const later = h.commitTag("6.8.0-apache");
    h.syncNow();
    const error = await rejection(h.runToVerdict(verdict));
    expect(error).toMatchObject({ code: "Superseded", revision: `main@sha1:${later}` });
  });

  it("rejects with SyncTimeout when the sync never reports the merge", async () => {
    h = await startHarness("argocd");
    const sha = h.commitTag("6.7.0-apache");
    const began = h.sim.clock.now();
    const error = await rejection(h.runToVerdict(h.watcher.watch(target(sha, h.sync), { syncTimeoutMs: 120_000 })));
    expect(error).toMatchObject({ code: "SyncTimeout" });
    expect(h.sim.clock.now() - began).toBe(120_000);
  });

  it("rejects with the abort reason and releases its informers", async () => {
    h = await startHarness("argocd");
    const sha = h.commitTag("6.7.0-apache");
    const controller = new AbortController();
    const verdict = h.watcher.watch(target(sha, h.sync), { signal: controller.signal });
    await eventually(() => h.sim.openWatches().length === 5);
    controller.abort(new Error("lost the lease"));
    expect(await rejection(verdict)).toMatchObject({ message: "lost the lease" });
    expect(h.informers.stats()).toEqual([]);
    await eventually(() => h.sim.openWatches().length === 0);
  });

  it("rejects with DeploymentNotFound when the sync applied the merge but a watched Deployment does not exist", async () => {
    h = await startHarness("argocd");
    const sha = h.commitTag("6.7.0-apache");
    const verdict = h.watcher.watch(target(sha, h.sync, { deployments: ["wordpress", "wordpres"] }));
    h.syncNow();
    expect(await rejection(h.runToVerdict(verdict))).toMatchObject({
      code: "DeploymentNotFound",
      message: expect.stringContaining("wordpres "),
    });
  });

  it("rejects a short merge SHA at once", async () => {
    h = await startHarness("argocd");
    expect(await rejection(h.watcher.watch(target("abc1234", h.sync)))).toMatchObject({ code: "InvalidTarget" });
  });
});
