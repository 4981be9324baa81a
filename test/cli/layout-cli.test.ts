import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { nodeVersionProblem } from "../../bin/node-version.js";
import { kustomizeBuild, parseManifests } from "../../src/kustomize/build.ts";
import { copySampleRepo, runCli } from "../helpers/cli.ts";
import { git } from "../helpers/git-repo.ts";
import { repoRoot } from "../helpers/repo-root.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** A fixture of test/fixtures/layout copied into a fresh git repository with one commit. */
async function fixtureRepo(name: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), `kustodian-${name}-`));
  dirs.push(dir);
  await cp(join(repoRoot, "test/fixtures/layout", name), dir, { recursive: true });
  await git(dir, "init", "-q", "-b", "main");
  await git(dir, "add", "-A");
  await git(dir, "commit", "-qm", name);
  return dir;
}

describe("kustodian list", () => {
  it("lists every app's environments as JSON, from any directory of the repository", async () => {
    const dir = await fixtureRepo("multi-app");
    const run = await runCli(join(dir, "apps/shop/base"), "list", "--format", "json");
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual([
      {
        name: "prod",
        app: "blog",
        file: "apps/blog/environments/prod.yml",
        overlay: "apps/blog/overlays/prod",
        workloads: [{ name: "api", kind: "Deployment", image: "ghcr.io/example/blog:2.0.0" }],
      },
      {
        name: "prod",
        app: "shop",
        file: "apps/shop/environments/prod.yaml",
        overlay: "apps/shop/overlays/prod",
        workloads: [{ name: "web", kind: "Deployment", image: "ghcr.io/example/shop:1.0.0" }],
      },
      {
        name: "staging",
        app: "shop",
        file: "apps/shop/environments/staging.yaml",
        overlay: "apps/shop/overlays/staging",
        workloads: [{ name: "web", kind: "Deployment", image: "ghcr.io/example/shop:1.1.0" }],
      },
    ]);
  });

  it("the Flux layout (apps/base + apps/<env>, .yml files): render --check is clean and list finds both clusters' environments", async () => {
    const dir = await fixtureRepo("flux");
    expect(await runCli(dir, "render", "--check")).toEqual({ code: 0, stdout: "overlays are up to date (2 environment(s))\n", stderr: "" });
    const listed = JSON.parse((await runCli(join(dir, "clusters/staging"), "list", "--format", "json")).stdout) as {
      name: string;
      overlay: string;
    }[];
    expect(listed.map((e) => [e.name, e.overlay])).toEqual([
      ["production", "apps/production"],
      ["staging", "apps/staging"],
    ]);
  });

  it("the sample repository: the default app, plain environment names", async () => {
    const listed = JSON.parse((await runCli(repoRoot, "list", "--format", "json")).stdout) as { name: string; app: string; file: string }[];
    expect(listed.map((e) => [e.app, e.name, e.file])).toEqual([
      ["default", "dev", "environments/dev.yaml"],
      ["default", "prod", "environments/prod.yaml"],
      ["default", "staging", "environments/staging.yaml"],
    ]);
  });
});

describe("kustodian set", () => {
  it("set image changes that workload in that environment only, keeps the comment, and regenerates its overlay", async () => {
    const dir = await fixtureRepo("multi-app");
    const run = await runCli(join(dir, "apps"), "set", "image", "prod", "web", "ghcr.io/example/shop:1.2.0", "--app", "shop");
    expect(run).toEqual({
      code: 0,
      stdout:
        "web in shop/prod: image ghcr.io/example/shop:1.0.0 → ghcr.io/example/shop:1.2.0.\n" +
        "updated apps/shop/environments/prod.yaml\nupdated apps/shop/overlays/prod/kustomization.yaml\n",
      stderr: "",
    });
    expect(await git(dir, "status", "--short")).toBe("M apps/shop/environments/prod.yaml\n M apps/shop/overlays/prod/kustomization.yaml");
    expect(await git(dir, "diff", "-U0", "apps/shop/environments/prod.yaml")).toContain(
      "-    image: ghcr.io/example/shop:1.0.0 # last verified release\n+    image: ghcr.io/example/shop:1.2.0 # last verified release",
    );
    const objects = parseManifests(await kustomizeBuild(join(dir, "apps/shop/overlays/prod"), { root: dir }));
    const web = objects.find((o) => o.kind === "Deployment") as unknown as {
      spec: { template: { spec: { containers: { image: string }[] } } };
    };
    expect(web.spec.template.spec.containers[0]!.image).toBe("ghcr.io/example/shop:1.2.0");
    expect((await runCli(dir, "render", "--check")).code).toBe(0);
  });

  it("an environment name two apps share needs --app, and the error says so", async () => {
    const dir = await fixtureRepo("multi-app");
    const run = await runCli(dir, "set", "replicas", "prod", "web", "4");
    expect(run).toEqual({
      code: 2,
      stdout: "",
      stderr: 'kustodian: environment "prod" exists in several apps (blog, shop): name one with --app APP\n',
    });
    expect(await git(dir, "status", "--short")).toBe("");
  });

  it("set replicas edits replicas (through /scale's planner) and nothing else", async () => {
    const dir = await fixtureRepo("multi-app");
    const run = await runCli(dir, "set", "replicas", "staging", "web", "4");
    expect(run.code).toBe(0);
    expect(await git(dir, "diff", "-U0", "--", "apps/shop/environments")).toMatch(/^- {4}replicas: 2\n\+ {4}replicas: 4$/m);
    expect(await git(dir, "status", "--short")).toBe(
      "M apps/shop/environments/staging.yaml\n M apps/shop/overlays/staging/kustomization.yaml",
    );
  });

  it("refuses a workload the environment does not have, an unpinned image, and changes nothing", async () => {
    const dir = await fixtureRepo("multi-app");
    expect(await runCli(dir, "set", "image", "staging", "api", "ghcr.io/example/blog:9")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("There is no workload api in apps/shop/environments/staging.yaml. Workloads: web."),
    });
    expect(await runCli(dir, "set", "image", "staging", "web", "ghcr.io/example/shop")).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("has no tag or digest"),
    });
    expect(await git(dir, "status", "--short")).toBe("");
  });

  it("a CRLF environment file keeps its line endings, and a CRLF overlay is not stale", async () => {
    const dir = await copySampleRepo();
    dirs.push(dir);
    for (const path of ["environments/prod.yaml", "overlays/prod/kustomization.yaml"]) {
      const file = join(dir, path);
      await writeFile(file, (await readFile(file, "utf8")).replace(/\n/g, "\r\n"));
    }
    expect(await runCli(dir, "render", "--check")).toMatchObject({ code: 0 });
    expect(await runCli(dir, "set", "replicas", "prod", "wordpress", "4")).toMatchObject({ code: 0 });
    const env = await readFile(join(dir, "environments/prod.yaml"), "utf8");
    const overlay = await readFile(join(dir, "overlays/prod/kustomization.yaml"), "utf8");
    for (const text of [env, overlay]) expect(text.split("\n").every((l, i, all) => i === all.length - 1 || l.endsWith("\r"))).toBe(true);
    expect(env).toContain("replicas: 4\r\n");
  });
});

