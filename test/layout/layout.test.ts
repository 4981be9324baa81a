import { describe, expect, it } from "vitest";
import { defaultLayout, type RepositoryLayout } from "../../src/layout/layout.ts";
import { formatLayoutProblem, layoutOfFiles, parseLayout } from "../../src/layout/parse-layout.ts";
import {
  affectedEnvironments,
  environmentOfPath,
  environmentRef,
  environmentsOf,
  findEnvironment,
  isEnvironmentPath,
  overlayEnvironmentOf,
  relativePath,
} from "../../src/layout/paths.ts";
import { kustomizationReferences, pathsToRead } from "../../src/layout/paths-to-read.ts";

const multiApp = `apps:
  shop:
    bases: ["apps/{app}/base"]
    environments: apps/{app}/environments/{env}.yaml
    overlays: apps/{app}/overlays/{env}
    contexts: { prod: prod-eu }
  blog:
    bases: [apps/blog/base, shared/monitoring]
    environments: apps/blog/environments
    overlays: apps/blog/overlays/{env}
`;

const flux = `apps:
  podinfo:
    bases: [apps/base]
    environments: envs/{env}.yml
    overlays: apps/{env}
`;

function layoutOf(text: string): RepositoryLayout {
  const result = parseLayout(".kustodian/layout.yaml", text);
  if (!result.ok) throw new Error(result.problems.map(formatLayoutProblem).join("\n"));
  return result.layout;
}

