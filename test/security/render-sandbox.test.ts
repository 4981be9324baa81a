// The render sandbox's process limits (issue 11): every kustomize run goes through
// src/render/kustomize-build.ts, so a fake kustomize binary injected there shows what a real
// one could do: read the environment, hang, write without end, or be started too often at once.
import { mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { kustomizeBuild } from "../../src/render/kustomize-build.ts";
import { RenderOutputTooLarge, RenderTimedOut } from "../../src/render/render-errors.ts";
import { configureRenderSandbox, defaultRenderSettings, renderSettings } from "../../src/render/render-settings.ts";
import { runCli } from "../helpers/cli.ts";
import { repoRoot } from "../helpers/repo-root.ts";
import { fakeKustomize, isAlive, scratchDir } from "./fake-kustomize.ts";

let scratch: string;
let kustomization: string;
const saved = { ...renderSettings() };

beforeAll(async () => {
  scratch = await scratchDir();
  kustomization = join(scratch, "app");
  await mkdir(kustomization);
  await writeFile(join(kustomization, "kustomization.yaml"), "resources: []\n");
});
afterEach(() => void configureRenderSandbox(saved));
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function gone(pid: number): Promise<void> {
  while (await isAlive(pid)) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe("the render sandbox", () => {
  it("has defaults sized for real repositories", () => {
    expect(defaultRenderSettings.timeoutMs).toBe(60_000);
    expect(defaultRenderSettings.maxOutputBytes).toBe(32 * 1024 * 1024);
    expect(defaultRenderSettings.concurrency).toBeGreaterThanOrEqual(1);
  });

  it("takes its limits from the CLI's --render-* flags, and refuses bad ones", async () => {
    const run = await runCli(
      repoRoot,
      "render",
      "--check",
      "--render-timeout",
      "120",
      "--render-max-output",
      "8",
      "--render-concurrency",
      "3",
    );
    expect(run.code).toBe(0);
    expect(renderSettings()).toEqual({ timeoutMs: 120_000, maxOutputBytes: 8 * 1024 * 1024, concurrency: 3 });
    const bad = await runCli(repoRoot, "plan", "--base", "HEAD", "--render-concurrency", "1.5");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--render-concurrency must be a whole number above 0, got "1.5"');
  });

  it("gives kustomize PATH and a private HOME, and none of the app's secrets", async () => {
    const secrets = {
      PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY----- sandbox-test-key",
      WEBHOOK_SECRET: "sandbox-test-webhook-secret",
      GITHUB_TOKEN: "ghs_sandboxtesttoken",
      KUSTODIAN_SANDBOX_TEST_SECRET: "sandbox-test-secret-value",
    };
    Object.assign(process.env, secrets);
    try {
      const printEnv = await fakeKustomize(scratch, "print-env", 'env; echo "CWD=$(pwd)"');
      const out = await kustomizeBuild(kustomization, { command: [printEnv] });
      const vars = Object.fromEntries(
        out
          .trim()
          .split("\n")
          .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
      );
      for (const value of Object.values(secrets)) expect(out).not.toContain(value);
      // /bin/sh adds PWD (and may add SHLVL, _): nothing else comes from this process (Go's collector
      // settings for kustomize are the sandbox's own).
      expect(
        Object.keys(vars)
          .filter((k) => !["PWD", "SHLVL", "_", "CWD"].includes(k))
          .sort(),
      ).toEqual(["GOGC", "GOMEMLIMIT", "HOME", "PATH"]);
      expect([vars["GOGC"], vars["GOMEMLIMIT"]]).toEqual(["off", "512MiB"]);
      expect(vars["PATH"]).toBe(process.env.PATH);
      expect(vars["CWD"]).toBe(vars["HOME"]);
      expect(vars["HOME"]).toMatch(/kustodian-sandbox-/);
      // The private dir is removed afterwards.
      await expect(stat(vars["HOME"]!)).rejects.toMatchObject({ code: "ENOENT" });
    } finally {
      for (const key of Object.keys(secrets)) delete process.env[key];
    }
  });

  it("passes kustomize the flags that forbid Helm, plugins, network functions and loading outside a kustomization", async () => {
    const printArgs = await fakeKustomize(scratch, "print-args", 'for a in "$@"; do echo "$a"; done');
    const args = (await kustomizeBuild(kustomization, { command: [printArgs] })).trim().split("\n");
    expect(args).toEqual([
      kustomization,
      "--load-restrictor=LoadRestrictionsRootOnly",
      "--enable-helm=false",
      "--enable-alpha-plugins=false",
      "--network=false",
    ]);
  });

  it("kills a render that outlives the timeout, with everything it started", async () => {
    configureRenderSandbox({ timeoutMs: 300 });
    const pids = join(scratch, "hang-pids");
    const hang = await fakeKustomize(scratch, "hang", `sleep 300 & echo $! > ${pids}.child; echo $$ > ${pids}.leader; wait`);
    const error = await kustomizeBuild(kustomization, { command: [hang] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderTimedOut);
    expect((error as RenderTimedOut).userMessage).toMatch(/took longer than 300 ms and was stopped/);
    const leader = Number(await readFile(`${pids}.leader`, "utf8"));
    const grandchild = Number(await readFile(`${pids}.child`, "utf8"));
    // Both go; were only the leader killed, the grandchild `sleep 300` would run on for minutes
    // and this would wait until the test's own timeout.
    await gone(leader);
    await gone(grandchild);
  });

  it("stops reading and kills a render that writes more than the output cap", async () => {
    configureRenderSandbox({ maxOutputBytes: 1024 * 1024 });
    const pidFile = join(scratch, "flood.pid");
    const flood = await fakeKustomize(
      scratch,
      "flood",
      `echo $$ > ${pidFile}; while :; do echo "data: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; done`,
    );
    const error = await kustomizeBuild(kustomization, { command: [flood] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RenderOutputTooLarge);
    expect((error as RenderOutputTooLarge).userMessage).toMatch(/more than 1 MB of manifests/);
    await gone(Number(await readFile(pidFile, "utf8")));
  });

  it("runs at most `concurrency` renders at once", async () => {
    configureRenderSandbox({ concurrency: 2 });
    const running = join(scratch, "running");
    const peaks = join(scratch, "peaks");
    await mkdir(running);
    const slow = await fakeKustomize(
      scratch,
      "slow",
      `mkdir ${running}/$$; ls ${running} | wc -l >> ${peaks}; sleep 0.2; rmdir ${running}/$$; echo "kind: ConfigMap"`,
    );
    const results = await Promise.all(Array.from({ length: 6 }, () => kustomizeBuild(kustomization, { command: [slow] })));
    expect(results).toEqual(Array(6).fill("kind: ConfigMap\n"));
    const counts = (await readFile(peaks, "utf8")).trim().split("\n").map(Number);
    expect(counts).toHaveLength(6);
    expect(Math.max(...counts)).toBeLessThanOrEqual(2);
    expect(await readdir(running)).toEqual([]);
  });
});
