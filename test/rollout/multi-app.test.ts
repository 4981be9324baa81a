// End to end on a repository with a declared layout (test/fixtures/layout/multi-app): one merge
// changes the prod of two apps; Argo CD syncs both from the fake GitHub's repository; shop's new
// image never becomes Ready, blog's does. Only shop/prod is reverted, in shop's files.
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseRevertTrailers } from "../../src/revert/trailers.ts";
import { heldImageRevertEdits } from "../../src/rollout/held-image-edits.ts";
import { layoutFixtureRepo } from "../helpers/fixture-repo.ts";
import { deployment, rolloutComplete } from "../sim/helpers.ts";
import type { KubeObject } from "../sim/types.ts";
import { startWorld, type World } from "./harness.ts";

let w: World;
beforeEach(async () => {
  w = await startWorld({ revertEdits: heldImageRevertEdits }, { repoDir: await layoutFixtureRepo("multi-app") });
});
afterEach(async () => {
  await w.stop();
  expect(w.h.github.unmatched.filter((u) => !u.includes("127.0.0.1"))).toEqual([]);
});

const apps = [
  { name: "shop-prod", path: "apps/shop/overlays/prod", namespace: "shop-prod", workload: "web" },
  { name: "blog-prod", path: "apps/blog/overlays/prod", namespace: "blog-prod", workload: "api" },
];

/** Argo CD Applications of the two prods (as argocd/*.yaml in the fixture declare them), synced and rolled out. */
async function deployBoth(): Promise<void> {
  for (const a of apps) {
    w.sim.apply({
      apiVersion: "argoproj.io/v1alpha1",
      kind: "Application",
      metadata: { name: a.name, namespace: "argocd" },
      spec: {
        project: "default",
        source: { repoURL: pathToFileURL(w.h.dir).href, targetRevision: "main", path: a.path },
        destination: { server: "https://kubernetes.default.svc", namespace: a.namespace },
        syncPolicy: { automated: { prune: true } },
      },
    } as KubeObject);
    w.sim.gitops.sync({ kind: "Application", namespace: "argocd", name: a.name });
  }
  await w.sim.clock.runUntil(() =>
    apps.every((a) => {
      try {
        return rolloutComplete(deployment(w.sim, a.workload, a.namespace));
      } catch {
        return false;
      }
    }),
  );
}

describe("after the merge, with several apps", () => {
  it("watches shop/prod and blog/prod as two Deployments and reverts only shop/prod, in shop's files", async () => {
    await deployBoth();
    const gh = w.h.github;
    const { mergeSha, before } = await w.merge({
      number: 9,
      title: "Release shop 1.1.0 and blog 2.1.0 to prod",
      branch: "release",
      edits: [
        ["apps/shop/environments/prod.yaml", "image: ghcr.io/example/shop:1.0.0", "image: ghcr.io/example/shop:1.1.0-bad"],
        ["apps/blog/environments/prod.yml", "image: ghcr.io/example/blog:2.0.0", "image: ghcr.io/example/blog:2.1.0"],
      ],
    });
    const stateOf = (env: string) => gh.deployments.find((d) => d.environment === env && d.sha === mergeSha)?.statuses.at(-1)?.state;
    expect(gh.deployments.map((d) => [d.environment, d.sha]).sort()).toEqual([
      ["blog/prod", mergeSha],
      ["shop/prod", mergeSha],
    ]);
    expect(gh.deployments.find((d) => d.environment === "shop/prod")!.payload).toMatchObject({
      workloads: ["web"],
      target: { namespace: "shop-prod", sync: { tool: "argocd", application: "shop-prod" } },
      paths: { app: "shop", file: "apps/shop/environments/prod.yaml", overlay: "apps/shop/overlays/prod", bases: ["apps/shop/base"] },
    });

    await w.run(() => stateOf("shop/prod") === "failure" && stateOf("blog/prod") === "success");

    const reverts = w.revertCommits(mergeSha);
    expect(reverts).toHaveLength(1);
    const revert = reverts[0]!;
    expect(revert.message.split("\n")[0]).toBe(
      "Revert Release shop 1.1.0 and blog 2.1.0 to prod in shop/prod: readiness not reached within the probe window",
    );
    expect(parseRevertTrailers(revert.message)).toEqual({ reverts: mergeSha, environment: "shop/prod", pullRequest: 9 });
    expect(revert.message).toContain("Restores apps/shop/environments/prod.yaml and apps/shop/overlays/prod/ to their content before");
    // Only shop's prod files; blog's release stays.
    expect(gh.git("diff", "--name-only", mergeSha, revert.sha).split("\n")).toEqual([
      "apps/shop/environments/prod.yaml",
      "apps/shop/overlays/prod/kustomization.yaml",
    ]);
    expect(gh.git("show", `${revert.sha}:apps/shop/overlays/prod/kustomization.yaml`)).toBe(
      gh.git("show", `${before}:apps/shop/overlays/prod/kustomization.yaml`),
    );
    const restored = gh.git("show", `${revert.sha}:apps/shop/environments/prod.yaml`);
    expect(restored).toContain("image: ghcr.io/example/shop:1.0.0 # last verified release");
    // The failed image is held in shop's prod, in the same commit (issue 7).
    expect(restored).toContain("- image: ghcr.io/example/shop:1.1.0-bad");
    expect(gh.git("show", `${revert.sha}:apps/blog/environments/prod.yml`)).toContain("image: ghcr.io/example/blog:2.1.0");

    // Argo CD syncs the revert: shop's web back on 1.0.0, blog's api on 2.1.0.
    await w.run(() => {
      const web = deployment(w.sim, "web", "shop-prod");
      return web.spec.template.spec.containers[0]?.image === "ghcr.io/example/shop:1.0.0" && rolloutComplete(web);
    });
    expect(deployment(w.sim, "api", "blog-prod").spec.template.spec.containers[0]?.image).toBe("ghcr.io/example/blog:2.1.0");
    const comment = gh.comments.get(9)?.find((c) => c.body.includes("<!-- kustodian:rollout:shop/prod -->"));
    expect(comment?.body).toContain("`apps/shop/environments/prod.yaml` and `apps/shop/overlays/prod/`");
  }, 240_000);
});
