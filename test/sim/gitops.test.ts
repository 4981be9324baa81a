// Argo CD and Flux sync emulation: a temp git repository holding a copy of base/ and a prod
// overlay, rendered with the real kustomize at a commit and applied to the simulated cluster.
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getCondition } from "./conditions.ts";
import { deployment, NAMESPACE, repoRoot, rolloutComplete } from "./helpers.ts";
import { startSimulator, type Simulator } from "./index.ts";
import type { Condition, KubeObject } from "./types.ts";

let sim: Simulator;
let repo: string;

function git(...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8" }).trim();
}

function overlay(tag: string, extra = ""): string {
  return `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: wordpress
    newTag: ${tag}
${extra}`;
}

function commit(files: Record<string, string>, message: string): string {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(resolve(repo, path, ".."), { recursive: true });
    writeFileSync(join(repo, path), text);
  }
  git("add", "-A");
  git("-c", "user.name=Test", "-c", "user.email=test@example.com", "commit", "-qm", message);
  return git("rev-parse", "HEAD");
}

beforeEach(async () => {
  repo = mkdtempSync(join(tmpdir(), "kustodian-sim-repo-"));
  execFileSync("git", ["init", "-q", "-b", "main", repo]);
  cpSync(resolve(repoRoot, "base"), join(repo, "base"), { recursive: true });
  sim = await startSimulator({ clock: "fast" });
});
afterEach(async () => {
  await sim.stop();
  rmSync(repo, { recursive: true, force: true });
});

const custom = (): CustomObjectsApi => sim.kubeConfig.makeApiClient(CustomObjectsApi);

interface ArgoApplication extends KubeObject {
  operation?: unknown;
  status: {
    sync: { status: string; revision: string };
    health: { status: string };
    operationState: { phase: string; message: string; operation: unknown; syncResult: { revision: string } };
    summary: unknown;
    history: { revision: string }[];
    conditions?: unknown[];
  };
}

async function readApp(name: string): Promise<ArgoApplication> {
  return (await custom().getNamespacedCustomObject({
    group: "argoproj.io",
    version: "v1alpha1",
    namespace: "argocd",
    plural: "applications",
    name,
  })) as ArgoApplication;
}

function application(name: string, automated: boolean): KubeObject {
  return {
    apiVersion: "argoproj.io/v1alpha1",
    kind: "Application",
    metadata: { name, namespace: "argocd" },
    spec: {
      project: "default",
      source: { repoURL: pathToFileURL(repo).href, targetRevision: "main", path: "overlays/prod" },
      destination: { server: "https://kubernetes.default.svc", namespace: NAMESPACE },
      ...(automated ? { syncPolicy: { automated: { prune: true, selfHeal: true } } } : {}),
    },
  };
}

