// Paths in a pull request's kustomizations (issue 11: `../` in a base reached any directory on
// the server holding a kustomization, and its content was published). The build stays inside the
// repository: `../` beyond the root, absolute paths and symlinks that point out are refused with
// the file and line, before kustomize runs.
import { mkdir, rm, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kustomizeBuild } from "../../src/render/kustomize-build.ts";
import { RenderRefused } from "../../src/render/render-errors.ts";
import { maxKustomizationLoads } from "../../src/render/scan-kustomization.ts";
import { scratchDir } from "./fake-kustomize.ts";

let scratch: string;
/** A kustomization on the server, outside any repository, holding something secret. */
let outside: string;

beforeAll(async () => {
  scratch = await scratchDir("kustodian-paths-");
  outside = join(scratch, "server-secrets");
  await mkdir(outside);
  await writeFile(join(outside, "kustomization.yaml"), "resources:\n  - secret.yaml\n");
  await writeFile(
    join(outside, "secret.yaml"),
    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: server-secret\nstringData:\n  key: do-not-publish\n",
  );
});
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function repo(name: string, kustomization: string): Promise<string> {
  const root = join(scratch, "repos", name);
  await mkdir(join(root, "overlays/pr"), { recursive: true });
  await writeFile(join(root, "overlays/pr/kustomization.yaml"), kustomization);
  return root;
}

async function refused(root: string, dir = "overlays/pr"): Promise<RenderRefused> {
  const error = await kustomizeBuild(join(root, dir), { root }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(RenderRefused);
  expect((error as Error).message).not.toContain("do-not-publish");
  return error as RenderRefused;
}

describe("paths in a kustomization", () => {
  it("refuses ../ that leaves the repository (kustomize alone would build it)", async () => {
    const root = await repo("dotdot", "resources:\n  - ../../../../server-secrets\n");
    // Without the sandbox's scan, kustomize's own load restrictor lets a base leave the root:
    const unchecked = await kustomizeBuild(join(root, "overlays/pr"), { root: scratch });
    expect(unchecked).toContain("server-secret");
    expect(await refused(root)).toMatchObject({
      file: "overlays/pr/kustomization.yaml",
      line: 2,
      entry: "../../../../server-secrets",
      reason: "the path leaves the repository",
    });
  });

  it("refuses an absolute path", async () => {
    const root = await repo("absolute", `resources:\n  - ${outside}\n`);
    expect(await refused(root)).toMatchObject({ line: 2, entry: outside, reason: "absolute paths are not allowed" });
  });

  it("refuses a symlink under base/ that points outside the repository", async () => {
    const root = await repo("symlink", "resources:\n  - ../../base\n");
    await mkdir(join(root, "base"));
    await writeFile(join(root, "base/kustomization.yaml"), "resources:\n  - shared\n");
    await symlink(outside, join(root, "base/shared"));
    expect(await refused(root)).toMatchObject({
      file: "base/kustomization.yaml",
      line: 2,
      entry: "shared",
      reason: "a symlink on this path points outside the repository",
    });
  });

  it("refuses a kustomization file that is a symlink to one outside", async () => {
    const root = join(scratch, "repos", "linked-file");
    await mkdir(join(root, "overlays/pr"), { recursive: true });
    await symlink(join(outside, "kustomization.yaml"), join(root, "overlays/pr/kustomization.yaml"));
    expect(await refused(root)).toMatchObject({ file: "overlays/pr/kustomization.yaml" });
  });

  it("refuses a base fan-out that would expand to thousands of loads, without running kustomize", async () => {
    // Each level has two directories that both use both directories of the level below: 2^n paths.
    const root = join(scratch, "repos", "fan-out");
    const levels = 14;
    for (let level = 0; level < levels; level++) {
      for (const side of ["a", "b"]) {
        const dir = join(root, `l${level}${side}`);
        await mkdir(dir, { recursive: true });
        const below = level + 1 < levels ? `resources:\n  - ../l${level + 1}a\n  - ../l${level + 1}b\n` : "resources: []\n";
        await writeFile(join(dir, "kustomization.yaml"), below);
      }
    }
    const error = await refused(root, "l0a");
    expect(error.reason).toContain(`more than ${maxKustomizationLoads} kustomization loads`);
  });
});
