import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/k8s/manifest-types.ts";
import { kustomizeBuild } from "../../src/render/kustomize-build.ts";
import { parseManifests } from "../../src/render/parse-manifests.ts";
import { copySampleRepo, runCli } from "../helpers/cli.ts";
import { repoRoot } from "../helpers/repo-root.ts";

interface DeploymentView {
  spec: { replicas: number; template: { spec: { containers: { name: string; image: string; resources: unknown; envFrom?: { configMapRef: { name: string } }[] }[] } } };
}

function find(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in the render`);
  return found;
}

describe("kustodian render", () => {
  it("finds the committed overlays up to date", async () => {
    const run = await runCli(repoRoot, "render", "--check");
    expect(run).toEqual({ code: 0, stdout: "overlays are up to date (3 environment(s))\n", stderr: "" });
  });

  it.each([
    { env: "dev", image: "wordpress:6.6.2-apache", replicas: 2, cpu: "100m", hpa: [2, 3], debug: "1" },
    { env: "staging", image: "wordpress:6.6.2-apache", replicas: 3, cpu: "200m", hpa: [3, 6], debug: "0" },
    { env: "prod", image: "wordpress:6.5.5-apache", replicas: 3, cpu: "200m", hpa: [3, 6], debug: "0" },
  ])("overlays/$env builds with kustomize into what environments/$env.yaml says", async ({ env, image, replicas, cpu, hpa, debug }) => {
    const objects = parseManifests(await kustomizeBuild(join(repoRoot, "overlays", env), { root: repoRoot }));
    expect(objects.every((o) => o.kind === "Namespace" || o.metadata.namespace === `wordpress-${env}`)).toBe(true);
    const deployment = find(objects, "Deployment", "wordpress") as unknown as DeploymentView;
    const container = deployment.spec.template.spec.containers[0]!;
    expect(container.image).toBe(image);
    expect(deployment.spec.replicas).toBe(replicas);
    expect(container.resources).toEqual({ requests: { cpu, memory: "100Mi" }, limits: { cpu, memory: "100Mi" } });
    const autoscaler = find(objects, "HorizontalPodAutoscaler", "wordpress") as unknown as { spec: { minReplicas: number; maxReplicas: number } };
    expect([autoscaler.spec.minReplicas, autoscaler.spec.maxReplicas]).toEqual(hpa);
    // Config entries land in the hashed ConfigMap that the pods actually reference.
    const configName = container.envFrom![0]!.configMapRef.name;
    const config = find(objects, "ConfigMap", configName) as unknown as { data: Record<string, string> };
    expect(config.data).toEqual({ WORDPRESS_TABLE_PREFIX: "wp_", WORDPRESS_DEBUG: debug });
  });

  it("is idempotent: a second run writes nothing and changes no byte", async () => {
    const dir = await copySampleRepo();
    const overlay = join(dir, "overlays/prod/kustomization.yaml");
    const before = await stat(overlay);
    const run = await runCli(dir, "render");
    expect(run.stdout).toBe("overlays are up to date (3 environment(s))\n");
    expect((await stat(overlay)).mtimeMs).toBe(before.mtimeMs);
  });

  it("a new prod image rewrites overlays/prod only, and kustomize renders the new image", async () => {
    const dir = await copySampleRepo();
    const envFile = join(dir, "environments/prod.yaml");
    await writeFile(envFile, (await readFile(envFile, "utf8")).replace("wordpress:6.5.5-apache", "wordpress:6.6.2-apache"));

    const check = await runCli(dir, "render", "--check");
    expect(check).toEqual({ code: 1, stdout: "", stderr: "stale generated files (run `npx kustodian render`):\n  overlays/prod/kustomization.yaml\n" });

    const render = await runCli(dir, "render");
    expect(render).toEqual({ code: 0, stdout: "updated overlays/prod/kustomization.yaml\n", stderr: "" });
    for (const env of ["dev", "staging"]) {
      expect(await readFile(join(dir, `overlays/${env}/kustomization.yaml`), "utf8")).toBe(await readFile(join(repoRoot, `overlays/${env}/kustomization.yaml`), "utf8"));
    }
    const objects = parseManifests(await kustomizeBuild(join(dir, "overlays/prod"), { root: dir }));
    const deployment = find(objects, "Deployment", "wordpress") as unknown as DeploymentView;
    expect(deployment.spec.template.spec.containers[0]!.image).toBe("wordpress:6.6.2-apache");
    expect((await runCli(dir, "render", "--check")).code).toBe(0);
  });

  it("--env renders one environment and leaves the others stale", async () => {
    const dir = await copySampleRepo();
    for (const env of ["dev", "prod"]) {
      const file = join(dir, `environments/${env}.yaml`);
      await writeFile(file, (await readFile(file, "utf8")).replace("replicas: 2", "replicas: 1").replace("replicas: 3", "replicas: 4"));
    }
    expect(await runCli(dir, "render", "--env", "prod")).toMatchObject({ code: 0, stdout: "updated overlays/prod/kustomization.yaml\n" });
    expect(await runCli(dir, "render", "--check")).toMatchObject({ code: 1, stderr: expect.stringContaining("overlays/dev/kustomization.yaml") });
  });

  it("an invalid environment file is reported with its location and nothing is written", async () => {
    const dir = await copySampleRepo();
    const good = join(dir, "environments/dev.yaml");
    await writeFile(good, (await readFile(good, "utf8")).replace("replicas: 2", "replicas: 1"));
    const bad = join(dir, "environments/prod.yaml");
    await writeFile(bad, (await readFile(bad, "utf8")).replace("replicas: 3", 'replicas: "six"'));

    const run = await runCli(dir, "render");
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'environments/prod.yaml:13:15 workloads.wordpress.replicas: expected an integer >= 0, got "six"\n' +
        "kustodian: 1 problem(s) in environment files; nothing was written\n",
    );
    expect(await readFile(join(dir, "overlays/dev/kustomization.yaml"), "utf8")).toBe(await readFile(join(repoRoot, "overlays/dev/kustomization.yaml"), "utf8"));
  });

  it("deletes the generated overlay of an environment whose file was removed", async () => {
    const dir = await copySampleRepo();
    const { rm } = await import("node:fs/promises");
    await rm(join(dir, "environments/staging.yaml"));
    expect(await runCli(dir, "render")).toMatchObject({ code: 0, stdout: "deleted overlays/staging/kustomization.yaml\n" });
  });

  it("answers an unknown option with the usage", async () => {
    const run = await runCli(repoRoot, "render", "--chek");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Unknown option '--chek'");
    expect(run.stderr).toContain("usage: kustodian");
  });
});
