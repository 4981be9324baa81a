import { describe, expect, it } from "vitest";
import { KustomizeBuildError } from "../../src/render/render-errors.ts";
import { RenderCache, renderCache, treeDigest } from "../../src/render/render-cache.ts";
import { readTree } from "../../src/repo/fs-snapshot.ts";
import { renderSnapshot } from "../../src/repo/render-snapshot.ts";
import { repoRoot } from "../helpers/repo-root.ts";

async function sampleFiles(): Promise<Map<string, string>> {
  return new Map([
    ...(await readTree(repoRoot, "base")),
    ...(await readTree(repoRoot, "environments")),
    ...(await readTree(repoRoot, "overlays")),
  ]);
}

/** A renderer that records the directories it was asked to build. */
function recording(output: (dir: string) => string = (dir) => `rendered ${dir}\n`) {
  const built: string[] = [];
  return {
    built,
    render: async (dir: string) => {
      built.push(dir);
      return output(dir);
    },
  };
}

const tree = (root: string, files: Record<string, string>) => ({ root, digest: treeDigest(Object.entries(files)) });

describe("treeDigest", () => {
  it.each([
    {
      name: "the same files in another order",
      a: [
        ["a", "1"],
        ["b", "2"],
      ],
      b: [
        ["b", "2"],
        ["a", "1"],
      ],
      same: true,
    },
    { name: "one byte changed", a: [["a", "1"]], b: [["a", "2"]], same: false },
    { name: "a file renamed", a: [["a", "1"]], b: [["b", "1"]], same: false },
    { name: "bytes moved from the path into the content", a: [["ab", "c"]], b: [["a", "bc"]], same: false },
    {
      name: "a file added",
      a: [["a", "1"]],
      b: [
        ["a", "1"],
        ["b", ""],
      ],
      same: false,
    },
    { name: "text and the same bytes", a: [["a", "é"]], b: [["a", Buffer.from("é")]], same: true },
  ] as const)("$name: same key = $same", ({ a, b, same }) => {
    expect(treeDigest(a) === treeDigest(b)).toBe(same);
  });
});