describe("after kustodian init --write, the layout it proposes is the one render reads", () => {
  it.each(["argocd-apps", "flux", "components", "hand-written", "shared-image"])("%s: render --check exits 0", async (name) => {
    const dir = await mkdtemp(join(tmpdir(), `kustodian-adopt-${name}-`));
    dirs.push(dir);
    await cp(join(repoRoot, "test/fixtures/adopt", name), dir, { recursive: true });
    await git(dir, "init", "-q", "-b", "main");
    await git(dir, "add", "-A");
    await git(dir, "commit", "-qm", name);
    // flux: its HelmRelease is not imported (exit 1); everything else is.
    expect((await runCli(dir, "init", "--write")).code).toBe(name === "flux" ? 1 : 0);
    await git(dir, "add", "-A");
    await git(dir, "commit", "-qm", "import");
    const check = await runCli(dir, "render", "--check");
    expect(check).toMatchObject({ code: 0, stderr: "" });
    expect(check.stdout).toMatch(/^overlays are up to date \([1-9]\d* environment\(s\)\)\n$/);
  });
});

describe("rough edges", () => {
  it("a symlinked environment file is a clear error, and its overlay is not deleted", async () => {
    const dir = await copySampleRepo();
    dirs.push(dir);
    await mkdir(join(dir, "shared"));
    await cp(join(dir, "environments/prod.yaml"), join(dir, "shared/prod.yaml"));
    await rm(join(dir, "environments/prod.yaml"));
    await symlink("../shared/prod.yaml", join(dir, "environments/prod.yaml"));
    const run = await runCli(dir, "render");
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      "kustodian: environments/prod.yaml: is a symbolic link; kustodian reads environment files, overlays and bases only as regular files (copy the file instead)\n",
    );
    expect(await readFile(join(dir, "overlays/prod/kustomization.yaml"), "utf8")).toContain("GENERATED by kustodian");
  });

  it("a plan that finds no environments says so and exits 1", async () => {
    const dir = await mkdtemp(join(tmpdir(), "kustodian-empty-"));
    dirs.push(dir);
    await writeFile(join(dir, "README.md"), "nothing here\n");
    await git(dir, "init", "-q", "-b", "main");
    await git(dir, "add", "-A");
    await git(dir, "commit", "-qm", "empty");
    const run = await runCli(dir, "plan", "--base", "main");
    expect(run).toEqual({
      code: 1,
      stdout: "",
      stderr:
        "kustodian: no environments found in main or HEAD (no .kustodian/layout.yaml: looked for environments/{env}.yaml); nothing to plan\n",
    });
  });

  it("plan builds a base that refers to ../ content elsewhere in the repository as kustomize build does", async () => {
    const dir = await fixtureRepo("multi-app");
    await git(dir, "checkout", "-q", "-b", "labels");
    const component = join(dir, "components/team-labels/kustomization.yaml");
    await writeFile(component, (await readFile(component, "utf8")).replace("team: commerce", "team: checkout"));
    await git(dir, "commit", "-qam", "relabel");
    const run = await runCli(dir, "plan", "--base", "main", "--format", "json");
    expect(run.stderr).toBe("");
    const plan = JSON.parse(run.stdout) as { environments: { name: string; status: string; diff: string }[] };
    // Only shop's base uses the component: shop's environments change, blog's does not.
    expect(plan.environments.map((e) => [e.name, e.status])).toEqual([
      ["shop/prod", "changed"],
      ["shop/staging", "changed"],
    ]);
    expect(plan.environments[0]!.diff).toContain("+    team: checkout");
    const built = parseManifests(await kustomizeBuild(join(dir, "apps/shop/overlays/prod"), { root: dir }));
    expect(built.every((o) => o.metadata.labels?.team === "checkout")).toBe(true);
  });

  it.each([
    ["20.20.2", "kustodian needs Node.js 24 (this is Node.js 20.20.2): install Node 24, or run it through npx in a checkout after npm ci."],
    ["24.3.0", undefined],
  ])("on Node %s the bin says %s", (version, expected) => {
    expect(nodeVersionProblem(version)).toBe(expected);
  });
});
