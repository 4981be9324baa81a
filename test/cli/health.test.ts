// `kustodian health` against the loopback Kubernetes API simulator: live (client-node over HTTP)
// and recorded (the same objects saved as YAML), on a real rollout of the base WordPress.
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AppsV1Api } from "@kubernetes/client-node";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { deployment, NAMESPACE, renderBase, rolloutComplete } from "../sim/helpers.ts";
import { startSimulator, type Simulator } from "../sim/index.ts";
import { runCli } from "../helpers/cli.ts";

let sim: Simulator;
let dir: string;
let kubeconfig: string;

beforeEach(async () => {
  sim = await startSimulator({ clock: "fast" });
  sim.apply(renderBase());
  await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")));
  dir = await mkdtemp(join(tmpdir(), "kustodian-health-"));
  kubeconfig = sim.writeKubeconfig(join(dir, "kubeconfig"));
});
afterEach(async () => {
  await sim.stop();
});

async function setImage(image: string) {
  await sim.kubeConfig.makeApiClient(AppsV1Api).patchNamespacedDeployment({
    name: "wordpress",
    namespace: NAMESPACE,
    body: [{ op: "replace", path: "/spec/template/spec/containers/0/image", value: image }],
  });
}

function recording(): string {
  const kinds = [
    ["apps/v1", "Deployment"],
    ["apps/v1", "ReplicaSet"],
    ["v1", "Pod"],
    ["v1", "Event"],
  ] as const;
  const items = kinds.flatMap(([apiVersion, kind]) =>
    sim.store.list({ apiVersion, kind, namespace: NAMESPACE }).map((o) => ({ apiVersion, kind, ...(o as object) })),
  );
  return stringify({ apiVersion: "v1", kind: "List", items });
}

describe("kustodian health", () => {
  it("a bad image: Failed ReadinessTimeout once the window has passed, quoting the pod and the probe message", async () => {
    await setImage("wordpress:bad");
    await sim.clock.advance(25_000);
    const now = new Date(sim.clock.now()).toISOString();
    const live = await runCli(
      dir,
      "health",
      "--kubeconfig",
      kubeconfig,
      "--namespace",
      NAMESPACE,
      "--deployment",
      "wordpress",
      "--now",
      now,
    );
    expect(live.code).toBe(1);
    expect(live.stdout).toMatch(/^Deployment\/wordpress: Failed \(ReadinessTimeout\)/);
    expect(live.stdout).toMatch(
      /Pod\/wordpress-\w+-\w+ container wordpress: .*Readiness probe failed: dial tcp [\d.]+:80: connect: connection refused/,
    );

    const file = join(dir, "rollout.yaml");
    await writeFile(file, recording());
    const recorded = await runCli(dir, "health", "--file", file, "--deployment", "wordpress", "--now", now, "--format", "json");
    expect(recorded.code).toBe(1);
    expect(JSON.parse(recorded.stdout)).toMatchObject({ status: "Failed", reason: "ReadinessTimeout" });
  });

  it("before the window has passed it is not decided yet, and says when it will be", async () => {
    await setImage("wordpress:bad");
    await sim.clock.advance(8_000);
    const run = await runCli(
      dir,
      "health",
      "--kubeconfig",
      kubeconfig,
      "--namespace",
      NAMESPACE,
      "--deployment",
      "wordpress",
      "--now",
      new Date(sim.clock.now()).toISOString(),
    );
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(/^Deployment\/wordpress: Progressing: .*decided by \d{4}-\d\d-\d\dT/);
  });

  it("a good image that rolled out completely is Healthy", async () => {
    await setImage("wordpress:6.7.1-apache");
    await sim.clock.runUntil(() => rolloutComplete(deployment(sim, "wordpress")));
    const run = await runCli(
      dir,
      "health",
      "--kubeconfig",
      kubeconfig,
      "--namespace",
      NAMESPACE,
      "--deployment",
      "wordpress",
      "--now",
      new Date(sim.clock.now()).toISOString(),
    );
    expect(run.stdout).toMatch(/^Deployment\/wordpress: Healthy/);
    expect(run.code).toBe(0);
  });

  it("asks which Deployment when there are several", async () => {
    const run = await runCli(dir, "health", "--kubeconfig", kubeconfig, "--namespace", NAMESPACE);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("name the Deployment with --deployment (found: ");
  });
});
