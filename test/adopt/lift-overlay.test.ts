import { describe, expect, it } from "vitest";
import { liftOverlay } from "../../src/adopt/lift-overlay.ts";
import type { BaseInventory } from "../../src/overlays/base-inventory.ts";

const base: BaseInventory = {
  workloads: [
    {
      kind: "Deployment",
      name: "web",
      container: "web",
      imageName: "ghcr.io/acme/web",
      containers: [
        { name: "web", imageName: "ghcr.io/acme/web", init: false },
        { name: "proxy", imageName: "envoyproxy/envoy", init: false },
      ],
    },
    {
      kind: "DaemonSet",
      name: "agent",
      container: "agent",
      imageName: "fluent/fluent-bit",
      containers: [{ name: "agent", imageName: "fluent/fluent-bit", init: false }],
    },
  ],
  imageUses: [],
  configMapGenerators: new Set(),
};
const dirs = new Set(["apps/web/base", "apps/web/overlays/prod"]);
const lift = (text: string) => liftOverlay("apps/web/overlays/prod", "apps/web/overlays/prod/kustomization.yaml", text, base, dirs);

describe("lifting a hand-written overlay", () => {
  it("lifts tags and replica counts of the base's workloads; carries everything else verbatim", () => {
    const result = lift(`namespace: web
resources: [../../base, extra.yaml]
images:
  - { name: ghcr.io/acme/web, newTag: "2.1" }
  - { name: envoyproxy/envoy, newTag: v1.31.0 }
  - { name: fluent/fluent-bit, newName: registry.local/fluent-bit }
  - { name: busybox, newTag: "1.36" }
replicas:
  - { name: web, count: 4 }
  - { name: agent, count: 2 }
commonAnnotations: { owner: web-team }
`);
    expect(result).toEqual({
      ok: true,
      lifted: {
        bases: ["apps/web/base"],
        namespace: "web",
        workloads: { web: { image: "ghcr.io/acme/web:2.1", containers: { proxy: { image: "envoyproxy/envoy:v1.31.0" } }, replicas: 4 } },
        kustomize: {
          commonAnnotations: { owner: "web-team" },
          resources: ["extra.yaml"],
          images: [
            { name: "fluent/fluent-bit", newName: "registry.local/fluent-bit" },
            { name: "busybox", newTag: "1.36" },
          ],
          replicas: [{ name: "agent", count: 2 }],
        },
      },
    });
  });

  it.each([
    {
      what: "a field it cannot carry",
      text: "resources: [../../base]\nhelmCharts: [{ name: redis }]\n",
      where: "apps/web/overlays/prod/kustomization.yaml helmCharts",
    },
    {
      what: "an overlay with no base",
      text: "resources: [deployment.yaml]\n",
      where: "apps/web/overlays/prod/kustomization.yaml resources",
    },
    {
      what: "labels that are not strings",
      text: "resources: [../../base]\ncommonLabels: { tier: 1 }\n",
      where: "apps/web/overlays/prod/kustomization.yaml commonLabels.tier",
    },
  ])("reports $what, with where", ({ text, where }) => {
    const result = lift(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.losses.map((l) => l.where)).toEqual([where]);
  });
});