describe("Argo CD Application", () => {
  it("syncs the overlay at a commit, reports the revision and turns Healthy when the rollout completes", async () => {
    const sha = commit({ "overlays/prod/kustomization.yaml": overlay("5.4.2-apache") }, "prod on 5.4.2");
    await custom().createNamespacedCustomObject({
      group: "argoproj.io",
      version: "v1alpha1",
      namespace: "argocd",
      plural: "applications",
      body: application("wordpress-prod", false),
    });

    const result = sim.gitops.sync({ kind: "Application", namespace: "argocd", name: "wordpress-prod" });
    expect(result).toMatchObject({ ok: true, sha, revision: sha, applied: 13 });
    let app = await readApp("wordpress-prod");
    expect(app.status.sync).toMatchObject({ status: "Synced", revision: sha });
    expect(app.status.operationState).toMatchObject({
      phase: "Succeeded",
      message: "successfully synced (all tasks run)",
      syncResult: { revision: sha },
    });
    expect(app.status.health.status).toBe("Progressing");
    expect(app.status.summary).toEqual({ images: ["mysql:5.6", "wordpress:5.4.2-apache"] });
    const wordpress = deployment(sim, "wordpress");
    expect(wordpress.spec.template.spec.containers[0]?.image).toBe("wordpress:5.4.2-apache");
    expect(wordpress.metadata.labels?.["app.kubernetes.io/instance"]).toBe("wordpress-prod");

    await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")) && rolloutComplete(deployment(sim, "wordpress-mysql")));
    sim.settle();
    app = await readApp("wordpress-prod");
    expect(app.status.health.status).toBe("Healthy");
  });

  it("follows new commits on its refresh interval when automated", async () => {
    commit({ "overlays/prod/kustomization.yaml": overlay("5.4.2-apache") }, "prod on 5.4.2");
    sim.apply(application("wordpress-prod", true));
    expect((await readApp("wordpress-prod")).status.sync.status).toBe("Synced");
    await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")));

    const next = commit({ "overlays/prod/kustomization.yaml": overlay("6.0-apache") }, "prod on 6.0");
    const took = await sim.clock.runUntil(async () => (await readApp("wordpress-prod")).status.sync.revision === next);
    expect(took).toBeLessThanOrEqual(180_000); // Argo CD's default timeout.reconciliation
    expect(deployment(sim, "wordpress").spec.template.spec.containers[0]?.image).toBe("wordpress:6.0-apache");
    const app = await readApp("wordpress-prod");
    expect(app.status.health.status).toBe("Progressing");
    expect(app.status.history.map((h) => h.revision)).toHaveLength(2);
  });

  it("syncs to the revision an operation asks for (argocd app sync --revision)", async () => {
    const first = commit({ "overlays/prod/kustomization.yaml": overlay("5.4.2-apache") }, "prod on 5.4.2");
    commit({ "overlays/prod/kustomization.yaml": overlay("6.0-apache") }, "prod on 6.0");
    sim.apply(application("wordpress-prod", false));
    await custom().patchNamespacedCustomObject(
      {
        group: "argoproj.io",
        version: "v1alpha1",
        namespace: "argocd",
        plural: "applications",
        name: "wordpress-prod",
        body: { operation: { sync: { revision: first }, initiatedBy: { username: "kustodian" } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await sim.clock.runUntil(async () => (await readApp("wordpress-prod")).status?.sync?.revision === first);
    const app = await readApp("wordpress-prod");
    expect(app.operation).toBeUndefined();
    expect(app.status.operationState.operation).toMatchObject({ sync: { revision: first }, initiatedBy: { username: "kustodian" } });
    expect(deployment(sim, "wordpress").spec.template.spec.containers[0]?.image).toBe("wordpress:5.4.2-apache");
  });

  it("reports a render failure as a failed sync and leaves the cluster as it was", async () => {
    commit({ "overlays/prod/kustomization.yaml": overlay("5.4.2-apache") }, "prod on 5.4.2");
    sim.apply(application("wordpress-prod", false));
    sim.gitops.sync({ kind: "Application", namespace: "argocd", name: "wordpress-prod" });
    const good = deployment(sim, "wordpress");
    const broken = commit(
      { "overlays/prod/kustomization.yaml": overlay("6.0-apache", "patches:\n  - path: missing-patch.yaml\n") },
      "broken overlay",
    );

    const result = sim.gitops.sync({ kind: "Application", namespace: "argocd", name: "wordpress-prod" });
    expect(result.ok).toBe(false);
    expect(result.sha).toBe(broken);
    const app = await readApp("wordpress-prod");
    expect(app.status.operationState).toMatchObject({
      phase: "Failed",
      operation: { sync: { revision: broken } },
      syncResult: { revision: broken },
    });
    expect(app.status.operationState.message).toMatch(/^ComparisonError: Failed to load target state: .*kustomize.*missing-patch\.yaml/s);
    expect(app.status.sync).toMatchObject({ status: "Unknown", revision: broken });
    expect(app.status.conditions).toEqual([expect.objectContaining({ type: "ComparisonError" })]);
    expect(deployment(sim, "wordpress").metadata.generation).toBe(good.metadata.generation);
    expect(deployment(sim, "wordpress").spec.template.spec.containers[0]?.image).toBe("wordpress:5.4.2-apache");
  });
});

describe("Flux Kustomization", () => {
  const gitRepository = (): KubeObject => ({
    apiVersion: "source.toolkit.fluxcd.io/v1",
    kind: "GitRepository",
    metadata: { name: "kustodian", namespace: "flux-system" },
    spec: { interval: "1m", url: pathToFileURL(repo).href, ref: { branch: "main" } },
  });
  const kustomization = (): KubeObject => ({
    apiVersion: "kustomize.toolkit.fluxcd.io/v1",
    kind: "Kustomization",
    metadata: { name: "wordpress-prod", namespace: "flux-system" },
    spec: { interval: "5m", path: "./overlays/prod", prune: true, sourceRef: { kind: "GitRepository", name: "kustodian" } },
  });
  const ready = (ks: KubeObject): Condition | undefined =>
    getCondition((ks.status as { conditions?: Condition[] } | undefined)?.conditions, "Ready");
  const readKs = async (): Promise<KubeObject> =>
    (await custom().getNamespacedCustomObject({
      group: "kustomize.toolkit.fluxcd.io",
      version: "v1",
      namespace: "flux-system",
      plural: "kustomizations",
      name: "wordpress-prod",
    })) as KubeObject;

  it("applies the revision, reports lastAppliedRevision and Ready, and a BuildFailed on a broken commit", async () => {
    const sha = commit({ "overlays/prod/kustomization.yaml": overlay("5.4.2-apache") }, "prod on 5.4.2");
    sim.apply([gitRepository(), kustomization()]);
    let ks = await readKs();
    expect(ks.status).toMatchObject({
      lastAppliedRevision: `main@sha1:${sha}`,
      lastAttemptedRevision: `main@sha1:${sha}`,
      observedGeneration: 1,
    });
    expect(ready(ks)).toMatchObject({ status: "True", reason: "ReconciliationSucceeded", message: `Applied revision: main@sha1:${sha}` });
    expect(deployment(sim, "wordpress").metadata.labels?.["kustomize.toolkit.fluxcd.io/name"]).toBe("wordpress-prod");
    const source = sim.store.get({
      apiVersion: "source.toolkit.fluxcd.io/v1",
      kind: "GitRepository",
      namespace: "flux-system",
      name: "kustodian",
    });
    expect((source?.status as { artifact: { revision: string } }).artifact.revision).toBe(`main@sha1:${sha}`);

    const broken = commit({ "overlays/prod/kustomization.yaml": overlay("6.0-apache", "resources:\n  - nope.yaml\n") }, "broken overlay");
    // `flux reconcile kustomization wordpress-prod` sets this annotation.
    await custom().patchNamespacedCustomObject(
      {
        group: "kustomize.toolkit.fluxcd.io",
        version: "v1",
        namespace: "flux-system",
        plural: "kustomizations",
        name: "wordpress-prod",
        body: { metadata: { annotations: { "reconcile.fluxcd.io/requestedAt": "2025-01-01T00:00:30Z" } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    await sim.clock.runUntil(async () => ready(await readKs())?.reason === "BuildFailed");
    ks = await readKs();
    expect(ks.status).toMatchObject({
      lastAppliedRevision: `main@sha1:${sha}`,
      lastAttemptedRevision: `main@sha1:${broken}`,
      lastHandledReconcileAt: "2025-01-01T00:00:30Z",
    });
    expect(ready(ks)).toMatchObject({
      status: "False",
      reason: "BuildFailed",
      message: expect.stringMatching(/^kustomize build failed: /),
    });
    expect(deployment(sim, "wordpress").spec.template.spec.containers[0]?.image).toBe("wordpress:5.4.2-apache");

    // The fix is picked up on the next interval (5m), without being asked.
    const fixed = commit({ "overlays/prod/kustomization.yaml": overlay("6.0-apache") }, "fix overlay");
    const took = await sim.clock.runUntil(
      async () => ((await readKs()).status as { lastAppliedRevision?: string } | undefined)?.lastAppliedRevision === `main@sha1:${fixed}`,
    );
    expect(took).toBeLessThanOrEqual(300_000);
    expect(ready(await readKs())).toMatchObject({ status: "True", reason: "ReconciliationSucceeded" });
    expect(deployment(sim, "wordpress").spec.template.spec.containers[0]?.image).toBe("wordpress:6.0-apache");
  });

  it("prunes what a commit removed", async () => {
    commit({ "overlays/prod/kustomization.yaml": overlay("5.4.2-apache") }, "prod");
    sim.apply([gitRepository(), kustomization()]);
    expect(sim.store.get({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", namespace: NAMESPACE, name: "wordpress" })).toBeDefined();
    commit(
      {
        "overlays/prod/kustomization.yaml": overlay(
          "5.4.2-apache",
          "patches:\n  - patch: |\n      $patch: delete\n      apiVersion: networking.k8s.io/v1\n      kind: Ingress\n      metadata:\n        name: wordpress\n",
        ),
      },
      "no ingress",
    );
    sim.gitops.sync({ kind: "Kustomization", namespace: "flux-system", name: "wordpress-prod" });
    expect(sim.store.get({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", namespace: NAMESPACE, name: "wordpress" })).toBeUndefined();
  });
});
