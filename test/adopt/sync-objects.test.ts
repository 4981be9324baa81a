import { describe, expect, it } from "vitest";
import { findSyncTargets, repositoryPath } from "../../src/adopt/sync-objects.ts";

const app = (name: string, path: string, destination: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: { name: ${name}, namespace: gitops }
spec:
  source: { repoURL: https://example.com/r.git, path: ${path} }
  destination: ${destination}
`;

describe("finding how overlays are deployed", () => {
  it.each([
    { destination: "{ name: prod-eu }", context: "prod-eu" },
    { destination: "{ server: https://10.0.0.1:6443 }", context: "10.0.0.1:6443" },
    { destination: "{ server: https://kubernetes.default.svc }", context: "in-cluster" },
  ])("an Argo CD Application with destination $destination deploys to context $context", ({ destination, context }) => {
    const files = new Map([["argo/app.yaml", app("shop-prod", "./apps/shop/overlays/prod/", destination)]]);
    expect(findSyncTargets(files, []).targets).toEqual([
      { path: "apps/shop/overlays/prod", tool: "argocd", name: "shop-prod", namespace: "gitops", context, source: "argo/app.yaml" },
    ]);
  });

  it("expands ApplicationSet list and git-directory generators, and says which it cannot", () => {
    const set = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: all }
spec:
  generators:
    - git:
        directories:
          - path: apps/*/overlays/*
          - path: apps/legacy/overlays/*
            exclude: true
    - clusters: {}
  template:
    metadata: { name: '{{path[1]}}-{{path.basename}}' }
    spec:
      source: { path: '{{path}}' }
      destination: { name: '{{ .path.basename }}' }
`;
    const dirs = ["apps/shop/overlays/prod", "apps/shop/overlays/dev", "apps/legacy/overlays/prod", "apps/shop/base"];
    const found = findSyncTargets(new Map([["appset.yaml", set]]), dirs);
    expect(found.targets.map((t) => `${t.name} ${t.path} ${t.context}`)).toEqual([
      "shop-prod apps/shop/overlays/prod prod",
      "shop-dev apps/shop/overlays/dev dev",
    ]);
    expect(found.notes).toEqual([
      "appset.yaml: an ApplicationSet generator other than list or git directories (clusters); its applications were not found",
    ]);
  });

  it("takes a Flux Kustomization's cluster from the clusters/<name>/ directory that holds it", () => {
    const ks = `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: { name: apps, namespace: flux-system }
spec: { path: ./apps/production, sourceRef: { kind: GitRepository, name: flux-system } }
`;
    expect(findSyncTargets(new Map([["clusters/production/apps.yaml", ks]]), []).targets).toEqual([
      {
        path: "apps/production",
        tool: "flux",
        name: "apps",
        namespace: "flux-system",
        context: "production",
        source: "clusters/production/apps.yaml",
      },
    ]);
  });

  it("ignores paths that leave the repository and files that are not YAML manifests", () => {
    const files = new Map([
      ["argo/app.yaml", app("x", "../elsewhere", "{ name: c }")],
      ["notes.md", app("y", "apps/y", "{ name: c }")],
      ["broken.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: [unclosed"],
    ]);
    expect(findSyncTargets(files, []).targets).toEqual([]);
    expect(repositoryPath("./a/b/")).toBe("a/b");
    expect(repositoryPath("a/../../b")).toBeUndefined();
  });
});
