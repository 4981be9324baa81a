import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/k8s/manifest-types.ts";
import { kustomizeBuild } from "../../src/render/kustomize-build.ts";
import { parseManifests } from "../../src/render/parse-manifests.ts";
import { editEnvironmentFile } from "../../src/environments/edit.ts";
import { layoutFiles } from "../../src/layout/layout.ts";
import { layoutOfFiles } from "../../src/layout/parse-layout.ts";
import { environmentFileOf, environmentsOf } from "../../src/layout/paths.ts";
import { runCli } from "../helpers/cli.ts";
import { repoRoot } from "../helpers/repo-root.ts";

// `kustodian init` on repositories written the ways real GitOps repositories are (issue 12):
// each fixture is imported without --write (nothing written, the proof printed), then with
// --write, and every overlay path must still build the same objects.

const fixtures = join(repoRoot, "test/fixtures/adopt");
const scratch: string[] = [];
afterAll(async () => {
  for (const d of scratch) await rm(d, { recursive: true, force: true });
});

async function copy(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `kustodian-init-${name}-`));
  scratch.push(dir);
  await cp(join(fixtures, name), dir, { recursive: true });
  return dir;
}

async function tree(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out.set(relative(dir, join(e.parentPath, e.name)), await readFile(join(e.parentPath, e.name), "utf8"));
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

const key = (o: KubeObject) => `${o.apiVersion} ${o.kind} ${o.metadata.namespace ?? ""} ${o.metadata.name}`;
async function objects(root: string, dir: string): Promise<KubeObject[]> {
  return parseManifests(await kustomizeBuild(join(root, dir), { root })).sort((a, b) => (key(a) < key(b) ? -1 : 1));
}

interface Case {
  fixture: string;
  overlays: string[];
  /** Files of Argo CD / Flux that must stay byte for byte. */
  syncFiles: string[];
  /** Environment file -> the image tags it must hold (workload -> image). */
  images: Record<string, Record<string, string>>;
  code: number;
  stderr?: RegExp[];
  /** After --write, `render --check` exits 0 (every fixture now: render reads the declared layout). */
  renderCheck: boolean;
}

const cases: Case[] = [
  {
    fixture: "argocd-apps",
    overlays: ["apps/shop/overlays/staging", "apps/shop/overlays/prod", "apps/blog/overlays/staging", "apps/blog/overlays/prod"],
    syncFiles: ["argocd/shop.yaml", "argocd/blog.yaml"],
    images: {
      "apps/shop/environments/staging.yaml": { shop: "ghcr.io/acme/shop:1.3.0" },
      "apps/shop/environments/prod.yaml": { shop: "ghcr.io/acme/shop:1.2.4" },
      "apps/blog/environments/staging.yaml": { blog: "ghcr.io/acme/blog:2.0.1" },
      "apps/blog/environments/prod.yaml": {
        blog: "ghcr.io/acme/blog@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945",
      },
    },
    code: 0,
    renderCheck: true,
  },
  {
    fixture: "flux",
    overlays: ["apps/staging", "apps/production", "infrastructure/staging", "infrastructure/production"],
    syncFiles: [
      "clusters/staging/apps.yaml",
      "clusters/staging/infrastructure.yaml",
      "clusters/production/apps.yaml",
      "clusters/production/infrastructure.yaml",
    ],
    images: {
      "environments/apps/staging.yaml": { web: "nginx:1.27.1" },
      "environments/apps/production.yaml": { web: "nginx:1.26.2" },
    },
    code: 1,
    stderr: [
      /not imported: infrastructure\/production: HelmRelease podinfo\/podinfo .*: a Helm release's values are not imported; the overlay is left as it is/,
      /not imported: infrastructure\/staging: HelmRelease podinfo\/podinfo/,
    ],
    renderCheck: true,
  },
  {
    fixture: "components",
    overlays: ["overlays/dev", "overlays/prod"],
    syncFiles: [],
    images: { "environments/dev.yaml": { api: "ghcr.io/acme/api:1.1.0" }, "environments/prod.yaml": { api: "ghcr.io/acme/api:1.0.3" } },
    code: 0,
    renderCheck: true,
  },
  {
    fixture: "hand-written",
    overlays: ["k8s/overlays/staging", "k8s/overlays/prod"],
    syncFiles: [],
    images: {
      "k8s/environments/staging.yaml": { app: "registry.example.com/app:3.2.0", redis: "redis:7.2.5" },
      "k8s/environments/prod.yaml": { app: "registry.example.com/app:3.1.7", redis: "redis:7.2.5" },
    },
    code: 0,
    renderCheck: true,
  },
  {
    fixture: "shared-image",
    overlays: ["overlays/staging", "overlays/prod"],
    syncFiles: ["argocd-apps.yaml"],
    images: {
      "environments/staging.yaml": { api: "ghcr.io/acme/app:1.5.0", worker: "ghcr.io/acme/app:1.5.0" },
      "environments/prod.yaml": { api: "ghcr.io/acme/app:1.4.2", worker: "ghcr.io/acme/app:1.4.2" },
    },
    code: 0,
    renderCheck: true,
  },
];

describe("kustodian init", () => {
  it.each(cases)("imports $fixture: proves it, writes only with --write, and every overlay builds the same objects", async (c) => {
    const dir = await copy(c.fixture);
    const before = await tree(dir);
    const built = new Map<string, KubeObject[]>();
    for (const o of c.overlays) built.set(o, await objects(dir, o));

    const dry = await runCli(dir, "init");
    expect(dry.code, dry.stderr).toBe(c.code);
    for (const file of Object.keys(c.images)) expect(dry.stdout).toContain(`# --- ${file}\n`);
    for (const re of c.stderr ?? []) expect(dry.stderr).toMatch(re);
    if (c.code === 0) expect(dry.stderr).toBe("");
    expect(await tree(dir)).toEqual(before);

    const write = await runCli(dir, "init", "--write");
    expect(write.code, write.stderr).toBe(c.code);
    const after = await tree(dir);
    for (const f of c.syncFiles) expect(after.get(f)).toBe(before.get(f));
    for (const o of c.overlays) {
      const now = await objects(dir, o);
      expect(isDeepStrictEqual(now, built.get(o)), `${o} builds different objects after the import`).toBe(true);
    }
    for (const [file, want] of Object.entries(c.images)) {
      const env = parse(after.get(file)!) as { workloads: Record<string, { image?: string }> };
      expect(Object.fromEntries(Object.entries(env.workloads).map(([w, v]) => [w, v.image]))).toEqual(want);
    }
    // What was not imported is left byte for byte.
    for (const [path, text] of before) {
      if (!c.overlays.some((o) => path.startsWith(`${o}/kustomization.`))) expect(after.get(path), path).toBe(text);
    }
    // The layout init wrote (if any) is read by src/layout's parser, and places every environment
    // file it wrote and every overlay it converted where src/layout looks for them.
    const layout = layoutOfFiles(after);
    expect(layout.ok, JSON.stringify(layout)).toBe(true);
    if (!layout.ok) return;
    expect(layout.layout.file === undefined || (layoutFiles as readonly string[]).includes(layout.layout.file)).toBe(true);
    const refs = environmentsOf(layout.layout, after.keys());
    for (const file of Object.keys(c.images)) {
      expect(environmentFileOf(layout.layout, file), `${file} is not an environment file of the layout`).toBeDefined();
      expect(refs.find((r) => r.file === file)?.overlay, file).toSatisfy((o: string) => c.overlays.includes(o));
    }
    if (c.renderCheck) {
      const check = await runCli(dir, "render", "--check");
      expect(check, check.stderr).toMatchObject({ code: 0 });
      expect(check.stdout).toBe(`overlays are up to date (${Object.keys(c.images).length} environment(s))\n`);
    }
  });

  it("lists what it cannot carry, with where, and leaves that overlay as it is", async () => {
    const dir = await copy("shared-image");
    const path = join(dir, "overlays/prod/kustomization.yaml");
    const text = `${await readFile(path, "utf8")}helmCharts:\n  - name: redis\n    repo: https://charts.bitnami.com/bitnami\n`;
    await writeFile(path, text);
    const run = await runCli(dir, "init", "--write");
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "not imported: overlays/prod/kustomization.yaml helmCharts: kustodian cannot carry the field helmCharts (generators, transformers, Helm charts and plugins are not supported)",
    );
    expect(await readFile(path, "utf8")).toBe(text);
    expect(run.stdout).toContain("converted overlays/staging/ -> environments/staging.yaml");
  });

  it("after the import, one workload of two sharing an image name moves alone, in one environment", async () => {
    const dir = await copy("shared-image");
    expect((await runCli(dir, "init", "--write")).code).toBe(0);
    const stagingBefore = await objects(dir, "overlays/staging");
    // The edit `kustodian set image prod worker ...`, `/promote` and `/scale` make: through the yaml Document.
    const file = join(dir, "environments/prod.yaml");
    const text = await readFile(file, "utf8");
    await writeFile(
      file,
      editEnvironmentFile("environments/prod.yaml", text, [{ path: ["workloads", "worker", "image"], value: "ghcr.io/acme/app:1.5.0" }]),
    );
    const render = await runCli(dir, "render");
    expect(render).toMatchObject({ code: 0, stdout: "updated overlays/prod/kustomization.yaml\n" });

    const imageOf = (list: KubeObject[], name: string) =>
      (
        list.find((o) => o.kind === "Deployment" && o.metadata.name === name) as unknown as {
          spec: { template: { spec: { containers: { image: string }[] } } };
        }
      ).spec.template.spec.containers[0]!.image;
    const prod = await objects(dir, "overlays/prod");
    expect(imageOf(prod, "worker")).toBe("ghcr.io/acme/app:1.5.0");
    expect(imageOf(prod, "api")).toBe("ghcr.io/acme/app:1.4.2");
    expect(await objects(dir, "overlays/staging")).toEqual(stagingBefore);
    expect(await runCli(dir, "render", "--check")).toMatchObject({ code: 0 });
  });
});