describe("the layout file", () => {
  it("resolves {app}, a directory of environment files and contexts", () => {
    expect(layoutOf(multiApp).apps).toEqual([
      {
        name: "blog",
        bases: ["apps/blog/base", "shared/monitoring"],
        environments: "apps/blog/environments/{env}.yaml",
        overlays: "apps/blog/overlays/{env}",
        contexts: {},
      },
      {
        name: "shop",
        bases: ["apps/shop/base"],
        environments: "apps/shop/environments/{env}.yaml",
        overlays: "apps/shop/overlays/{env}",
        contexts: { prod: "prod-eu" },
      },
    ]);
  });

  it("without a layout file, the default layout", () => {
    expect(layoutOfFiles(new Map([["environments/prod.yaml", "x"]]))).toEqual({ ok: true, layout: defaultLayout });
  });

  it.each([
    [
      "unknown field",
      "apps:\n  shop:\n    bases: [b]\n    environments: e/{env}.yaml\n    overlays: o/{env}\n    overlay: x\n",
      ".kustodian/layout.yaml:6:5 apps.shop.overlay: unknown field",
    ],
    [
      "path leaving the repository",
      "apps:\n  shop:\n    bases: [../b]\n    environments: e/{env}.yaml\n    overlays: o/{env}\n",
      ".kustodian/layout.yaml:3:13 apps.shop.bases.0: must stay inside the repository: no '..', '.' or empty segments",
    ],
    [
      "overlay without {env}",
      "apps:\n  shop:\n    bases: [b]\n    environments: e/{env}.yaml\n    overlays: o\n",
      ".kustodian/layout.yaml:5:15 apps.shop.overlays: must contain {env} exactly once",
    ],
    [
      "absolute path",
      "apps:\n  shop:\n    bases: [/b]\n    environments: e/{env}.yaml\n    overlays: o/{env}\n",
      ".kustodian/layout.yaml:3:13 apps.shop.bases.0: must be relative to the repository root, not absolute",
    ],
    [
      "bad app name",
      "apps:\n  Shop:\n    bases: [b]\n    environments: e/{env}.yaml\n    overlays: o/{env}\n",
      ".kustodian/layout.yaml:2:3 apps.Shop: an app name must be a DNS-1123 label (lowercase letters, digits, '-')",
    ],
    ["no apps", "apps: {}\n", ".kustodian/layout.yaml:1:7 apps: declare at least one app"],
    [
      "invalid YAML",
      "apps: [\n",
      ".kustodian/layout.yaml:2:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
    ],
  ])("%s is reported with file, line, column and field", (_what, text, expected) => {
    const result = parseLayout(".kustodian/layout.yaml", text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(formatLayoutProblem(result.problems[0]!)).toBe(expected);
  });
});

describe("paths", () => {
  const layout = layoutOf(multiApp);
  const tree = [
    "apps/shop/environments/prod.yaml",
    "apps/shop/environments/staging.yml",
    "apps/blog/environments/prod.yaml",
    "apps/blog/environments/README.md",
    "apps/shop/overlays/prod/kustomization.yaml",
  ];
  const envs = environmentsOf(layout, tree);

  it("finds every app's environments, .yaml and .yml alike, keyed app/env when there are several apps", () => {
    expect(envs.map((e) => [e.key, e.file, e.overlay, e.context])).toEqual([
      ["blog/prod", "apps/blog/environments/prod.yaml", "apps/blog/overlays/prod", undefined],
      ["shop/prod", "apps/shop/environments/prod.yaml", "apps/shop/overlays/prod", "prod-eu"],
      ["shop/staging", "apps/shop/environments/staging.yml", "apps/shop/overlays/staging", undefined],
    ]);
  });

  it("keeps plain environment names in the default layout", () => {
    expect(
      environmentsOf(defaultLayout, ["environments/prod.yml", "environments/dev.yaml", "base/x.yaml"]).map((e) => [
        e.key,
        e.app,
        e.overlay,
        e.bases,
      ]),
    ).toEqual([
      ["dev", "default", "overlays/dev", ["base"]],
      ["prod", "default", "overlays/prod", ["base"]],
    ]);
  });

  it.each([
    ["apps/shop/environments/prod.yaml", "shop/prod"],
    ["apps/shop/environments/prod.yml", "shop/prod"],
    ["apps/shop/overlays/prod/kustomization.yaml", "shop/prod"],
    ["apps/shop/overlays/staging/patch.yaml", "shop/staging"],
    ["apps/blog/overlays/prod/x.yaml", "blog/prod"],
    ["apps/shop/base/deployment.yaml", undefined],
    ["apps/shop/overlays/prod", undefined],
    ["environments/prod.yaml", undefined],
  ])("%s belongs to %s", (path, key) => {
    expect(environmentOfPath(envs, path)?.key).toBe(key);
  });

  it("a Flux apps/{env} overlay next to apps/base: the base is no environment", () => {
    const fluxLayout = layoutOf(flux);
    const found = environmentsOf(fluxLayout, ["envs/staging.yml", "envs/production.yml", "apps/base/kustomization.yaml"]);
    expect(found.map((e) => [e.key, e.overlay])).toEqual([
      ["production", "apps/production"],
      ["staging", "apps/staging"],
    ]);
    expect(environmentOfPath(found, "apps/base/kustomization.yaml")).toBeUndefined();
    expect(environmentOfPath(found, "apps/staging/kustomization.yaml")?.key).toBe("staging");
    // The overlay template alone (a generated overlay whose environment is gone) still matches.
    expect(overlayEnvironmentOf(fluxLayout, "apps/old/kustomization.yaml")?.name).toBe("old");
  });

  it.each([
    [["apps/shop/environments/prod.yaml"], ["shop/prod"]],
    [["apps/shop/base/deployment.yaml"], ["shop/prod", "shop/staging"]],
    [["shared/monitoring/x.yaml"], ["blog/prod"]],
    [["components/common/x.yaml"], ["blog/prod", "shop/prod", "shop/staging"]],
    [["README.md"], []],
  ])("a change of %j affects %j", (changed, keys) => {
    const shared = (p: string) => p.startsWith("components/");
    expect(affectedEnvironments(envs, changed, shared).map((e) => e.key)).toEqual(keys);
  });

  it("finds an environment by key, by name, or says which apps share a name", () => {
    expect(findEnvironment(envs, "shop/prod")).toMatchObject({ ok: true, ref: { key: "shop/prod" } });
    expect(findEnvironment(envs, "staging")).toMatchObject({ ok: true, ref: { key: "shop/staging" } });
    expect(findEnvironment(envs, "prod", "blog")).toMatchObject({ ok: true, ref: { key: "blog/prod" } });
    expect(findEnvironment(envs, "prod")).toEqual({ ok: false, why: "ambiguous", apps: ["blog", "shop"] });
    expect(findEnvironment(envs, "dev")).toEqual({ ok: false, why: "unknown", known: ["blog/prod", "shop/prod", "shop/staging"] });
  });

  it("an environment's paths: the file in either spelling and everything under its overlay", () => {
    const prod = environmentRef(layout, "shop", "prod");
    expect(isEnvironmentPath(prod, "apps/shop/environments/prod.yml")).toBe(true);
    expect(isEnvironmentPath(prod, "apps/shop/overlays/prod/a/b.yaml")).toBe(true);
    expect(isEnvironmentPath(prod, "apps/shop/overlays/production/kustomization.yaml")).toBe(false);
    expect(relativePath(prod.overlay, "apps/shop/base")).toBe("../../base");
    expect(relativePath("overlays/prod", "base")).toBe("../../base");
  });
});

describe("what is read", () => {
  it("in rounds: the layout file, then environments, overlays and bases, then what kustomizations refer to", () => {
    const tree = [
      ".kustodian/layout.yaml",
      "apps/shop/base/kustomization.yaml",
      "apps/shop/base/deployment.yaml",
      "apps/shop/environments/prod.yaml",
      "apps/shop/overlays/prod/kustomization.yaml",
      "components/monitoring/kustomization.yaml",
      "components/monitoring/service-monitor.yaml",
      "docs/README.md",
      "other/unrelated.yaml",
    ];
    const files = new Map<string, string>();
    const rounds: string[][] = [];
    for (let i = 0; i < 8; i++) {
      const next = pathsToRead(tree, files);
      if (next.length === 0) break;
      rounds.push(next);
      for (const p of next)
        files.set(
          p,
          p === ".kustodian/layout.yaml"
            ? "apps:\n  shop:\n    bases: [apps/shop/base]\n    environments: apps/shop/environments/{env}.yaml\n    overlays: apps/shop/overlays/{env}\n"
            : p === "apps/shop/base/kustomization.yaml"
              ? "resources: [deployment.yaml, ../../../components/monitoring, https://example.com/x.yaml, ../../../../outside]\n"
              : p === "components/monitoring/kustomization.yaml"
                ? "resources: [service-monitor.yaml]\n"
                : "x: 1\n",
        );
    }
    expect(rounds).toEqual([
      [".kustodian/layout.yaml"],
      [
        "apps/shop/base/deployment.yaml",
        "apps/shop/base/kustomization.yaml",
        "apps/shop/environments/prod.yaml",
        "apps/shop/overlays/prod/kustomization.yaml",
      ],
      ["components/monitoring/kustomization.yaml", "components/monitoring/service-monitor.yaml"],
    ]);
  });

  it("the default layout reads environments/, overlays/ and base/ in one round", () => {
    const tree = ["base/kustomization.yaml", "environments/prod.yml", "overlays/prod/kustomization.yaml", "README.md", "src/x.ts"];
    expect(pathsToRead(tree, new Map())).toEqual(["base/kustomization.yaml", "environments/prod.yml", "overlays/prod/kustomization.yaml"]);
  });

  it("kustomization references: resources, components, patches and generator files; never remote or outside", () => {
    const text = `resources: [a.yaml, ../shared, "github.com/org/repo//x?ref=v1", /etc/passwd, ../../../../out]
components: [../../components/c]
patches: [{ path: patch.yaml }]
configMapGenerator: [{ name: x, files: [key=conf/app.properties], envs: [conf/.env] }]
`;
    expect(kustomizationReferences("apps/shop/base", text)).toEqual([
      "apps/shop/base/a.yaml",
      "apps/shop/shared",
      "apps/components/c",
      "apps/shop/base/patch.yaml",
      "apps/shop/base/conf/app.properties",
      "apps/shop/base/conf/.env",
    ]);
  });
});