describe("RenderCache", () => {
  it("renders the same bytes once, wherever they were materialised; another directory or another byte renders again", async () => {
    const cache = new RenderCache({ maxBytes: 1 << 20 });
    const r = recording((dir) => `built ${dir}\n`);
    const files = { "base/kustomization.yaml": "resources: []\n", "overlays/prod/kustomization.yaml": "resources: [../../base]\n" };
    expect(await cache.render(tree("/tmp/a", files), "overlays/prod", r.render)).toBe("built /tmp/a/overlays/prod\n");
    // The output names the scratch directory of the render that asked.
    expect(await cache.render(tree("/tmp/b", files), "overlays/prod", r.render)).toBe("built /tmp/b/overlays/prod\n");
    await cache.render(tree("/tmp/c", files), "base", r.render);
    await cache.render(tree("/tmp/d", { ...files, "base/kustomization.yaml": "resources: [] \n" }), "base", r.render);
    expect(r.built).toEqual(["/tmp/a/overlays/prod", "/tmp/c/base", "/tmp/d/base"]);
    expect(cache.stats()).toMatchObject({ hits: 1, misses: 3, entries: 3 });
  });

  it("caches a failure: the same error class and fields, naming the directory of the render that asked", async () => {
    const cache = new RenderCache({ maxBytes: 1 << 20 });
    let runs = 0;
    const failing = async (dir: string) => {
      runs++;
      throw new KustomizeBuildError(dir, `Error: accumulating resources from '${dir}/missing.yaml': no such file`);
    };
    const files = { "overlays/dev/kustomization.yaml": "resources: [missing.yaml]\n" };
    await expect(cache.render(tree("/tmp/one", files), "overlays/dev", failing)).rejects.toThrow("/tmp/one/overlays/dev/missing.yaml");
    const again = await cache.render(tree("/tmp/two", files), "overlays/dev", failing).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(KustomizeBuildError);
    expect(again).toMatchObject({
      dir: "/tmp/two/overlays/dev",
      stderr: "Error: accumulating resources from '/tmp/two/overlays/dev/missing.yaml': no such file",
    });
    expect(runs).toBe(1);
  });

  it("what else decides the outcome (the variant) is part of the key; failures from the moment (not cacheable) are rendered again", async () => {
    const cache = new RenderCache({ maxBytes: 1 << 20 });
    const r = recording();
    const files = tree("/t", { "base/kustomization.yaml": "resources: []\n" });
    await cache.render(files, "base", r.render, { variant: "max-output=1" });
    await cache.render(files, "base", r.render, { variant: "max-output=2" });
    await cache.render(files, "base", r.render, { variant: "max-output=1" });
    expect(r.built).toEqual(["/t/base", "/t/base"]);

    let runs = 0;
    const timingOut = async () => {
      runs++;
      throw new Error("took too long");
    };
    const options = { cacheable: (e: unknown) => !(e instanceof Error && e.message === "took too long") };
    await expect(cache.render(files, "overlays/dev", timingOut, options)).rejects.toThrow("took too long");
    await expect(cache.render(files, "overlays/dev", timingOut, options)).rejects.toThrow("took too long");
    expect(runs).toBe(2);
  });

  it("asked for the same key while it renders: one render, both answered (each with its own directory)", async () => {
    const cache = new RenderCache({ maxBytes: 1 << 20 });
    let finish!: () => void;
    const started = new Promise<void>((resolve) => (finish = resolve));
    const r = recording();
    const slow = async (dir: string) => {
      await started;
      return r.render(dir);
    };
    const files = { "base/kustomization.yaml": "resources: []\n" };
    const both = Promise.all([cache.render(tree("/x", files), "base", slow), cache.render(tree("/y", files), "base", slow)]);
    finish();
    expect(await both).toEqual(["rendered /x/base\n", "rendered /y/base\n"]);
    expect(r.built).toEqual(["/x/base"]);
  });

  it("holds at most maxBytes of output, evicting the least recently used; an output larger than the bound is not kept", async () => {
    const cache = new RenderCache({ maxBytes: 30 });
    const r = recording((dir) => `${dir.slice(-1).repeat(10)}`);
    const at = (dir: string) => cache.render({ root: "/r", digest: "t" }, dir, r.render);
    await at("a");
    await at("b");
    await at("c"); // 30 bytes: a, b, c
    await at("a"); // hit: a is now the most recent
    await at("d"); // 40 bytes: b goes
    expect(cache.stats()).toMatchObject({ entries: 3, bytes: 30 });
    await at("a");
    await at("c");
    await at("d");
    await at("b");
    expect(r.built).toEqual(["/r/a", "/r/b", "/r/c", "/r/d", "/r/b"]);

    const big = recording(() => "x".repeat(31));
    await cache.render({ root: "/r", digest: "t" }, "big", big.render);
    await cache.render({ root: "/r", digest: "t" }, "big", big.render);
    expect(big.built).toHaveLength(2);
  });
});

describe("renderSnapshot with the render cache", () => {
  it("a second render of the same tree runs kustomize for nothing, and renders the same", async () => {
    const files = await sampleFiles();
    renderCache.clear();
    const first = await renderSnapshot(files);
    const cold = renderCache.stats();
    expect(cold.misses).toBeGreaterThan(0);
    const second = await renderSnapshot(files);
    expect(renderCache.stats().misses).toBe(cold.misses);
    expect(second).toEqual(first);
  });

  it("one byte changed in what a build reads: that build runs again, never served stale; builds that do not read it are hits", async () => {
    const files = await sampleFiles();
    renderCache.clear();
    await renderSnapshot(files);
    const before = renderCache.stats().misses;
    const edited = new Map(files).set("environments/dev.yaml", files.get("environments/dev.yaml")!.replace("replicas: 2", "replicas: 5"));
    const snapshot = await renderSnapshot(edited);
    // A build is keyed by the files it reads (its kustomization and everything that names,
    // ../../base and components included): only overlays/dev changed; base/ and the other overlays are hits.
    expect(renderCache.stats().misses - before).toBe(1);
    const deployment = snapshot.environments.get("dev")!.objects!.find((o) => o.kind === "Deployment" && o.metadata.name === "wordpress");
    expect(deployment).toMatchObject({ spec: { replicas: 5 } });

    // A byte of base/ is read by every build: base/ and all 3 overlays run again.
    const base = new Map(edited).set("base/wordpress-service.yaml", `${edited.get("base/wordpress-service.yaml")!}\n# edited\n`);
    const again = renderCache.stats().misses;
    await renderSnapshot(base);
    expect(renderCache.stats().misses - again).toBe(4);
  });
});
